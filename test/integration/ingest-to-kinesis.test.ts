import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { makeHandler } from '../../functions/ingest/handler.ts';
import type { KinesisEmulator } from '../../offline/kinesis-emulator.ts';
import { WriteKeys } from '../../shared/ingest/write-keys.ts';
import { kinesisStreamWriter } from '../../shared/adapters/kinesis/kinesis-stream-writer.ts';
import { apiRequest, lambdaContext } from '../support/api-events.ts';
import { readAllRecords, startStream } from '../support/kinesis.ts';

let emulator: KinesisEmulator;
let streamName: string;
let client: KinesisClient;

beforeEach(async () => {
  ({ emulator, streamName } = await startStream(4));
  client = emulator.client;
});
afterEach(() => emulator.close());

function handlerFor(name: string) {
  return makeHandler({
    writer: kinesisStreamWriter(client, name),
    writeKeys: new WriteKeys(['test-key']),
    retry: { budgetMs: 2_000, baseDelayMs: 10, maxDelayMs: 100 },
  });
}

const track = (i: number, extra: Record<string, unknown> = {}) => ({
  type: 'track',
  event: 'Product Viewed',
  messageId: `m-${i}`,
  anonymousId: `anon-${i % 7}`,
  timestamp: '2026-11-25T10:00:00.000Z',
  properties: { product_id: `p-${i}`, price: 10 + i, name: `Product ${i}` },
  ...extra,
});

describe('ingest through the real Kinesis emulator', () => {
  test('a batch posted to the handler is read back from the stream: same count, content and partition keys', async () => {
    const batch = Array.from({ length: 120 }, (_, i) => track(i));
    batch.push({ ...track(200), anonymousId: undefined, userId: 'user-42' } as never);
    const response = await handlerFor(streamName)(
      apiRequest('/v1/batch', { batch }),
      lambdaContext,
    );
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ success: true });

    const records = await readAllRecords(client, streamName);
    expect(records).toHaveLength(batch.length);
    const byId = new Map(records.map((r) => [r.json.messageId, r]));
    expect(byId.size).toBe(batch.length);
    for (const sent of batch) {
      const got = byId.get(sent.messageId);
      expect(got).toBeDefined();
      expect(got?.partitionKey).toBe(sent.anonymousId ?? 'user-42');
      expect(got?.json).toMatchObject({
        type: 'track',
        event: 'Product Viewed',
        properties: sent.properties,
        originalTimestamp: '2026-11-25T10:00:00.000Z',
      });
      expect(got?.json.receivedAt).toEqual(expect.any(String));
    }
    // The partition key decides the shard: one user's events are all on one shard.
    const shardsPerKey = new Map<string, Set<string>>();
    for (const r of records)
      shardsPerKey.set(
        r.partitionKey,
        (shardsPerKey.get(r.partitionKey) ?? new Set()).add(r.shardId),
      );
    for (const shards of shardsPerKey.values()) expect(shards.size).toBe(1);
    expect(new Set(records.map((r) => r.shardId)).size).toBeGreaterThan(1);
  });

  test('invalid events are kept on the stream as bad rows marked type "rejected", next to the good ones', async () => {
    const batch = [
      track(1),
      track(2, { properties: { product_id: 'p2', price: 'free' } }),
      track(3),
    ];
    const response = await handlerFor(streamName)(
      apiRequest('/v1/batch', { batch }),
      lambdaContext,
    );
    expect(response.statusCode).toBe(200);
    const body = JSON.parse(response.body);
    expect(body).toEqual({
      success: true,
      accepted: 2,
      rejected: [
        {
          index: 1,
          messageId: 'm-2',
          reasons: ['properties.price must be a number (got string "free")'],
        },
      ],
    });
    const records = await readAllRecords(client, streamName);
    expect(records).toHaveLength(3);
    const bad = records.filter((r) => r.json.type === 'rejected');
    expect(bad).toHaveLength(1);
    expect(bad[0]?.json).toMatchObject({
      messageId: 'm-2',
      reasons: ['properties.price must be a number (got string "free")'],
      payload: batch[1],
    });
    expect(bad[0]?.partitionKey).toBe('anon-2');
  });

  test('a stream that does not exist answers 503 with every event listed as not written', async () => {
    const response = await handlerFor('no-such-stream')(
      apiRequest('/v1/track', track(1)),
      lambdaContext,
    );
    expect(response.statusCode).toBe(503);
    const body = JSON.parse(response.body);
    expect(body.success).toBe(false);
    expect(body.notWritten).toEqual([
      { index: 0, messageId: 'm-1', errorCode: 'ResourceNotFoundException' },
    ]);
  });
});
