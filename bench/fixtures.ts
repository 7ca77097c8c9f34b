/**
 * Deterministic Segment e-commerce traffic for benchmarks: visitors walk a shop's funnel
 * (home, search or category, product pages, cart, checkout, order) and each step is the
 * Segment message analytics.js would send. Same seed, same bytes, on every machine.
 */
import {
  CATALOG,
  CATEGORY_PAGES,
  LOCALES,
  NETWORKS,
  Random,
  REFERRERS,
  SEARCH_TERMS,
  USER_AGENTS,
  type Product,
} from './fixture-catalog.ts';
import {
  FIXTURE_EPOCH_MS,
  priceOrder,
  productProperties,
  SessionRecorder,
  type CartLine,
  type FixtureEvent,
  type Visitor,
} from './session-recorder.ts';

export { Random } from './fixture-catalog.ts';

export type { FixtureEvent, PageContext } from './session-recorder.ts';
export { FIXTURE_EPOCH_MS, priceOrder } from './session-recorder.ts';

const FIRST_NAMES = ['Maya', 'Jonas', 'Priya', 'Liam', 'Sofia', 'Noah', 'Amara', 'Lukas'];
const LAST_NAMES = ['Keller', 'Okafor', 'Rossi', 'Nakamura', 'Dubois', 'Hughes', 'Silva'];

/**
 * One visit. 'purchase' takes every step (search, two products, checkout, order);
 * 'browse' drops out along the funnel at realistic rates.
 */
export function shoppingSession(
  rng: Random,
  startMs: number,
  mode: 'browse' | 'purchase',
): FixtureEvent[] {
  const all = mode === 'purchase';
  const { locale, timezone } = rng.pick(LOCALES);
  const visitor: Visitor = {
    anonymousId: rng.uuid(),
    ip: `${rng.pick(NETWORKS)}.${rng.int(1, 254)}`,
    userAgent: rng.pick(USER_AGENTS),
    locale,
    timezone,
  };
  const s = new SessionRecorder(rng, visitor, startMs, rng.pick(REFERRERS));
  s.visit('Home', '/', 'Example Outdoor Shop');

  let list: Product[];
  let clickable: Product[];
  if (all || rng.chance(0.6)) {
    const { query, category } = rng.pick(SEARCH_TERMS);
    s.track('Products Searched', { query });
    s.visit('Search Results', `/search?q=${encodeURIComponent(query)}`, `Search: ${query}`);
    // The matching products first, then a few suggestions from elsewhere in the shop.
    const matches = rng.sample(
      CATALOG.filter((p) => p.category === category),
      rng.int(3, 5),
    );
    const others = CATALOG.filter((p) => p.category !== category);
    list = [...matches, ...rng.sample(others, rng.int(1, 3))];
    clickable = matches;
    s.track('Product List Viewed', {
      list_id: 'search_results',
      category: 'Search Results',
      products: list.map((p, i) => productProperties(p, { position: i + 1 })),
    });
  } else {
    const category = rng.pick(CATEGORY_PAGES);
    s.visit('Collection', `/collections/${category.slug}`, `${category.name} | Example Outdoor`);
    list = CATALOG.filter((p) => p.category === category.name);
    clickable = list;
    s.track('Product List Viewed', {
      list_id: category.slug,
      category: category.name,
      products: list.map((p, i) => productProperties(p, { position: i + 1 })),
    });
  }

  const cartId = rng.uuid();
  const cart: CartLine[] = [];
  const listUrl = s.pageUrl;
  const viewed = rng.sample(clickable, all ? 2 : rng.int(1, 3));
  for (const product of viewed) {
    const position = list.indexOf(product) + 1;
    s.track('Product Clicked', productProperties(product, { position }));
    const title = `${product.name} | ${product.brand}`;
    s.visit('Product', new URL(product.url).pathname, title, listUrl);
    s.track('Product Viewed', productProperties(product, { currency: 'USD' }));
    if (all || rng.chance(0.35)) {
      const quantity = rng.chance(0.8) ? 1 : 2;
      cart.push({ product, quantity });
      s.track('Product Added', productProperties(product, { quantity, cart_id: cartId }));
    }
  }
  if (cart.length === 0 || !(all || rng.chance(0.7))) return s.events;

  const products = cart.map((l) => productProperties(l.product, { quantity: l.quantity }));
  s.visit('Cart', '/cart', 'Your cart | Example Outdoor');
  s.track('Cart Viewed', { cart_id: cartId, products });
  if (!(all || rng.chance(0.55))) return s.events;

  const coupon = rng.chance(0.3) ? 'WINTER10' : undefined;
  const order = priceOrder(cart, coupon ? 10 : 0);
  const orderId = `EX-${rng.int(100_000, 999_999)}`;
  const checkoutId = rng.uuid();
  const orderFields = {
    order_id: orderId,
    checkout_id: checkoutId,
    affiliation: 'Example Outdoor Online',
    ...(coupon ? { coupon } : {}),
    currency: 'USD',
    products,
  };
  s.visit('Checkout', '/checkout/information', 'Checkout | Example Outdoor');
  s.track('Checkout Started', {
    ...orderFields,
    value: order.subtotal,
    revenue: order.revenue,
    shipping: order.shipping,
    tax: order.tax,
    discount: order.discount,
  });
  if (coupon) {
    s.track('Coupon Applied', {
      cart_id: cartId,
      order_id: orderId,
      coupon_id: coupon,
      coupon_name: '10% off winter gear',
      discount: order.discount,
    });
  }
  const firstName = rng.pick(FIRST_NAMES);
  const lastName = rng.pick(LAST_NAMES);
  s.identify(`user_${rng.int(100_000, 999_999)}`, {
    email: `${firstName}.${lastName}@example.com`.toLowerCase(),
    firstName,
    lastName,
  });
  s.track('Checkout Step Completed', { checkout_id: checkoutId, step: 1 });
  s.track('Checkout Step Completed', {
    checkout_id: checkoutId,
    step: 2,
    shipping_method: order.shipping === 0 ? 'Free Standard' : 'Standard',
  });
  if (!(all || rng.chance(0.8))) return s.events;

  s.visit('Payment', '/checkout/payment', 'Payment | Example Outdoor');
  s.track('Payment Info Entered', {
    checkout_id: checkoutId,
    order_id: orderId,
    step: 3,
    payment_method: rng.pick(['Credit Card', 'PayPal', 'Apple Pay']),
  });
  if (!(all || rng.chance(0.9))) return s.events;

  s.track('Order Completed', { ...orderFields, ...order });
  s.visit('Order Confirmation', '/checkout/thank-you', 'Thank you! | Example Outdoor');
  return s.events;
}

/** `count` messages from overlapping visits, in time order. */
export function generateEvents(seed: number, count: number): FixtureEvent[] {
  const rng = new Random(seed);
  const events: FixtureEvent[] = [];
  let startMs = FIXTURE_EPOCH_MS;
  // A few more than needed, so that the visits cut off at the end are the latest ones.
  while (events.length < count * 1.1 + 50) {
    events.push(...shoppingSession(rng, startMs, rng.chance(0.08) ? 'purchase' : 'browse'));
    startMs += rng.int(500, 6_000);
  }
  events.sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  return events.slice(0, count);
}

export interface RecordedBatch {
  /** The /v1/batch request body, as the client sent it. */
  body: string;
  events: number;
  bytes: number;
}

/** /v1/batch bodies, as a server-side SDK flushing every `eventsPerBatch` messages sends them. */
export function recordedBatches(seed: number, batches: number, eventsPerBatch = 100) {
  const events = generateEvents(seed, batches * eventsPerBatch);
  const out: RecordedBatch[] = [];
  for (let i = 0; i < events.length; i += eventsPerBatch) {
    const batch = events.slice(i, i + eventsPerBatch);
    const last = batch[batch.length - 1];
    const sentAt = new Date(Date.parse(last?.timestamp ?? '') + 1_500).toISOString();
    const body = JSON.stringify({ batch, sentAt });
    out.push({ body, events: batch.length, bytes: Buffer.byteLength(body, 'utf8') });
  }
  return out;
}

export interface FixtureRecord {
  partitionKey: string;
  data: Uint8Array;
}

/**
 * Stream records of about 500 bytes: each message as the stream carries it, with the
 * context a consumer keeps (ip, user agent, page path), partitioned by anonymousId.
 */
export function streamRecords(seed: number, count: number): FixtureRecord[] {
  return generateEvents(seed, count).map((event) => {
    const { context, properties, ...rest } = event;
    const compact = {
      ...rest,
      ...(properties ? { properties: compactProperties(properties) } : {}),
      context: { ip: context.ip, userAgent: context.userAgent, path: context.page.path },
    };
    return {
      partitionKey: event.anonymousId,
      data: Buffer.from(JSON.stringify(compact), 'utf8'),
    };
  });
}

/** Drops what a stream consumer does not need (urls, images, lists of products). */
function compactProperties(properties: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(properties)) {
    if (key === 'url' || key === 'image_url' || key === 'referrer' || key === 'title') continue;
    if (key === 'products' && Array.isArray(value)) out.product_count = value.length;
    else out[key] = value;
  }
  return out;
}
