import { KinesisClient } from '@aws-sdk/client-kinesis';
import { makeHandler } from '../../functions/ingest/handler.ts';
import type { KinesisEmulator } from '../../offline/kinesis-emulator.ts';
import { startFaultProxy, type FaultProxy } from '../../offline/kinesis-fault-proxy.ts';
import { kinesisStreamWriter } from '../../shared/adapters/kinesis/kinesis-stream-writer.ts';
import { WriteKeys } from '../../shared/ingest/write-keys.ts';
import { awsClientConfig } from '../../shared/runtime/aws-client-config.ts';
import { apiRequest, lambdaContext } from '../support/api-events.ts';
import { readAllRecords, startStream } from '../support/kinesis.ts';
import { referenceDeaggregate } from '../../tools/reconcile/kpl-reference.ts';

/**
 * KPL aggregation at ingest, against the Kinesis emulator behind a throttling proxy: what
 * lands on the stream are aggregated records that the published KPL library
 * (aws-kinesis-agg) de-aggregates, and partial failures stay exact — a refused aggregated
 * record is retried whole, and a 503 names exactly the events inside the records not written.
 */

let emulator: KinesisEmulator;
let proxy: FaultProxy;
let streamName: string;
let client: KinesisClient;

beforeEach(async () => {
  ({ emulator, streamName } = await startStream(2));
  proxy = await startFaultProxy({ target: emulator.endpoint, port: 0, throttleRate: 0, seed: 11 });
  client = new KinesisClient(awsClientConfig({ region: 'us-east-1', endpoint: proxy.endpoint }));
});
afterEach(async () => {
  client.destroy();
  await proxy.close();
  await emulator.close();
});

const events = (n: number, visitors: number) =>
  Array.from({ length: n }, (_, i) => ({
    type: 'track',
    event: 'Product Viewed',
    messageId: `kpl-${i}`,
    anonymousId: `anon-${i % visitors}`,
    properties: { product_id: `p-${i % 9}`, price: 12.5 },
  }));

const handler = (budgetMs: number, maxRecordBytes = 4_096) =>
  makeHandler({
    writer: kinesisStreamWriter(client, streamName),
    writeKeys: new WriteKeys(['test-key']),
    retry: { budgetMs, baseDelayMs: 5, maxDelayMs: 50 },
    kplAggregation: { maxRecordBytes },
  });

/** The stream's records, each de-aggregated by aws-kinesis-agg (checksums verified). */
async function userRecordsOnStream() {
  const records = await readAllRecords(emulator.client, streamName);
  return records.map((record) => {
    const users = referenceDeaggregate(record);
    return {
      partitionKey: record.partitionKey,
      ids: users.map((u) => (JSON.parse(u.data.toString()) as { messageId: string }).messageId),
      keys: new Set(users.map((u) => u.partitionKey)),
    };
  });
}

describe('KPL aggregation at ingest (INGEST_KPL_AGGREGATION)', () => {
  test('a batch lands as few aggregated records, one partition key each, every event once', async () => {
    const batch = events(400, 5);
    const response = await handler(3_000)(apiRequest('/v1/batch', { batch }), lambdaContext);
    expect(response.statusCode).toBe(200);

    const records = await userRecordsOnStream();
    expect(records.length).toBeLessThan(40); // 400 events, ~30 per 4 KiB record
    for (const record of records) expect(record.keys).toEqual(new Set([record.partitionKey]));
    const ids = records.flatMap((r) => r.ids);
    expect(ids).toHaveLength(400);
    expect(new Set(ids)).toEqual(new Set(batch.map((e) => e.messageId)));
  });

  test('a throttled aggregated record is retried whole until every event is written exactly once', async () => {
    proxy.setThrottleRate(0.4);
    const batch = events(600, 12);
    const response = await handler(10_000)(apiRequest('/v1/batch', { batch }), lambdaContext);
    expect(response.statusCode).toBe(200);
    expect(proxy.stats.entriesThrottled).toBeGreaterThan(0);
    const ids = (await userRecordsOnStream()).flatMap((r) => r.ids);
    expect(ids.sort()).toEqual(batch.map((e) => e.messageId).sort());
  });

  test('when the budget runs out, the 503 names exactly the events inside the refused records', async () => {
    proxy.setThrottleRate(0.5);
    const batch = events(300, 20);
    const response = await handler(0)(apiRequest('/v1/batch', { batch }), lambdaContext);
    expect(response.statusCode).toBe(503);
    const body = JSON.parse(response.body) as { notWritten: Array<{ messageId: string }> };
    const notWritten = body.notWritten.map((n) => n.messageId);
    const written = (await userRecordsOnStream()).flatMap((r) => r.ids);
    expect(notWritten.length).toBeGreaterThan(0);
    expect(written.length).toBeGreaterThan(0);
    // Disjoint, and together every event: nothing lost silently, nothing reported twice.
    expect(new Set([...written, ...notWritten]).size).toBe(300);
    expect(written.length + notWritten.length).toBe(300);
  });
});
