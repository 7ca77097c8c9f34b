import { SqlDashboardReader } from '../../../shared/dashboard/reader.ts';
import { DIALECTS } from '../../../shared/warehouse-schema/dialect.ts';
import { loadObject } from '../../../shared/load/load-object.ts';
import { migrate } from '../../../shared/warehouse-schema/migrations.ts';
import { ENGINE_NAMES, startEngine, type Engine } from '../warehouse/engines.ts';
import {
  eventRow,
  eventsObject,
  metricsRow,
  ndjson,
  object,
  productRow,
} from '../warehouse/fixtures.ts';

/**
 * The dashboard's reader on both local warehouses (PGlite in process, the machine's
 * PostgreSQL), each in a schema of its own: known rows in, exact figures out.
 */
const W1 = '2026-11-25T10:00:00.000Z';
const W2 = '2026-11-25T10:01:00.000Z';
const OLD = '2026-11-25T08:00:00.000Z'; // more than an hour before the newest window
const NOW = new Date('2026-11-25T10:02:30.000Z');

const metrics = [
  metricsRow(W1, 'shard-0', 0, {
    events: 10,
    rejectedEvents: 1,
    eventsByType: { track: 8, page: 2 },
    eventsByName: { 'Product Viewed': 5, 'Product Added': 2, 'Order Completed': 1 },
    eventsByPlatform: { web: 7, ios: 3 },
    viewsByPlatform: { web: 3, ios: 2 },
    ordersByPlatform: { web: 1 },
    productViews: 5,
    cartAdds: 2,
    checkoutsStarted: 1,
    orders: 1,
    revenueByCurrency: { USD: '19.990000' },
    activeUsers: 3,
  }),
  metricsRow(W1, 'shard-1', 0, {
    events: 4,
    rejectedEvents: 0,
    eventsByType: { track: 4 },
    eventsByName: { 'Product Viewed': 3, 'Checkout Started': 1 },
    eventsByPlatform: { android: 4 },
    viewsByPlatform: { android: 3 },
    ordersByPlatform: {},
    productViews: 3,
    cartAdds: 0,
    checkoutsStarted: 1,
    orders: 0,
    revenueByCurrency: {},
    activeUsers: 2,
  }),
  metricsRow(W2, 'shard-0', 0, {
    events: 6,
    rejectedEvents: 2,
    eventsByType: { track: 5, identify: 1 },
    eventsByName: { 'Product Viewed': 2, 'Product Added': 1, 'Order Completed': 2 },
    eventsByPlatform: { web: 6 },
    viewsByPlatform: { web: 2 },
    ordersByPlatform: { web: 2 },
    productViews: 2,
    cartAdds: 1,
    checkoutsStarted: 0,
    orders: 2,
    revenueByCurrency: { USD: '30.010000', EUR: '5.500000' },
    activeUsers: 2,
  }),
  // A second part of the same window; an event name that is also an Object.prototype member.
  metricsRow(W2, 'shard-0', 1, {
    events: 1,
    rejectedEvents: 0,
    eventsByType: { track: 1 },
    eventsByName: { constructor: 1 },
    eventsByPlatform: { server: 1 },
    ordersByPlatform: {},
    productViews: 0,
    cartAdds: 0,
    checkoutsStarted: 0,
    orders: 0,
    revenueByCurrency: {},
    activeUsers: 1,
  }),
  metricsRow(OLD, 'shard-0', 0, { events: 100, orders: 50, activeUsers: 40 }),
];

const products = [
  productRow(W1, 'shard-0', 0, 'p-1', { views: 4, adds: 1, purchases: 1 }),
  productRow(W1, 'shard-1', 0, 'p-2', { views: 4, adds: 1, purchases: 0, revenueByCurrency: {} }),
  productRow(W2, 'shard-0', 0, 'p-1', {
    views: 1,
    adds: 1,
    purchases: 2,
    revenueByCurrency: { USD: '30.010000' },
  }),
  productRow(W2, 'shard-0', 0, 'p-3', {
    views: 1,
    adds: 0,
    purchases: 1,
    revenueByCurrency: { EUR: '5.500000' },
  }),
  productRow(OLD, 'shard-0', 0, 'p-9', { purchases: 50 }),
];

const at = (iso: string, seconds: number) =>
  new Date(Date.parse(iso) + seconds * 1000).toISOString();
const events = [
  eventRow('e-1', at(W1, 5), {
    anonymousId: 'a-1',
    properties: { product_id: 'p-1', name: 'Yoga Mat', price: 19.99 },
  }),
  eventRow('e-2', at(W1, 6), { anonymousId: 'a-2' }),
  eventRow('e-3', at(W2, 7), { anonymousId: 'a-1' }),
  eventRow('e-4', at(W2, 8), { anonymousId: undefined, userId: 'u-1' }),
  eventRow('e-5', at(OLD, 1), { anonymousId: 'a-old' }),
  eventRow('e-6', at(W2, 9), {
    anonymousId: 'a-3',
    properties: { product_id: 'p-3', name: 'Tea Pot', price: 5.5 },
  }),
];

describe.each(ENGINE_NAMES)('the dashboard reader on %s', (engineName) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine(engineName);
    await migrate(engine.warehouse, DIALECTS.postgres);
  });
  afterAll(() => engine.close());

  test('an empty warehouse gives empty figures, not an error', async () => {
    const figures = await new SqlDashboardReader(engine.warehouse, () => NOW).figures();
    expect(figures).toEqual({
      generatedAt: NOW.toISOString(),
      period: { start: null, end: null, minutes: 60, windows: 0 },
      totals: { events: 0, badEvents: 0, orders: 0, activeUsers: 0, revenue: [], conversion: null },
      funnel: [
        { step: 'viewed', label: 'Product viewed', count: 0, fromPrevious: null, fromFirst: null },
        { step: 'added', label: 'Added to cart', count: 0, fromPrevious: null, fromFirst: null },
        {
          step: 'checkout',
          label: 'Checkout started',
          count: 0,
          fromPrevious: null,
          fromFirst: null,
        },
        {
          step: 'ordered',
          label: 'Order completed',
          count: 0,
          fromPrevious: null,
          fromFirst: null,
        },
      ],
      eventKinds: [],
      windows: [],
      platforms: [],
      topProducts: [],
    });
  });

  test('the last hour of windows, summed over shards and parts, exactly', async () => {
    await loadObject(engine.warehouse, object('metrics/1', 'metrics', ndjson(metrics)));
    await loadObject(engine.warehouse, object('metrics/2', 'metrics', ndjson(products)));
    await loadObject(engine.warehouse, eventsObject('events/1', events));

    const figures = await new SqlDashboardReader(engine.warehouse, () => NOW).figures();

    expect(figures.period).toEqual({
      start: '2026-11-25T09:02:00.000Z',
      end: '2026-11-25T10:02:00.000Z',
      minutes: 60,
      windows: 2,
    });
    expect(figures.totals).toEqual({
      events: 21,
      badEvents: 3,
      orders: 3,
      activeUsers: 4, // a-1, a-2, a-3 and u-1 (by userId); a-old is outside the hour
      revenue: [
        { currency: 'USD', amount: '50.000000' },
        { currency: 'EUR', amount: '5.500000' },
      ],
      conversion: 3 / 10,
    });
    expect(figures.funnel.map((s) => [s.step, s.count, s.fromPrevious, s.fromFirst])).toEqual([
      ['viewed', 10, null, 1],
      ['added', 3, 3 / 10, 3 / 10],
      ['checkout', 2, 2 / 3, 2 / 10],
      ['ordered', 3, 3 / 2, 3 / 10],
    ]);
    expect(figures.eventKinds).toEqual([
      'Product Viewed',
      'Order Completed', // 3, as many as Product Added: ties go by name
      'Product Added',
      'page',
      'Checkout Started',
      'constructor',
      'identify',
    ]);
    expect(figures.windows).toEqual([
      {
        windowStart: W1,
        events: 14,
        badEvents: 1,
        views: 8,
        addToCarts: 2,
        checkouts: 2,
        orders: 1,
        activeUsers: 5,
        revenue: [{ currency: 'USD', amount: '19.990000' }],
        byKind: [8, 1, 2, 2, 1, 0, 0],
      },
      {
        windowStart: W2,
        events: 7,
        badEvents: 2,
        views: 2,
        addToCarts: 1,
        checkouts: 0,
        orders: 2,
        activeUsers: 3,
        revenue: [
          { currency: 'EUR', amount: '5.500000' },
          { currency: 'USD', amount: '30.010000' },
        ],
        byKind: [2, 2, 1, 0, 0, 1, 1],
      },
    ]);
    // Web and app side by side; the window outside the hour (web, 100 events) is left out.
    expect(figures.platforms).toEqual([
      { platform: 'web', events: 13, views: 5, orders: 3 },
      { platform: 'android', events: 4, views: 3, orders: 0 },
      { platform: 'ios', events: 3, views: 2, orders: 0 },
      { platform: 'server', events: 1, views: 0, orders: 0 },
    ]);
    expect(figures.topProducts).toEqual([
      {
        productId: 'p-1',
        name: 'Yoga Mat',
        views: 5,
        addToCarts: 2,
        purchases: 3,
        revenue: [{ currency: 'USD', amount: '50.000000' }],
      },
      {
        productId: 'p-3',
        name: 'Tea Pot',
        views: 1,
        addToCarts: 0,
        purchases: 1,
        revenue: [{ currency: 'EUR', amount: '5.500000' }],
      },
      { productId: 'p-2', name: null, views: 4, addToCarts: 1, purchases: 0, revenue: [] },
    ]);
  });

  test('a longer period takes in older windows; the top list is cut at its limit', async () => {
    const reader = new SqlDashboardReader(engine.warehouse, () => NOW);
    const figures = await reader.figures({ minutes: 180, topProducts: 1 });
    expect(figures.period.windows).toBe(3);
    expect(figures.totals.orders).toBe(53);
    expect(figures.totals.activeUsers).toBe(5);
    expect(figures.topProducts.map((p) => [p.productId, p.purchases])).toEqual([['p-9', 50]]);
  });
});
