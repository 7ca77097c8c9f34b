import { makeHandler as makeLoadHandler } from '../../../functions/load/handler.ts';
import { inProcessInvoker } from '../../../offline/lambda-invoker.ts';
import type { S3Notification } from '../../../shared/load/s3-notification.ts';
import { replayFailedObjects } from '../../../tools/replay/replay-objects.ts';
import type { FirehoseTransformationEvent } from '../../../shared/transform/firehose-transformation.ts';
import { transformRecords } from '../../../shared/transform/transform-records.ts';
import { DIALECTS } from '../../../shared/warehouse-schema/dialect.ts';
import { migrate } from '../../../shared/warehouse-schema/migrations.ts';
import { stagingLoader } from '../../../shared/load/load-object.ts';
import { lambdaContext } from '../../support/api-events.ts';
import { startEngine, type Engine } from '../warehouse/engines.ts';
import { json, productViewed, UA } from '../../unit/transform/factories.ts';
import { errorLine, startBucket, type Bucket } from './support.ts';

/**
 * Firehose's processing-failed output replayed through the transform (in process, behind the
 * Lambda invoker) into a real S3 stand-in whose notifications run the real load function
 * into the warehouse (the machine's PostgreSQL): what reaches the warehouse, how often, and what a dry run leaves alone.
 */
const ARRIVAL = Date.parse('2026-11-25T10:00:05.000Z');
const FAILED_EVENTS = 'processing-failed/events/processing-failed/2026/11/25/10/events-1-a';

let engine: Engine;
let bucket: Bucket;
const loadedKeys: string[] = [];

beforeAll(async () => {
  // The machine's PostgreSQL, in a schema of its own: PGlite takes seconds to start.
  engine = await startEngine('postgres');
  await migrate(engine.warehouse, DIALECTS.postgres);
  const load = makeLoadHandler({
    loaderFor: () => stagingLoader(engine.warehouse),
    read: (_bucket, key) => bucket.get(key).then(Buffer.from),
  });
  bucket = await startBucket(
    inProcessInvoker({
      transform: (event) => transformRecords(event as FirehoseTransformationEvent).response,
      load: async (event) => {
        const notification = event as S3Notification;
        for (const record of notification.Records ?? [])
          loadedKeys.push(record.s3?.object?.key ?? '');
        return load(notification, lambdaContext);
      },
    }),
  );
});
afterAll(async () => {
  await bucket.stop();
  await engine.close();
});

const replay = (dryRun = false) =>
  replayFailedObjects({
    store: bucket.store,
    invoker: inProcessInvoker({
      transform: (event) => transformRecords(event as FirehoseTransformationEvent).response,
    }),
    transformFunction: 'transform',
    deliveryStreamArn: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/events',
    region: 'us-east-1',
    dryRun,
  });

const replayKeys = async () =>
  (await bucket.store.list('events/replay/')).concat(await bucket.store.list('metrics/replay/'));
const eventIds = async () =>
  (await engine.warehouse.query(`SELECT event_id FROM events ORDER BY event_id`)).rows.map((r) =>
    String(r.event_id),
  );

async function putFailed(key: string, lines: string[]): Promise<void> {
  await bucket.put(key, lines.join(''));
  await bucket.server.notificationsSettled();
}

test('a processing-failed object is transformed again; its Ok rows reach the warehouse once, the rest is reported', async () => {
  await putFailed(FAILED_EVENTS, [
    errorLine(json(productViewed({ messageId: 'r-1' })), ARRIVAL),
    errorLine(json({ type: 'track', messageId: 'still-bad' }), ARRIVAL),
    errorLine(
      json(productViewed({ messageId: 'r-bot', context: { userAgent: UA.googlebot } })),
      ARRIVAL,
    ),
    errorLine(json(productViewed({ messageId: 'r-2', anonymousId: 'a-2' })), ARRIVAL),
  ]);

  const report = await replay();
  await bucket.server.notificationsSettled();

  expect(report.items).toEqual({ found: 1, replayed: 0, skipped: 0, failing: 1 });
  expect(report.records).toEqual({ found: 4, replayed: 2, skipped: 1, failing: 1 });
  expect(report.notes.join('\n')).toMatch(
    /line 2: ProcessingFailed again \(first: Lambda\.ProcessingFailedStatus/,
  );
  const [written, ...others] = await replayKeys();
  expect(others).toEqual([]);
  expect(written).toMatch(/^events\/replay\/[0-9a-f]{32}-[0-9a-f]{16}\.ndjson$/);
  const rows = (await bucket.get(written ?? ''))
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as { event_id: string });
  expect(rows.map((r) => r.event_id)).toEqual(['r-1', 'r-2']);
  expect(await eventIds()).toEqual(['r-1', 'r-2']);
  expect(loadedKeys.filter((k) => k.startsWith('events/replay/'))).toEqual([written]);
  // The failed object is left as it was: its four records are still bad_events evidence.
  const bad = await engine.warehouse.query(
    `SELECT count(*)::int AS n FROM bad_events WHERE source = 'firehose'`,
  );
  expect(bad.rows[0]?.n).toBe(4);
});

test('replaying the same object again writes nothing new and loads nothing twice', async () => {
  const before = await replayKeys();
  const loadsBefore = loadedKeys.length;

  const report = await replay();
  await bucket.server.notificationsSettled();

  expect(report.records).toEqual({ found: 4, replayed: 0, skipped: 3, failing: 1 });
  expect(await replayKeys()).toEqual(before);
  expect(loadedKeys.length).toBe(loadsBefore);
  expect(await eventIds()).toEqual(['r-1', 'r-2']);
  const loads = await engine.warehouse.query(
    `SELECT count(*)::int AS n FROM loads WHERE object_key LIKE 'events/replay/%'`,
  );
  expect(loads.rows[0]?.n).toBe(1);
});

test('a dry run reports what it would write and changes nothing; the real run then loads it', async () => {
  await putFailed('processing-failed/events/processing-failed/2026/11/25/11/events-1-b', [
    errorLine(json(productViewed({ messageId: 'r-3' })), ARRIVAL),
  ]);
  const keysBefore = await replayKeys();

  const dry = await replay(true);
  await bucket.server.notificationsSettled();

  expect(dry.records).toMatchObject({ found: 5, replayed: 1, failing: 1 });
  expect(dry.notes.join('\n')).toMatch(/events-1-b: would write events\/replay\//);
  expect(await replayKeys()).toEqual(keysBefore);
  expect(await eventIds()).toEqual(['r-1', 'r-2']);

  const real = await replay();
  await bucket.server.notificationsSettled();
  expect(real.items).toEqual({ found: 2, replayed: 1, skipped: 0, failing: 1 });
  expect(await eventIds()).toEqual(['r-1', 'r-2', 'r-3']);
});

test('metrics records are written back as their original lines under metrics/replay/ and loaded', async () => {
  const row = {
    kind: 'window_metrics',
    windowStart: '2026-11-25T10:00:00Z',
    windowEnd: '2026-11-25T10:00:10Z',
    shardId: 'shardId-000000000000',
    part: 1,
    events: 3,
    rejectedEvents: 0,
    duplicatesDropped: 0,
    eventsByType: { track: 3 },
    eventsByName: { 'Product Viewed': 3 },
    productViews: 3,
    cartAdds: 0,
    cartRemoves: 0,
    checkoutsStarted: 0,
    orders: 0,
    revenueByCurrency: {},
    refunds: 0,
    refundAmountByCurrency: {},
    activeUsers: 1,
    activeUsersExact: true,
  };
  const line = `${JSON.stringify(row)}\n`;
  await putFailed('processing-failed/metrics/processing-failed/2026/11/25/10/metrics-1-a', [
    errorLine(line, ARRIVAL),
  ]);

  const report = await replay();
  await bucket.server.notificationsSettled();

  const [written] = await bucket.store.list('metrics/replay/');
  expect(report.notes.join('\n')).toContain(`wrote ${written}`);
  expect(await bucket.get(written ?? '')).toBe(line);
  const metrics = await engine.warehouse.query(
    `SELECT shard_id, events::int AS events FROM metrics`,
  );
  expect(metrics.rows).toEqual([{ shard_id: 'shardId-000000000000', events: 3 }]);
});
