import fc from 'fast-check';
import type {
  ClickstreamEvent,
  RejectedEvent,
  StreamRecord,
} from '../../../shared/event-contract/clickstream-event.ts';
import { bump, FigureSums } from './figures.ts';

/**
 * Random clickstreams for the property test, and the oracle: figures computed straight
 * from the unique events, with none of the domain's code. Money is generated as integer
 * micro-units (mostly whole cents) and only turned into a JSON number for the event, so
 * the oracle sums the integers it started from.
 */
export interface Who {
  anonymousId?: string;
  userId?: string;
}

export interface Line {
  productId?: string | number;
  priceMicros?: number;
  quantity?: number;
}

interface Amounts {
  currency?: string;
  revenueMicros?: number;
  totalMicros?: number;
}

export type Action =
  | {
      kind: 'product';
      name: 'Product Viewed' | 'Product Added' | 'Product Removed';
      productId?: string | number;
    }
  | { kind: 'checkout' }
  | ({ kind: 'order'; lines: Line[] } & Amounts)
  | ({ kind: 'refund' } & Amounts)
  | { kind: 'other'; name: string }
  | { kind: 'page' }
  | { kind: 'screen' }
  | { kind: 'identify' }
  | { kind: 'rejected' };

/** Where the event comes from; its context says so as each kind of SDK would fill it. */
export type Device = 'web' | 'ios' | 'android' | 'server';

const CONTEXTS: Record<Device, Record<string, unknown>> = {
  web: { userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0)', page: { path: '/' } },
  ios: { app: { version: '3.2.1' }, os: { name: 'iOS', version: '17.1' } },
  android: {
    app: { build: '30201' },
    os: { name: 'Android' },
    library: { name: 'analytics-kotlin' },
  },
  server: { library: { name: '@segment/analytics-node' } },
};

export interface EventSpec {
  who: Who;
  /** Absent: a server-side event with an empty context. */
  device?: Device;
  action: Action;
  /** The tumbling window the event arrives in. */
  window: number;
  /** How many records later each resend (same messageId) arrives. */
  resends: number[];
}

const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });

const who: fc.Arbitrary<Who> = fc.oneof(
  fc.nat(15).map((n) => ({ anonymousId: `anon-${n}` })),
  fc
    .tuple(fc.nat(15), fc.nat(5))
    .map(([a, u]) => ({ anonymousId: `anon-${a}`, userId: `user-${u}` })),
  fc.nat(5).map((u) => ({ userId: `user-${u}` })),
);
// Prototype member names and a numeric id (stored as its string form) among plain ids.
const productId = fc.constantFrom<string | number>(
  'p1',
  'p2',
  'p3',
  'p4',
  '__proto__',
  'constructor',
  7,
);
const micros = fc.oneof(
  fc.nat(100_000).map((cents) => cents * 10_000),
  fc.nat(10_000_000_000),
);
const amounts = fc.record({
  currency: optional(fc.constantFrom('USD', 'EUR', 'JPY', 'usd')),
  revenueMicros: optional(micros),
  totalMicros: optional(micros),
});
const line: fc.Arbitrary<Line> = fc.record({
  productId: optional(productId),
  priceMicros: optional(micros),
  quantity: optional(fc.nat(5)),
});

const action: fc.Arbitrary<Action> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('product' as const),
      name: fc.constantFrom(
        'Product Viewed' as const,
        'Product Added' as const,
        'Product Removed' as const,
      ),
      productId: optional(productId),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'checkout' as const }) },
  {
    weight: 2,
    arbitrary: fc
      .tuple(amounts, fc.array(line, { maxLength: 4 }))
      .map(([a, lines]) => ({ kind: 'order' as const, ...a, lines })),
  },
  { weight: 1, arbitrary: amounts.map((a) => ({ kind: 'refund' as const, ...a })) },
  {
    weight: 1,
    arbitrary: fc
      .constantFrom('Products Searched', 'Cart Viewed', 'Signed Up', 'toString', '__proto__')
      .map((name) => ({ kind: 'other' as const, name })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      { kind: 'page' as const },
      { kind: 'screen' as const },
      { kind: 'identify' as const },
      { kind: 'rejected' as const },
    ),
  },
);

export const eventSpecs = (windows: number) =>
  fc.array(
    fc.record({
      who,
      device: fc.constantFrom<Device>('web', 'ios', 'android', 'server'),
      action,
      window: fc.nat(windows - 1),
      resends: fc.array(fc.nat(10), { maxLength: 2 }),
    }),
    { maxLength: 120 },
  );

const toNumber = (value: number | undefined) => (value === undefined ? undefined : value / 1e6);

/** Leaves out undefined properties, as JSON on the stream would. */
function defined(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
}

const orderProperties = (a: Amounts, orderId: string) =>
  defined({
    order_id: orderId,
    currency: a.currency,
    revenue: toNumber(a.revenueMicros),
    total: toNumber(a.totalMicros),
  });

export function toRecord(spec: EventSpec, messageId: string): StreamRecord {
  const { action } = spec;
  const at = '2026-11-25T10:00:00.000Z';
  if (action.kind === 'rejected') {
    const row: RejectedEvent = {
      type: 'rejected',
      messageId,
      receivedAt: at,
      reasons: ['bad'],
      payload: {},
    };
    return spec.who.anonymousId === undefined ? row : { ...row, anonymousId: spec.who.anonymousId };
  }
  const base = {
    messageId,
    context: spec.device === undefined ? {} : { ...CONTEXTS[spec.device] },
    timestamp: at,
    receivedAt: at,
    ...defined({ ...spec.who }),
  };
  if (action.kind === 'page' || action.kind === 'screen' || action.kind === 'identify')
    return { ...base, type: action.kind };
  const track = (event: string, properties: Record<string, unknown>): ClickstreamEvent => ({
    ...base,
    type: 'track',
    event,
    properties,
  });
  switch (action.kind) {
    case 'product':
      return track(action.name, defined({ product_id: action.productId }));
    case 'checkout':
      return track('Checkout Started', {});
    case 'order': {
      const products = action.lines.map((l) =>
        defined({ product_id: l.productId, price: toNumber(l.priceMicros), quantity: l.quantity }),
      );
      return track('Order Completed', { ...orderProperties(action, messageId), products });
    }
    case 'refund':
      return track('Order Refunded', orderProperties(action, messageId));
    case 'other':
      return track(action.name, {});
  }
}

/** The stream's partition key, as the ingest API chooses it. */
export function partitionKey(spec: EventSpec, messageId: string): string {
  const key =
    spec.action.kind === 'rejected'
      ? (spec.who.anonymousId ?? messageId)
      : (spec.who.anonymousId ?? spec.who.userId);
  if (key === undefined) throw new Error('the generator always gives a user');
  return key;
}

function eventName(action: Exclude<Action, { kind: 'rejected' }>): string | undefined {
  switch (action.kind) {
    case 'product':
    case 'other':
      return action.name;
    case 'checkout':
      return 'Checkout Started';
    case 'order':
      return 'Order Completed';
    case 'refund':
      return 'Order Refunded';
    default:
      return undefined;
  }
}

const PRODUCT_COUNTERS = {
  'Product Viewed': ['productViews', 'views'],
  'Product Added': ['cartAdds', 'adds'],
  'Product Removed': ['cartRemoves', 'removes'],
} as const;

/** The figures of one window, from its unique events. */
export function oracle(specs: readonly EventSpec[]): FigureSums {
  const sums = new FigureSums();
  const users = new Set<string>();
  for (const { who: user, action, device = 'server' } of specs) {
    if (action.kind === 'rejected') {
      sums.count('rejected');
      continue;
    }
    sums.count('events');
    users.add(user.anonymousId ?? user.userId ?? '');
    const isTrack =
      action.kind !== 'page' && action.kind !== 'screen' && action.kind !== 'identify';
    bump(sums.byType, isTrack ? 'track' : action.kind, 1);
    bump(sums.byPlatform, device, 1);
    if (action.kind === 'page' || action.kind === 'screen') bump(sums.viewsByPlatform, device, 1);
    if (action.kind === 'order') bump(sums.ordersByPlatform, device, 1);
    const name = eventName(action);
    if (name !== undefined) bump(sums.byName, name, 1);
    const currency = 'currency' in action ? (action.currency?.toUpperCase() ?? 'XXX') : 'XXX';

    if (action.kind === 'product') {
      const [counter, productField] = PRODUCT_COUNTERS[action.name];
      sums.count(counter);
      if (action.productId !== undefined) sums.countProduct(String(action.productId), productField);
    } else if (action.kind === 'checkout') {
      sums.count('checkoutsStarted');
    } else if (action.kind === 'order') {
      sums.count('orders');
      const amount = action.revenueMicros ?? action.totalMicros;
      if (amount !== undefined) bump(sums.revenue, currency, BigInt(amount));
      for (const { productId, quantity = 1, priceMicros } of action.lines) {
        if (productId === undefined) continue;
        sums.countProduct(String(productId), 'purchases', quantity);
        if (priceMicros === undefined) continue;
        sums.addProductRevenue(String(productId), currency, BigInt(priceMicros) * BigInt(quantity));
      }
    } else if (action.kind === 'refund') {
      sums.count('refunds');
      const amount = action.totalMicros ?? action.revenueMicros;
      if (amount !== undefined) bump(sums.refundAmount, currency, BigInt(amount));
    }
  }
  sums.count('activeUsers', users.size);
  return sums;
}
