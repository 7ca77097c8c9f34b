import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { makeHandler as makeLoadHandler } from '../../../functions/load/handler.ts';
import { inProcessInvoker } from '../../../offline/lambda-invoker.ts';
import { startS3Server, type S3Server } from '../../../offline/s3/s3-server.ts';
import { connectWarehouse, type WarehouseClient } from '../../../offline/warehouse/client.ts';
import { PostgresWarehouse } from '../../../shared/adapters/postgres/postgres-warehouse.ts';
import { stagingLoader } from '../../../shared/load/load-object.ts';
import type { S3Notification } from '../../../shared/load/s3-notification.ts';
import { awsClientConfig } from '../../../shared/runtime/aws-client-config.ts';
import { toNdjson } from '../../../shared/transform/event-rows.ts';
import { DIALECTS } from '../../../shared/warehouse-schema/dialect.ts';
import { migrate } from '../../../shared/warehouse-schema/migrations.ts';
import { lambdaContext } from '../../support/api-events.ts';
import { startEngine, type Engine } from '../../integration/warehouse/engines.ts';
import { eventRow } from '../../integration/warehouse/fixtures.ts';
import { asyncFixture, type AsyncFixture } from './support.ts';

/**
 * The case the retry waits exist for: the warehouse is unreachable when S3 invokes the real
 * load function, and back before the first retry (about a minute on AWS, 150 ms here). The
 * event must be loaded by that retry, once, with nothing dead-lettered or parked.
 */
const BUCKET = 'analytics';
let engine: Engine;
let unreachable: WarehouseClient;
let fx: AsyncFixture;
let s3: S3Server;
let client: S3Client;

beforeAll(async () => {
  engine = await startEngine('postgres');
  await migrate(engine.warehouse, DIALECTS.postgres);
  // Nothing listens on loopback port 9: every connection is refused, as with a stopped warehouse.
  unreachable = connectWarehouse('postgresql://127.0.0.1:9/analytics', {
    connectionTimeoutMillis: 1_000,
  });
});
afterAll(async () => {
  await unreachable.pool.end();
  await engine.close();
});
beforeEach(async () => {
  fx = await asyncFixture();
});
afterEach(async () => {
  client.destroy();
  await s3.close();
  await fx.close();
});

test('the warehouse down at the first attempt and back before the retry: the object is loaded by the retry, once, nothing dead-lettered', async () => {
  const body = toNdjson([eventRow('down-then-back-1', '2026-11-25T10:00:01.000Z')]);
  // Down from the first attempt until 100 ms after it, however late that attempt starts.
  let downUntil = Infinity;
  const attempts: string[] = [];
  const load = makeLoadHandler({
    loaderFor: () =>
      stagingLoader(
        Date.now() < downUntil ? new PostgresWarehouse(unreachable.pool) : engine.warehouse,
      ),
    read: async () => Buffer.from(body),
  });
  const asyncInvoker = fx.invokerOver(
    inProcessInvoker({
      load: async (event) => {
        if (attempts.length === 0) downUntil = Date.now() + 100;
        attempts.push(new Date().toISOString());
        return load(event as S3Notification, lambdaContext);
      },
    }),
    { load: fx.toDlq({ maximumRetryAttempts: 2, maximumEventAgeSeconds: 21_600 }) },
  );
  await asyncInvoker.start();
  s3 = await startS3Server({
    port: 0,
    stateDir: `${fx.dir}/s3`,
    notifications: [{ bucket: BUCKET, prefix: 'events/', functionName: 'load' }],
    asyncInvoker,
    log: { info: () => undefined, error: () => undefined },
  });
  client = new S3Client({
    ...awsClientConfig({ region: 'us-east-1', endpoint: s3.endpoint }),
    forcePathStyle: true,
  });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await client.send(
    new PutObjectCommand({ Bucket: BUCKET, Key: 'events/2026/11/25/10/e-1', Body: body }),
  );
  await s3.notificationsSettled();

  expect(attempts).toHaveLength(2);
  const rows = await engine.warehouse.query(
    `SELECT event_id FROM events WHERE event_id = 'down-then-back-1'`,
  );
  expect(rows.rows).toHaveLength(1);
  expect(await fx.deadLetters()).toEqual([]);
  expect(await fx.parked()).toEqual([]);
  expect(await fx.queued()).toEqual([]);
}, 30_000);
