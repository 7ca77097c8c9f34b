import { KinesisClient } from '@aws-sdk/client-kinesis';
import { makeHandler } from '../../functions/ingest/handler.ts';
import type { KinesisEmulator } from '../../offline/kinesis-emulator.ts';
import { startFaultProxy, type FaultProxy } from '../../offline/kinesis-fault-proxy.ts';
import { awsClientConfig } from '../../shared/runtime/aws-client-config.ts';
import { WriteKeys } from '../../shared/ingest/write-keys.ts';
import { kinesisStreamWriter } from '../../shared/adapters/kinesis/kinesis-stream-writer.ts';
import { apiRequest, lambdaContext } from '../support/api-events.ts';
import { readAllRecords, startStream } from '../support/kinesis.ts';

let emulator: KinesisEmulator;
let proxy: FaultProxy;
let streamName: string;
let throttledClient: KinesisClient;

beforeEach(async () => {
  ({ emulator, streamName } = await startStream(2));
  proxy = await startFaultProxy({ target: emulator.endpoint, port: 0, throttleRate: 0, seed: 7 });
  throttledClient = new KinesisClient(
    awsClientConfig({ region: 'us-east-1', endpoint: proxy.endpoint }),
  );
});
afterEach(async () => {
  throttledClient.destroy();
  await proxy.close();
  await emulator.close();
});

const events = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    type: 'track',
    event: 'Product Added',
    messageId: `msg-${i}`,
    anonymousId: `anon-${i % 13}`,
    properties: { product_id: `p-${i % 5}`, price: 19.99, quantity: 1 },
  }));

function handler(budgetMs: number) {
  return makeHandler({
    writer: kinesisStreamWriter(throttledClient, streamName),
    writeKeys: new WriteKeys(['test-key']),
    retry: { budgetMs, baseDelayMs: 5, maxDelayMs: 50 },
  });
}

async function messageIdsOnStream(): Promise<string[]> {
  return (await readAllRecords(emulator.client, streamName)).map((r) => String(r.json.messageId));
}

describe('PutRecords partial failures (ProvisionedThroughputExceededException)', () => {
  test('throttled entries are retried alone until every event is written exactly once, then 200', async () => {
    proxy.setThrottleRate(0.3);
    const batch = events(600); // two PutRecords calls of at most 500 entries
    const response = await handler(10_000)(apiRequest('/v1/batch', { batch }), lambdaContext);

    expect(response.statusCode).toBe(200);
    expect(proxy.stats.entriesThrottled).toBeGreaterThan(100);
    const ids = await messageIdsOnStream();
    expect(ids).toHaveLength(600);
    expect(new Set(ids)).toEqual(new Set(batch.map((e) => e.messageId)));
  });

  test('when the retry budget runs out, the answer is 503 with Retry-After listing exactly the events not written', async () => {
    proxy.setThrottleRate(0.5);
    const batch = events(300);
    const response = await handler(0)(apiRequest('/v1/batch', { batch }), lambdaContext);

    expect(response.statusCode).toBe(503);
    expect(response.headers?.['retry-after']).toBe('1');
    const body = JSON.parse(response.body) as {
      notWritten: Array<{ messageId: string; errorCode: string }>;
      accepted: number;
    };
    const notWritten = new Set(body.notWritten.map((n) => n.messageId));
    expect(
      body.notWritten.every((n) => n.errorCode === 'ProvisionedThroughputExceededException'),
    ).toBe(true);
    expect(notWritten.size).toBe(proxy.stats.entriesThrottled);

    const written = await messageIdsOnStream();
    expect(new Set(written).size).toBe(written.length); // none written twice
    expect(written.length + notWritten.size).toBe(300);
    for (const id of written) expect(notWritten.has(id)).toBe(false); // none reported unwritten that was written
    expect(body.accepted).toBe(written.length);
  });

  test('a stream that refuses everything leaves nothing written and every event listed', async () => {
    proxy.setThrottleRate(1);
    const batch = events(40);
    const response = await handler(200)(apiRequest('/v1/batch', { batch }), lambdaContext);
    expect(response.statusCode).toBe(503);
    expect(JSON.parse(response.body).notWritten).toHaveLength(40);
    expect(await messageIdsOnStream()).toEqual([]);
  });
});
