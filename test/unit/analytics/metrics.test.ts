import { funnelRates } from '../../../shared/analytics/metric-rows.ts';
import type { StreamRecord } from '../../../shared/event-contract/clickstream-event.ts';
import {
  identify,
  metricsOf,
  page,
  productRow,
  rejected,
  rowsOf,
  track,
  WINDOW,
} from './fixtures.ts';

describe('events by type and name', () => {
  it('counts every valid event once, track events also by name, e-commerce or not', () => {
    const metrics = metricsOf([
      track('Product Viewed', { product_id: 'p1' }),
      track('Product Viewed', { product_id: 'p2' }),
      track('Signed Up'),
      page(),
      identify(),
    ]);
    expect(metrics.events).toBe(5);
    expect(metrics.eventsByType).toEqual({ track: 3, page: 1, identify: 1 });
    expect(metrics.eventsByName).toEqual({ 'Product Viewed': 2, 'Signed Up': 1 });
  });

  it('counts screens as views beside pages, and events, views and orders per platform', () => {
    const ios = { app: { version: '3.2.1' }, os: { name: 'iOS' } };
    const android = { app: {}, os: { name: 'Android' } };
    const web = { userAgent: 'Mozilla/5.0', page: { path: '/' } };
    const on = <T extends { context: Record<string, unknown> }>(context: object, event: T): T => ({
      ...event,
      context: { ...context },
    });
    const metrics = metricsOf([
      on(ios, { ...page(), type: 'screen' as const, name: 'Cart' }),
      on(ios, { ...page(), type: 'screen' as const, name: 'Home' }),
      on(ios, track('Order Completed', { order_id: 'o1', revenue: 5, currency: 'USD' })),
      on(android, { ...page(), type: 'screen' as const }),
      on(web, page()),
      on(web, track('Product Viewed', { product_id: 'p1' })),
      identify(), // a server-side call: no browser or app context
    ]);
    expect(metrics.eventsByType).toEqual({ screen: 3, track: 2, page: 1, identify: 1 });
    expect(metrics.eventsByPlatform).toEqual({ ios: 3, android: 1, web: 2, server: 1 });
    expect(metrics.viewsByPlatform).toEqual({ ios: 2, android: 1, web: 1 });
    expect(metrics.ordersByPlatform).toEqual({ ios: 1 });
  });

  it('counts rejected records apart, not as events', () => {
    const metrics = metricsOf([rejected(), rejected({ anonymousId: 'anon-9' }), page()]);
    expect(metrics).toMatchObject({ events: 1, rejectedEvents: 2, activeUsers: 1 });
  });

  it('takes names that are Object.prototype members as plain names', () => {
    const metrics = metricsOf([track('__proto__'), track('__proto__'), track('constructor')]);
    expect(Object.entries(metrics.eventsByName)).toEqual([
      ['__proto__', 2],
      ['constructor', 1],
    ]);
  });
});

describe('funnel counts', () => {
  it.each([
    ['Product Viewed', { product_id: 'p1' }, 'productViews'],
    ['Product Added', { product_id: 'p1' }, 'cartAdds'],
    ['Product Removed', { product_id: 'p1' }, 'cartRemoves'],
    ['Checkout Started', { order_id: 'o1' }, 'checkoutsStarted'],
    ['Order Completed', { order_id: 'o1' }, 'orders'],
    ['Order Refunded', { order_id: 'o1' }, 'refunds'],
  ] as const)('%s with %j counts in %s', (name, properties, field) => {
    const metrics = metricsOf([track(name, properties), track(name, properties)]);
    expect(metrics[field]).toBe(2);
    const others = ['productViews', 'cartAdds', 'cartRemoves', 'checkoutsStarted', 'orders'];
    for (const other of others.filter((f) => f !== field)) {
      expect(metrics[other as typeof field]).toBe(0);
    }
  });

  it('rates are derived from summed counts at read time, null when nothing entered', () => {
    const counts = { productViews: 8, cartAdds: 4, checkoutsStarted: 2, orders: 1 };
    expect(funnelRates(counts)).toEqual({
      viewToAdd: 0.5,
      addToCheckout: 0.5,
      checkoutToOrder: 0.5,
      viewToOrder: 0.125,
    });
    expect(funnelRates({ ...counts, checkoutsStarted: 0 }).checkoutToOrder).toBeNull();
  });
});

describe('revenue and refunds, by currency, exact', () => {
  const order = (properties: Record<string, unknown>) =>
    track('Order Completed', { order_id: 'o', ...properties });

  it.each([
    [
      'revenue over total',
      [order({ revenue: 10, total: 12, currency: 'USD' })],
      { USD: '10.000000' },
    ],
    ['total when no revenue', [order({ total: 12.5, currency: 'EUR' })], { EUR: '12.500000' }],
    ['nothing when neither', [order({ currency: 'USD' })], {}],
    ['"XXX" when no currency', [order({ revenue: 3 })], { XXX: '3.000000' }],
    [
      'lower-case currency upper-cased',
      [order({ revenue: 3, currency: 'eur' })],
      { EUR: '3.000000' },
    ],
    [
      'currencies apart',
      [order({ revenue: 1.5, currency: 'USD' }), order({ revenue: 100, currency: 'JPY' })],
      { USD: '1.500000', JPY: '100.000000' },
    ],
    [
      'cents without drift (0.1 + 0.2)',
      [order({ revenue: 0.1, currency: 'USD' }), order({ revenue: 0.2, currency: 'USD' })],
      { USD: '0.300000' },
    ],
    [
      'no precision lost past 2^53 micro-units',
      [
        order({ revenue: 9_007_199_254, currency: 'USD' }),
        order({ revenue: 0.01, currency: 'USD' }),
      ],
      { USD: '9007199254.010000' },
    ],
    ['a bad amount is absent, not 0 or NaN', [order({ revenue: 'lots', total: -1 })], {}],
  ])('%s', (_, records, expected) => {
    const metrics = metricsOf(records);
    expect(metrics.revenueByCurrency).toEqual(expected);
    expect(metrics.orders).toBe(records.length);
  });

  it('sums many small amounts exactly where floats would drift', () => {
    const records = Array.from({ length: 1000 }, () => order({ revenue: 0.01, currency: 'USD' }));
    expect(metricsOf(records).revenueByCurrency).toEqual({ USD: '10.000000' });
    expect(
      Array(1000)
        .fill(0.01)
        .reduce((a: number, b: number) => a + b),
    ).not.toBe(10);
  });

  it('refunds: count, and amount from total else revenue, by currency', () => {
    const metrics = metricsOf([
      track('Order Refunded', { order_id: 'o1', total: 30.25, revenue: 25, currency: 'USD' }),
      track('Order Refunded', { order_id: 'o2', revenue: 5, currency: 'USD' }),
      track('Order Refunded', { order_id: 'o3' }),
    ]);
    expect(metrics.refunds).toBe(3);
    expect(metrics.refundAmountByCurrency).toEqual({ USD: '35.250000' });
    expect(metrics.revenueByCurrency).toEqual({});
  });
});

describe('per product', () => {
  const records: StreamRecord[] = [
    track('Product Viewed', { product_id: 'p1' }),
    track('Product Viewed', { product_id: 'p1' }),
    track('Product Added', { product_id: 'p1', price: 9.99 }),
    track('Product Removed', { product_id: 'p1' }),
    track('Product Viewed', { product_id: 42 }),
    track('Product Viewed', { sku: 'no-id' }),
    track('Order Completed', {
      order_id: 'o1',
      currency: 'USD',
      revenue: 100,
      products: [
        { product_id: 'p1', price: 19.99, quantity: 3 },
        { product_id: 'p2', price: 0.1 },
        { product_id: 'p2', price: 0.2, quantity: 0 },
        { product_id: 'p3', quantity: 2 },
        { sku: 'no-id', price: 5 },
        'not a product',
      ],
    }),
    track('Order Completed', { order_id: 'o2', products: [{ product_id: 'p1', price: 1 }] }),
  ];

  it.each([
    [
      'p1',
      {
        views: 2,
        adds: 1,
        removes: 1,
        purchases: 4,
        revenueByCurrency: { USD: '59.970000', XXX: '1.000000' },
      },
    ],
    ['p2', { views: 0, adds: 0, removes: 0, purchases: 1, revenueByCurrency: { USD: '0.100000' } }],
    ['p3', { views: 0, adds: 0, removes: 0, purchases: 2, revenueByCurrency: {} }],
    ['42', { views: 1, adds: 0, removes: 0, purchases: 0, revenueByCurrency: {} }],
  ])('%s', (productId, expected) => {
    expect(productRow(records, productId)).toEqual({ ...WINDOW, part: 1, productId, ...expected });
  });

  it('lines without a product_id count in the order, not per product', () => {
    const { metrics, products } = rowsOf(records);
    expect(products.map((row) => row.productId).sort()).toEqual(['42', 'p1', 'p2', 'p3']);
    expect(metrics.productViews).toBe(4);
    expect(metrics.revenueByCurrency).toEqual({ USD: '100.000000' });
  });

  it('keeps "__proto__" as a product id like any other', () => {
    const row = productRow([track('Product Added', { product_id: '__proto__' })], '__proto__');
    expect(row?.adds).toBe(1);
  });
});

describe('active users', () => {
  it('are distinct anonymousIds, else userIds', () => {
    const metrics = metricsOf([
      page({ anonymousId: 'a1' }),
      page({ anonymousId: 'a1', userId: 'u1' }),
      page({ anonymousId: undefined, userId: 'u1' }),
      page({ anonymousId: undefined, userId: 'u2' }),
      page({ anonymousId: 'a2' }),
      rejected({ anonymousId: 'a3' }),
    ]);
    expect(metrics.activeUsers).toBe(4);
    expect(metrics.activeUsersExact).toBe(true);
  });
});

describe('rows', () => {
  it('carry the window, the shard and the part, so a re-emission replaces them', () => {
    const { metrics, products } = rowsOf([track('Product Viewed', { product_id: 'p1' })]);
    expect(metrics).toMatchObject({ ...WINDOW, part: 1 });
    expect(products).toEqual([expect.objectContaining({ ...WINDOW, part: 1, productId: 'p1' })]);
  });

  it('an empty window emits zeros and no product rows', () => {
    const { metrics, products } = rowsOf([]);
    expect(metrics).toMatchObject({ events: 0, activeUsers: 0, revenueByCurrency: {} });
    expect(products).toEqual([]);
  });
});
