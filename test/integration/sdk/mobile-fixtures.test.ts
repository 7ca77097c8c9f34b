import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { makeHandler } from '../../../functions/ingest/handler.ts';
import { WriteKeys } from '../../../shared/ingest/write-keys.ts';
import { loadObject } from '../../../shared/load/load-object.ts';
import { transformRecords } from '../../../shared/transform/transform-records.ts';
import { DIALECTS } from '../../../shared/warehouse-schema/dialect.ts';
import { migrate } from '../../../shared/warehouse-schema/migrations.ts';
import { MemoryStream } from '../../support/memory-stream.ts';
import { startHttpApiFront } from '../../support/http-api-front.ts';
import { startEngine, type Engine } from '../warehouse/engines.ts';
import { object } from '../warehouse/fixtures.ts';

/**
 * The mobile SDKs' batches (events/mobile/, shapes read from analytics-swift's and
 * analytics-kotlin's source) replayed byte for byte as each SDK sends them: iOS plain JSON,
 * Android gzipped text/plain, both to analytics.js's /v1/b with the write key in the body.
 * Through the local HTTP API (offline/http-api), the real ingest handler, the real Firehose transform and
 * the real load into PGlite: the events land in events, identifies, users, groups and
 * identity_map.
 */
const fixture = (name: string) => readFileSync(`events/mobile/${name}`);

let engine: Engine;
let front: Awaited<ReturnType<typeof startHttpApiFront>>;
const stream = new MemoryStream();
const answers: Array<{ status: number; body: string }> = [];
const query = (sql: string) => engine.warehouse.query(sql).then((r) => r.rows);

async function post(body: Buffer, headers: Record<string, string>) {
  const response = await fetch(`${front.url}/v1/b`, { method: 'POST', headers, body });
  answers.push({ status: response.status, body: await response.text() });
}

/** What Firehose does with the stream's records: the transform, then its Ok rows as one object. */
async function deliver(key: string) {
  const records = stream.entries.map((entry, i) => ({
    recordId: `r-${i}`,
    data: Buffer.from(entry.data).toString('base64'),
    approximateArrivalTimestamp: Date.now(),
    kinesisRecordMetadata: { partitionKey: entry.partitionKey, shardId: 'shardId-000000000000' },
  }));
  const { response } = transformRecords({
    invocationId: 'mobile',
    deliveryStreamArn: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/events',
    region: 'us-east-1',
    records,
  });
  expect(response.records.map((r) => r.result)).toEqual(records.map(() => 'Ok'));
  const ndjson = response.records.map((r) => Buffer.from(r.data, 'base64').toString()).join('');
  return loadObject(engine.warehouse, object(key, 'events', ndjson));
}

beforeAll(async () => {
  engine = await startEngine('pglite');
  await migrate(engine.warehouse, DIALECTS.postgres);
  const handler = makeHandler({
    writer: stream,
    writeKeys: new WriteKeys(['mobile-fixture-write-key']),
    retry: { budgetMs: 500, baseDelayMs: 1, maxDelayMs: 10 },
  });
  front = await startHttpApiFront({ ingest: handler });
  // analytics-swift: plain JSON, its own content type and user agent.
  await post(fixture('ios-batch.json'), {
    'content-type': 'application/json; charset=utf-8',
    'user-agent': 'analytics-ios/1.5.11',
    'accept-encoding': 'gzip',
  });
  // analytics-kotlin: the same JSON shape, gzipped, labelled text/plain.
  await post(gzipSync(fixture('android-batch.json')), {
    'content-type': 'text/plain',
    'content-encoding': 'gzip',
    'user-agent': 'analytics-kotlin/1.16.3',
  });
  await deliver('mobile/1');
}, 60_000);
afterAll(async () => {
  await front?.close();
  await engine?.close();
});

test('both batches are answered 200 and every event is on the stream once', () => {
  expect(answers).toEqual([
    { status: 200, body: '{"success":true}' },
    { status: 200, body: '{"success":true}' },
  ]);
  expect(stream.records()).toHaveLength(13);
});

test('screens land beside pages in events with platform, app version, device model and OS', async () => {
  expect(
    await query(
      `SELECT event_id, event_type, screen_name, platform, app_version, device_model, os, os_version
       FROM events WHERE event_type = 'screen' ORDER BY event_id`,
    ),
  ).toEqual([
    {
      event_id: 'and-msg-0001',
      event_type: 'screen',
      screen_name: 'Catalog',
      platform: 'android',
      app_version: '3.2.1',
      device_model: 'Pixel 8',
      os: 'Android',
      os_version: '14',
    },
    {
      event_id: 'and-msg-0005',
      event_type: 'screen',
      screen_name: 'Checkout',
      platform: 'android',
      app_version: '3.2.1',
      device_model: 'Pixel 8',
      os: 'Android',
      os_version: '14',
    },
    {
      event_id: 'ios-msg-0001',
      event_type: 'screen',
      screen_name: 'Home',
      platform: 'ios',
      app_version: '3.2.1',
      device_model: 'iPhone15,2',
      os: 'iOS',
      os_version: '17.1.2',
    },
    {
      event_id: 'ios-msg-0002',
      event_type: 'screen',
      screen_name: 'Product Detail',
      platform: 'ios',
      app_version: '3.2.1',
      device_model: 'iPhone15,2',
      os: 'iOS',
      os_version: '17.1.2',
    },
  ]);
  // analytics-kotlin's "userId":"" on anonymous events is no userId.
  expect(await query(`SELECT user_id FROM events WHERE event_id = 'and-msg-0001'`)).toEqual([
    { user_id: null },
  ]);
});

test('identify, group and alias land in identifies, users, groups, group_members and identity_map', async () => {
  expect(
    await query('SELECT event_id, user_id, platform FROM identifies ORDER BY event_id'),
  ).toEqual([
    { event_id: 'and-msg-0003', user_id: 'user-and-12', platform: 'android' },
    { event_id: 'ios-msg-0006', user_id: 'user-ios-77', platform: 'ios' },
  ]);
  expect(await query('SELECT user_id, traits FROM users ORDER BY user_id')).toEqual([
    { user_id: 'user-and-12', traits: { plan: 'pro', name: 'Ada' } },
    { user_id: 'user-ios-77', traits: { email: 'ios77@example.com', plan: 'member' } },
  ]);
  expect(await query('SELECT group_id, traits FROM groups')).toEqual([
    { group_id: 'acct-berlin-3', traits: { name: 'Kiez GmbH', employees: 12 } },
  ]);
  expect(await query('SELECT group_id, member_id FROM group_members')).toEqual([
    { group_id: 'acct-berlin-3', member_id: 'user-and-12' },
  ]);
  expect(
    await query('SELECT anonymous_id, user_id, source FROM identity_map ORDER BY user_id'),
  ).toEqual([
    {
      anonymous_id: '6f1d2c3b-4a5e-4f60-8b7c-9d0e1f2a3b4c',
      user_id: 'user-and-12',
      source: 'identify',
    },
    // The alias (09:59:02.218) comes before the identify with both ids (09:59:02.301).
    {
      anonymous_id: 'B7F0C6B2-1C7D-4A7E-9F0C-2D6B5A8E4C10',
      user_id: 'user-ios-77',
      source: 'alias',
    },
  ]);
});

test('each app shopper is one person in sessions and the funnel; a redelivery changes nothing', async () => {
  const people = () =>
    query(
      'SELECT person_id, events::int, screens::int, converted FROM sessions ORDER BY person_id',
    );
  const expected = [
    { person_id: 'user-and-12', events: 6, screens: 2, converted: true },
    { person_id: 'user-ios-77', events: 7, screens: 2, converted: true },
  ];
  expect(await people()).toEqual(expected);
  // Both viewed and ordered; neither added to cart on Android.
  expect(await query('SELECT people::int, viewed::int, added::int FROM funnel')).toEqual([
    { people: 2, viewed: 2, added: 1 },
  ]);
  await deliver('mobile/1-redelivered');
  expect(await people()).toEqual(expected);
  expect(await query('SELECT COUNT(*)::int AS n FROM identity_map')).toEqual([{ n: 2 }]);
});
