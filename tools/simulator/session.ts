/**
 * One shopper's visit, walked down the funnel as analytics.js would report it: each step
 * is a track call, and at each step the shopper may leave with the configured probability.
 * Money is added up in cents so that the order's fields agree to the cent.
 */
import {
  CATALOGUE,
  categoryPage,
  popularProduct,
  SHOP_ORIGIN,
  type Catalogue,
  type Product,
} from './catalogue.ts';
import { toAmount, type Currency } from './cents.ts';
import type { Abandonment } from './options.ts';
import type { Random } from './seeded-random.ts';
import type { Shopper } from './shoppers.ts';

export type TrackMessage = {
  type: 'track';
  event: string;
  messageId: string;
  anonymousId: string;
  userId?: string;
  timestamp: string;
  sentAt: string;
  properties: Record<string, unknown>;
  context: Record<string, unknown>;
};

/** What an app shopper sends besides track calls: a screen per view, an alias at sign-in. */
export type AppMessage = {
  type: 'screen' | 'alias';
  name?: string;
  previousId?: string;
  messageId: string;
  anonymousId: string;
  userId?: string;
  timestamp: string;
  sentAt: string;
  properties?: Record<string, unknown>;
  context: Record<string, unknown>;
};

type Envelope = Pick<
  TrackMessage,
  'messageId' | 'anonymousId' | 'userId' | 'timestamp' | 'sentAt' | 'context'
>;

/**
 * One step of a visit: the true moment the browser sends it (before any clock skew), and
 * its message, built on demand. Every random draw happens in the walk, so building (or not
 * building: warm-up steps, funnel statistics) never changes what a seed produces.
 */
export interface SessionEvent {
  atMs: number;
  /** The track event's name; "(screen) <name>" or "(alias)" for an app's other calls. */
  event: string;
  message: () => TrackMessage | AppMessage;
}

interface CartLine {
  product: Product;
  quantity: number;
}

/** Prices are shown with VAT/GST included in these currencies; US and Canada add tax at checkout. */
const TAX_RATE: Record<Currency, number> = { USD: 0.0825, CAD: 0.13, EUR: 0, GBP: 0, AUD: 0 };
const FREE_SHIPPING_CENTS = 7_500;
const SHIPPING_CENTS = 595;
const LIBRARY = { name: 'analytics.js', version: 'next-1.76.0' };
const REFERRERS = [
  'https://www.google.com/',
  'https://www.instagram.com/',
  '',
  'https://duckduckgo.com/',
];

/** Built field by field: object rest/spread here was most of the simulator's run time. */
export function productProperties(
  product: Product,
  currency: Currency,
  extra?: Record<string, unknown>,
): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    product_id: product.product_id,
    sku: product.sku,
    category: product.category,
    name: product.name,
    brand: product.brand,
    variant: product.variant,
    price: toAmount(product.priceCents[currency]),
    currency,
    url: product.url,
    image_url: product.image_url,
  };
  if (extra) for (const key in extra) properties[key] = extra[key];
  return properties;
}

function priceOrder(lines: readonly CartLine[], currency: Currency, couponPercent: number) {
  const subtotal = lines.reduce((sum, l) => sum + l.product.priceCents[currency] * l.quantity, 0);
  const discount = Math.round((subtotal * couponPercent) / 100);
  const revenue = subtotal - discount;
  const shipping = revenue >= FREE_SHIPPING_CENTS ? 0 : SHIPPING_CENTS;
  const tax = Math.round(revenue * TAX_RATE[currency]);
  return {
    subtotal: toAmount(subtotal),
    discount: toAmount(discount),
    revenue: toAmount(revenue),
    shipping: toAmount(shipping),
    tax: toAmount(tax),
    total: toAmount(revenue + shipping + tax),
  };
}

/** A copy of a context whose values are scalars or flat objects (each message owns its own). */
function twoLevelCopy(context: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const key in context) {
    const value = context[key];
    copy[key] = typeof value === 'object' && value !== null ? { ...value } : value;
  }
  return copy;
}

/** All of one visit's messages, in order; an empty funnel tail means the shopper left. */
export function walkSession(
  rng: Random,
  shopper: Shopper,
  startMs: number,
  abandonment: Abandonment,
  catalogue: Catalogue = CATALOGUE,
): SessionEvent[] {
  const events: SessionEvent[] = [];
  const { currency } = shopper;
  let clockMs = startMs;
  let page = { url: SHOP_ORIGIN, path: '/', referrer: rng.pick(REFERRERS), title: 'Home' };
  const { app } = shopper;
  // An app's SDK sends its own context (app, device, os, ...) and no page; a browser's, the page.
  const contextOf = (shown: typeof page) => {
    const { userAgent, ip, locale, timezone } = shopper;
    return app
      ? { ip, locale, timezone, ...twoLevelCopy(app.context) }
      : { ip, userAgent, locale, timezone, library: { ...LIBRARY }, page: { ...shown } };
  };
  /**
   * One message `after` ms from the last, sent a little later (SDKs queue and flush in
   * batches); `after` is at least the longest send delay, so a visit's sends stay in order.
   */
  const send = (
    after: number,
    event: string,
    build: (envelope: Envelope) => TrackMessage | AppMessage,
  ) => {
    clockMs += after;
    const skewed = clockMs + shopper.clockSkewMs;
    const sendDelay = rng.int(20, 1_500);
    const { anonymousId, userId } = shopper;
    const messageId = `${app ? app.platform : 'ajs-next'}-${rng.uuid()}`;
    const shown = page;
    events.push({
      atMs: clockMs + sendDelay,
      event,
      message: () =>
        build({
          messageId,
          anonymousId,
          ...(userId === undefined ? {} : { userId }),
          timestamp: new Date(skewed).toISOString(),
          sentAt: new Date(skewed + sendDelay).toISOString(),
          context: contextOf(shown),
        }),
    });
  };
  const visit = (path: string, title: string) => {
    page = { url: `${SHOP_ORIGIN}${path}`, path, referrer: page.url, title };
    // An app reports each view as a screen; a website's views are in its track calls' page.
    if (app)
      send(rng.int(1_500, 4_000), `(screen) ${title}`, (e) => ({
        ...e,
        type: 'screen',
        name: title,
        properties: { path },
      }));
  };
  const track = (event: string, properties: () => Record<string, unknown>) => {
    // Reading, scrolling, deciding.
    send(rng.int(2_000, 30_000), event, (e) => ({
      ...e,
      type: 'track',
      event,
      properties: properties(),
    }));
  };

  const category = popularProduct(rng, catalogue).category;
  const listId = category.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  visit(`/c/${listId}`, category);
  const listed = categoryPage(catalogue, category);
  track('Product List Viewed', () => ({
    list_id: listId,
    category,
    products: listed.map((p, i) => productProperties(p, currency, { position: i + 1 })),
  }));
  if (rng.chance(abandonment.afterList)) return events;

  const viewed: Product[] = [];
  do {
    // Mostly within the category browsed; sometimes a recommendation from elsewhere.
    const product = popularProduct(rng, catalogue, rng.chance(0.85) ? category : undefined);
    viewed.push(product);
    visit(product.url.slice(SHOP_ORIGIN.length), product.name);
    track('Product Viewed', () => productProperties(product, currency));
  } while (viewed.length < 6 && rng.chance(0.45));
  if (rng.chance(abandonment.afterProduct)) return events;

  const cartId = rng.uuid();
  const lines: CartLine[] = [];
  for (const product of rng.shuffle([...new Set(viewed)])) {
    if (lines.length > 0 && !rng.chance(0.3)) break;
    const quantity = rng.chance(0.8) ? 1 : rng.int(2, 3);
    lines.push({ product, quantity });
    track('Product Added', () =>
      productProperties(product, currency, { cart_id: cartId, quantity }),
    );
  }
  if (rng.chance(abandonment.afterAdd)) return events;

  const productsOf = (cart: readonly CartLine[]) =>
    cart.map((l) => productProperties(l.product, currency, { quantity: l.quantity }));
  const viewedCart = [...lines];
  visit('/cart', 'Your cart');
  track('Cart Viewed', () => ({ cart_id: cartId, products: productsOf(viewedCart) }));
  // Removing only from carts of two or more keeps the cart non-empty, so the abandonment
  // probability alone decides whether checkout starts.
  if (lines.length >= 2 && rng.chance(0.2)) {
    const [removed] = lines.splice(rng.int(0, lines.length - 1), 1);
    if (removed) {
      const { product, quantity } = removed;
      track('Product Removed', () =>
        productProperties(product, currency, { cart_id: cartId, quantity }),
      );
    }
  }
  if (rng.chance(abandonment.afterCart)) return events;

  // Some shoppers sign in to check out; from here on their events carry a userId.
  if (rng.chance(0.4)) {
    shopper.userId = `user-${rng.int(100_000, 999_999)}`;
    // The app joins its anonymous history to the account (Segment's alias at sign-up).
    const { anonymousId, userId } = shopper;
    if (app)
      send(rng.int(1_500, 3_000), '(alias)', (e) => ({
        ...e,
        type: 'alias',
        previousId: anonymousId,
        userId,
      }));
  }
  const orderId = `${rng.int(10, 99)}-${rng.int(1_000_000, 9_999_999)}`;
  const coupon = rng.chance(0.15) ? 'WELCOME10' : undefined;
  const ordered = [...lines];
  const order = () => ({
    order_id: orderId,
    ...priceOrder(ordered, currency, coupon ? 10 : 0),
    ...(coupon ? { coupon } : {}),
    currency,
    products: productsOf(ordered),
  });
  visit('/checkout', 'Checkout');
  track('Checkout Started', () => {
    const started = order();
    return { ...started, value: started.revenue };
  });
  if (rng.chance(abandonment.afterCheckout)) return events;

  visit('/checkout/confirmation', 'Thank you');
  track('Order Completed', () => ({
    ...order(),
    checkout_id: cartId,
    affiliation: 'Online Store',
  }));
  return events;
}
