import { DIALECTS } from '../../../shared/warehouse-schema/dialect.ts';
import { loadObject } from '../../../shared/load/load-object.ts';
import { migrate } from '../../../shared/warehouse-schema/migrations.ts';
import { ENGINE_NAMES, startEngine, type Engine } from './engines.ts';
import { eventRow, eventsObject, metricsRow, ndjson, object, productRow } from './fixtures.ts';

describe.each(ENGINE_NAMES)('schema and views on %s', (engineName) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine(engineName);
  });
  afterAll(() => engine.close());
  const query = (sql: string) => engine.warehouse.query(sql).then((r) => r.rows);

  test('migrations apply in order, once', async () => {
    const first = await migrate(engine.warehouse, DIALECTS.postgres);
    const again = await migrate(engine.warehouse, DIALECTS.postgres);

    const all = [
      '001_tables',
      '002_views',
      '003_single_currency_revenue',
      '004_identity',
      '005_platform_metrics',
    ];
    expect(first).toEqual({ applied: all, skipped: [] });
    expect(again).toEqual({ applied: [], skipped: all });
    expect(await query('SELECT version, name FROM schema_migrations ORDER BY version')).toEqual([
      { version: 1, name: '001_tables' },
      { version: 2, name: '002_views' },
      { version: 3, name: '003_single_currency_revenue' },
      { version: 4, name: '004_identity' },
      { version: 5, name: '005_platform_metrics' },
    ]);
    const relations = await query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY table_name`,
    );
    expect(relations.map((r) => r.table_name)).toEqual([
      'bad_events',
      'events',
      'funnel',
      'group_members',
      'groups',
      'identifies',
      'identity_map',
      'loads',
      'metrics',
      'metrics_minute',
      'platform_minute',
      'product_metrics',
      'product_metrics_minute',
      'product_revenue_minute',
      'revenue_minute',
      'schema_migrations',
      'sessions',
      'users',
    ]);
  });

  test('a re-emitted metrics part replaces its row; the views sum shards and parts', async () => {
    const w = '2026-11-25T10:00:00.000Z';
    const first = ndjson([
      metricsRow(w, 'shard-0', 0, { productViews: 6, revenueByCurrency: { USD: '10.000000' } }),
      metricsRow(w, 'shard-0', 1, { productViews: 2, revenueByCurrency: { EUR: '5.500000' } }),
      metricsRow(w, 'shard-1', 0, { productViews: 3, activeUsersExact: false }),
      productRow(w, 'shard-0', 0, 'p-1', { views: 4 }),
      productRow(w, 'shard-1', 0, 'p-1', { views: 1, revenueByCurrency: { USD: '0.010000' } }),
    ]);
    // shard-0 part 1 again, with more figures (a retried window emitted a fuller tally).
    const reEmitted = ndjson([
      metricsRow(w, 'shard-0', 1, { productViews: 7, revenueByCurrency: { EUR: '6.000000' } }),
      productRow(w, 'shard-1', 0, 'p-1', { views: 9, revenueByCurrency: { USD: '0.020000' } }),
    ]);
    await loadObject(engine.warehouse, object('metrics/1', 'metrics', first));
    const second = await loadObject(engine.warehouse, object('metrics/2', 'metrics', reEmitted));

    expect(second.counts).toMatchObject({ metrics: 1, product_metrics: 1 });
    expect(await query(`SELECT count(*)::int AS n FROM metrics`)).toEqual([{ n: 3 }]);
    expect(
      await query(
        `SELECT views::int, add_to_carts::int, orders::int, active_users::int, active_users_exact, shards::int FROM metrics_minute`,
      ),
    ).toEqual([
      {
        views: 16,
        add_to_carts: 9,
        orders: 3,
        active_users: 12,
        active_users_exact: false,
        shards: 2,
      },
    ]);
    expect(
      await query(`SELECT currency, revenue::text FROM revenue_minute ORDER BY currency`),
    ).toEqual([
      { currency: 'EUR', revenue: '6.000000' },
      { currency: 'USD', revenue: '29.990000' },
    ]);
    expect(
      await query(`SELECT product_id, views::int, purchases::int FROM product_metrics_minute`),
    ).toEqual([{ product_id: 'p-1', views: 13, purchases: 2 }]);
    expect(await query(`SELECT currency, revenue::text FROM product_revenue_minute`)).toEqual([
      { currency: 'USD', revenue: '20.010000' },
    ]);
    // One figure per minute only where it means something: a minute with euros and dollars
    // has no single revenue; the product's minute, all in dollars, has.
    expect(await query(`SELECT revenue, currency FROM metrics_minute`)).toEqual([
      { revenue: null, currency: null },
    ]);
    expect(await query(`SELECT revenue::text, currency FROM product_metrics_minute`)).toEqual([
      { revenue: '20.010000', currency: 'USD' },
    ]);
  });

  test('platform_minute sums events, views (pages and screens) and orders per platform over shards and parts', async () => {
    const w = '2026-11-25T11:00:00.000Z';
    await loadObject(
      engine.warehouse,
      object(
        'metrics/platform',
        'metrics',
        ndjson([
          metricsRow(w, 'shard-0', 0, {
            eventsByPlatform: { web: 6, ios: 3 },
            viewsByPlatform: { web: 2, ios: 2 },
            ordersByPlatform: { ios: 1 },
          }),
          metricsRow(w, 'shard-1', 0, {
            eventsByPlatform: { android: 4, web: 1 },
            viewsByPlatform: { android: 3 },
            ordersByPlatform: {},
          }),
        ]),
      ),
    );
    expect(
      await query(
        `SELECT platform, events::int, views::int, orders::int FROM platform_minute
         WHERE window_start = '${w}' ORDER BY platform`,
      ),
    ).toEqual([
      { platform: 'android', events: 4, views: 3, orders: 0 },
      { platform: 'ios', events: 3, views: 2, orders: 1 },
      { platform: 'web', events: 7, views: 2, orders: 0 },
    ]);
  });

  test('sessions split a visitor at gaps of more than 30 minutes', async () => {
    const at = (minutes: number) =>
      new Date(Date.parse('2026-11-25T08:00:00.000Z') + minutes * 60_000).toISOString();
    const page = (id: string, m: number) =>
      eventRow(id, at(m), { type: 'page', name: 'Home', event: undefined, anonymousId: 's-1' });
    const view = (id: string, m: number, product: string) =>
      eventRow(id, at(m), {
        anonymousId: 's-1',
        properties: { product_id: product, price: 5 },
      });
    const order = (id: string, m: number) =>
      eventRow(id, at(m), {
        event: 'Order Completed',
        anonymousId: 's-1',
        properties: { order_id: 'o-1', revenue: 25.5, currency: 'USD' },
      });
    await loadObject(
      engine.warehouse,
      eventsObject('sessions/1', [
        page('s-a', 0),
        view('s-b', 10, 'p-1'),
        view('s-c', 40, 'p-2'), // exactly 30 minutes after the last: same session
        view('s-d', 40.5, 'p-2'),
        page('s-e', 71), // 30.5 minutes later: a new session
        order('s-f', 75),
        eventRow('s-g', at(0), { anonymousId: 's-2' }),
      ]),
    );

    const sessions = await query(
      `SELECT anonymous_id, session_number::int AS n, session_start, session_end, events::int,
         pages::int, products_viewed::int, converted, revenue::text
       FROM sessions WHERE anonymous_id IN ('s-1', 's-2') ORDER BY anonymous_id, session_number`,
    );
    expect(
      sessions.map((s) => ({
        ...s,
        session_start: iso(s.session_start),
        session_end: iso(s.session_end),
      })),
    ).toEqual([
      {
        anonymous_id: 's-1',
        n: 1,
        session_start: at(0),
        session_end: at(40.5),
        events: 4,
        pages: 1,
        products_viewed: 2,
        converted: false,
        revenue: '0',
      },
      {
        anonymous_id: 's-1',
        n: 2,
        session_start: at(71),
        session_end: at(75),
        events: 2,
        pages: 1,
        products_viewed: 0,
        converted: true,
        revenue: '25.500000',
      },
      {
        anonymous_id: 's-2',
        n: 1,
        session_start: at(0),
        session_end: at(0),
        events: 1,
        pages: 0,
        products_viewed: 1,
        converted: false,
        revenue: '0',
      },
    ]);
  });
});

const iso = (value: unknown) =>
  new Date(String(value instanceof Date ? value.toISOString() : value)).toISOString();
