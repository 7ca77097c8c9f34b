import type { ClickstreamEvent } from '../../../shared/event-contract/clickstream-event.ts';
import { loadObject } from '../../../shared/load/load-object.ts';
import { toEventRow } from '../../../shared/transform/flatten.ts';
import type { Row } from '../../../shared/transform/event-rows.ts';
import { DIALECTS } from '../../../shared/warehouse-schema/dialect.ts';
import { MIGRATIONS, migrate } from '../../../shared/warehouse-schema/migrations.ts';
import { ENGINE_NAMES, startEngine, type Engine } from './engines.ts';
import { eventsObject } from './fixtures.ts';

/**
 * Identity in the warehouse (Segment's identity resolution, Snowplow's user stitching):
 * identify and alias calls map anonymousIds to userIds, and sessions and the funnel count
 * people, on PGlite and on the machine's PostgreSQL, through the real transform rows and the
 * real load.
 */
const T0 = Date.parse('2026-11-25T08:00:00.000Z');
const at = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

type Call = Partial<ClickstreamEvent> & Pick<ClickstreamEvent, 'messageId' | 'type'>;
const row = (minutes: number, call: Call): Row =>
  toEventRow({ context: {}, timestamp: at(minutes), receivedAt: at(minutes), ...call });

const web = { userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0' };
const phone = {
  app: { name: 'Shop', version: '3.2.1', build: '321' },
  device: { model: 'iPhone15,2', type: 'ios' },
  os: { name: 'iOS', version: '17.1' },
};
const track = (id: string, m: number, event: string, who: Partial<Call>, properties = {}) =>
  row(m, { messageId: id, type: 'track', event, properties, context: web, ...who });
const viewed = (id: string, m: number, who: Partial<Call>) =>
  track(id, m, 'Product Viewed', who, { product_id: 'p-1', price: 10 });
const added = (id: string, m: number, who: Partial<Call>) =>
  track(id, m, 'Product Added', who, { product_id: 'p-1', price: 10, quantity: 1 });
const checkout = (id: string, m: number, who: Partial<Call>) =>
  track(id, m, 'Checkout Started', who, { order_id: `o-${id}` });
const ordered = (id: string, m: number, who: Partial<Call>) =>
  track(id, m, 'Order Completed', who, { order_id: `o-${id}`, revenue: 20, currency: 'USD' });

/** Alias then purchase: an anonymous shopper signs up (alias) and buys as a known user. */
const aliasThenPurchase: Row[] = [
  viewed('ap-1', 0, { anonymousId: 'anon-ap' }),
  added('ap-2', 2, { anonymousId: 'anon-ap' }),
  row(3, { messageId: 'ap-3', type: 'alias', previousId: 'anon-ap', userId: 'user-ap' }),
  checkout('ap-4', 4, { userId: 'user-ap' }),
  ordered('ap-5', 5, { userId: 'user-ap' }),
];

/** Identify mid-session: anonymous browsing, an identify with both ids, a known purchase. */
const identifyMidSession: Row[] = [
  viewed('im-1', 0, { anonymousId: 'anon-im' }),
  added('im-2', 1, { anonymousId: 'anon-im' }),
  row(2, {
    messageId: 'im-3',
    type: 'identify',
    anonymousId: 'anon-im',
    userId: 'user-im',
    traits: { email: 'im@example.com', plan: 'free' },
  }),
  checkout('im-4', 3, { anonymousId: 'anon-im', userId: 'user-im' }),
  ordered('im-5', 4, { anonymousId: 'anon-im', userId: 'user-im' }),
];

/** Two devices of one user: browses on the phone app, buys on the web; both identified. */
const twoDevices: Row[] = [
  row(0, {
    messageId: 'td-1',
    type: 'screen',
    name: 'Product',
    anonymousId: 'phone-td',
    context: phone,
  }),
  viewed('td-2', 1, { anonymousId: 'phone-td', context: phone }),
  added('td-3', 2, { anonymousId: 'phone-td', context: phone }),
  row(3, {
    messageId: 'td-4',
    type: 'identify',
    anonymousId: 'phone-td',
    userId: 'user-td',
    context: phone,
    traits: { plan: 'pro' },
  }),
  row(10, {
    messageId: 'td-5',
    type: 'identify',
    anonymousId: 'web-td',
    userId: 'user-td',
    context: web,
    traits: { plan: 'gold' },
  }),
  checkout('td-6', 11, { anonymousId: 'web-td' }),
  ordered('td-7', 12, { anonymousId: 'web-td' }),
  row(13, {
    messageId: 'td-8',
    type: 'group',
    userId: 'user-td',
    groupId: 'acct-1',
    traits: { name: 'Initech' },
  }),
];

const everything = [...aliasThenPurchase, ...identifyMidSession, ...twoDevices];
const TABLES = ['events', 'identifies', 'users', 'groups', 'group_members', 'identity_map'];

describe.each(ENGINE_NAMES)('identity on %s', (engineName) => {
  let engine: Engine;
  const query = (sql: string) => engine.warehouse.query(sql).then((r) => r.rows);
  const people = (ids: string[]) =>
    query(
      `SELECT person_id, COUNT(*)::int AS sessions, SUM(events)::int AS events,
         MAX(anonymous_ids)::int AS devices, BOOL_OR(converted) AS converted
       FROM sessions WHERE person_id IN (${ids.map((id) => `'${id}'`).join(', ')})
          OR anonymous_id IN (${ids.map((id) => `'${id}'`).join(', ')})
       GROUP BY person_id ORDER BY person_id`,
    );
  const snapshot = async () => {
    const out: Record<string, unknown[]> = {};
    for (const table of TABLES) {
      out[table] = await query(`SELECT * FROM ${table} ORDER BY 1, 2`).then((rows) =>
        rows.map(({ loaded_at: _loaded, ...rest }) => rest),
      );
    }
    return out;
  };

  beforeAll(async () => {
    engine = await startEngine(engineName);
    await migrate(engine.warehouse, DIALECTS.postgres);
    // Loaded out of order: the web device's objects before the phone's.
    await loadObject(
      engine.warehouse,
      eventsObject('id/1', [...aliasThenPurchase, ...twoDevices.slice(4)]),
    );
    await loadObject(
      engine.warehouse,
      eventsObject('id/2', [...identifyMidSession, ...twoDevices.slice(0, 4)]),
    );
  }, 60_000);
  afterAll(() => engine.close());

  test('alias then purchase: the anonymous browsing and the known purchase are one person, one session, converted', async () => {
    expect(await people(['user-ap', 'anon-ap'])).toEqual([
      { person_id: 'user-ap', sessions: 1, events: 5, devices: 1, converted: true },
    ]);
    expect(
      await query(
        `SELECT anonymous_id, user_id, source FROM identity_map WHERE user_id = 'user-ap'`,
      ),
    ).toEqual([{ anonymous_id: 'anon-ap', user_id: 'user-ap', source: 'alias' }]);
  });

  test('identify mid-session: one person, one session; the identify is in identifies and users', async () => {
    expect(await people(['user-im', 'anon-im'])).toEqual([
      { person_id: 'user-im', sessions: 1, events: 5, devices: 1, converted: true },
    ]);
    expect(
      await query(
        `SELECT event_id, user_id, anonymous_id FROM identifies WHERE user_id = 'user-im'`,
      ),
    ).toEqual([{ event_id: 'im-3', user_id: 'user-im', anonymous_id: 'anon-im' }]);
  });

  test('two devices of one user: one person across the phone and the web, with the latest traits', async () => {
    expect(await people(['user-td', 'phone-td', 'web-td'])).toEqual([
      { person_id: 'user-td', sessions: 1, events: 8, devices: 2, converted: true },
    ]);
    // The web identify (minute 10) is later than the phone's (minute 3), though loaded first.
    expect(
      await query(`SELECT user_id, traits, traits_event_id FROM users WHERE user_id = 'user-td'`),
    ).toEqual([{ user_id: 'user-td', traits: { plan: 'gold' }, traits_event_id: 'td-5' }]);
    expect(await query(`SELECT group_id, traits FROM groups`)).toEqual([
      { group_id: 'acct-1', traits: { name: 'Initech' } },
    ]);
    expect(await query(`SELECT group_id, member_id, joined_event_id FROM group_members`)).toEqual([
      { group_id: 'acct-1', member_id: 'user-td', joined_event_id: 'td-8' },
    ]);
    expect(
      await query(
        `SELECT platform, screen_name, app_version, device_model, os FROM events WHERE event_id = 'td-1'`,
      ),
    ).toEqual([
      {
        platform: 'ios',
        screen_name: 'Product',
        app_version: '3.2.1',
        device_model: 'iPhone15,2',
        os: 'iOS',
      },
    ]);
  });

  test('the funnel counts people: three shoppers, each viewed, added, checked out and ordered', async () => {
    expect(
      await query(
        `SELECT people::int, viewed::int, added::int, checkout::int, ordered::int FROM funnel`,
      ),
    ).toEqual([{ people: 3, viewed: 3, added: 3, checkout: 3, ordered: 3 }]);
  });

  test('replaying the whole stream (new objects, other order) changes no row and no mapping', async () => {
    const before = await snapshot();
    const sessionsBefore = await query('SELECT * FROM sessions ORDER BY person_id, session_number');
    await loadObject(engine.warehouse, eventsObject('id/replay-1', [...everything].reverse()));
    await loadObject(engine.warehouse, eventsObject('id/replay-2', everything.slice(3, 9)));
    expect(await snapshot()).toEqual(before);
    expect(await query('SELECT * FROM sessions ORDER BY person_id, session_number')).toEqual(
      sessionsBefore,
    );
    expect(before.identity_map).toHaveLength(4);
    expect(before.events).toHaveLength(everything.length);
  });

  test('an anonymousId mapped to two users keeps its earliest mapping, in any load order', async () => {
    await loadObject(
      engine.warehouse,
      eventsObject('id/shared-late', [
        row(30, {
          messageId: 'sh-2',
          type: 'identify',
          anonymousId: 'shared-device',
          userId: 'user-b',
        }),
      ]),
    );
    await loadObject(
      engine.warehouse,
      eventsObject('id/shared-early', [
        row(20, {
          messageId: 'sh-1',
          type: 'identify',
          anonymousId: 'shared-device',
          userId: 'user-a',
        }),
      ]),
    );
    expect(
      await query(
        `SELECT user_id, event_id FROM identity_map WHERE anonymous_id = 'shared-device'`,
      ),
    ).toEqual([{ user_id: 'user-a', event_id: 'sh-1' }]);
  });

  test('traits of two identify calls at the same instant: the larger messageId wins, whatever the order', async () => {
    const same = (id: string, plan: string) =>
      row(40, { messageId: id, type: 'identify', userId: 'user-tie', traits: { plan } });
    await loadObject(engine.warehouse, eventsObject('id/tie-1', [same('tie-b', 'b')]));
    await loadObject(engine.warehouse, eventsObject('id/tie-2', [same('tie-a', 'a')]));
    expect(await query(`SELECT traits FROM users WHERE user_id = 'user-tie'`)).toEqual([
      { traits: { plan: 'b' } },
    ]);
  });
});

describe.each(ENGINE_NAMES)('migration 004 on a warehouse with data, on %s', (engineName) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine(engineName);
  });
  afterAll(() => engine.close());

  test('adds the columns to events and fills the identity tables from the identify calls loaded before it', async () => {
    const query = (sql: string) => engine.warehouse.query(sql).then((r) => r.rows);
    await migrate(engine.warehouse, DIALECTS.postgres, MIGRATIONS.slice(0, 3));
    await engine.warehouse.query(
      `INSERT INTO events (event_id, event_type, anonymous_id, user_id, event_time, received_at, traits, context)
       VALUES ('old-1', 'identify', 'anon-old', 'user-old', '${at(0)}', '${at(0)}', '{"plan":"pro"}', '{}'),
              ('old-2', 'track', 'anon-old', NULL, '${at(1)}', '${at(1)}', NULL, '{}')`,
    );
    expect(await migrate(engine.warehouse, DIALECTS.postgres)).toMatchObject({
      applied: ['004_identity', '005_platform_metrics'],
    });
    expect(await query('SELECT event_id, user_id FROM identifies')).toEqual([
      { event_id: 'old-1', user_id: 'user-old' },
    ]);
    expect(await query('SELECT user_id, traits FROM users')).toEqual([
      { user_id: 'user-old', traits: { plan: 'pro' } },
    ]);
    expect(await query('SELECT anonymous_id, user_id, source FROM identity_map')).toEqual([
      { anonymous_id: 'anon-old', user_id: 'user-old', source: 'identify' },
    ]);
    expect(await query('SELECT event_id, platform FROM events ORDER BY event_id')).toEqual([
      { event_id: 'old-1', platform: null },
      { event_id: 'old-2', platform: null },
    ]);
    expect(await query('SELECT person_id, events::int FROM sessions')).toEqual([
      { person_id: 'user-old', events: 2 },
    ]);
  });
});
