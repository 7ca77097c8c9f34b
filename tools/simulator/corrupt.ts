/**
 * Invalid messages made on purpose, each one a mistake real integrations make and each
 * one known to break the event contract (shared/events), so the API must reject it.
 */
import type { Random } from './seeded-random.ts';
import type { TrackMessage } from './session.ts';

export type WireMessage = { messageId: string } & Record<string, unknown>;

interface Defect {
  name: string;
  applies: (message: TrackMessage) => boolean;
  apply: (message: WireMessage & { properties: Record<string, unknown> }) => void;
}

const PRODUCT_EVENTS = new Set(['Product Viewed', 'Product Added', 'Product Removed']);
const ORDER_EVENTS = new Set(['Checkout Started', 'Order Completed']);
const firstProduct = (properties: Record<string, unknown>) => {
  const products = properties.products;
  const first: unknown = Array.isArray(products) ? products[0] : undefined;
  return typeof first === 'object' && first !== null ? (first as Record<string, unknown>) : null;
};

const DEFECTS: readonly Defect[] = [
  {
    // The classic: a price taken from the page's text rather than the product's data.
    name: 'price sent as a string',
    applies: (m) => typeof m.properties.price === 'number',
    apply: (m) => void (m.properties.price = String(m.properties.price)),
  },
  {
    name: 'product price sent as a string',
    applies: (m) => typeof firstProduct(m.properties)?.price === 'number',
    apply: (m) => {
      const product = firstProduct(m.properties);
      if (product) product.price = `$${String(product.price)}`;
    },
  },
  {
    name: 'fractional quantity',
    applies: (m) => typeof m.properties.quantity === 'number',
    apply: (m) => void (m.properties.quantity = 1.5),
  },
  {
    name: 'currency symbol instead of ISO code',
    // Only order events declare currency; on product events it is a free-form extra.
    applies: (m) => ORDER_EVENTS.has(m.event),
    apply: (m) => void (m.properties.currency = 'US$'),
  },
  {
    name: 'missing product_id',
    applies: (m) => PRODUCT_EVENTS.has(m.event),
    apply: (m) => void delete m.properties.product_id,
  },
  {
    name: 'missing order_id',
    applies: (m) => m.event === 'Order Completed',
    apply: (m) => void delete m.properties.order_id,
  },
  {
    name: 'negative total',
    applies: (m) => typeof m.properties.total === 'number',
    apply: (m) => void (m.properties.total = -Math.abs(Number(m.properties.total)) - 1),
  },
  {
    name: 'no anonymousId or userId',
    applies: () => true,
    apply: (m) => {
      delete m.anonymousId;
      delete m.userId;
    },
  },
  {
    name: 'timestamp on a day that does not exist',
    applies: () => true,
    apply: (m) => void (m.timestamp = '2026-02-30T10:00:00.000Z'),
  },
];

/** A broken copy of the message (same messageId, so the API's rejection can be matched). */
export function corrupt(
  rng: Random,
  message: TrackMessage,
): { message: WireMessage; defect: string } {
  const defect = rng.pick(DEFECTS.filter((d) => d.applies(message)));
  const broken = JSON.parse(JSON.stringify(message)) as typeof message;
  defect.apply(broken);
  return { message: broken, defect: defect.name };
}
