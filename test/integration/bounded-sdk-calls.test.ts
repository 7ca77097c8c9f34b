import { KinesisClient, ListStreamsCommand } from '@aws-sdk/client-kinesis';
import { FirehoseClient } from '@aws-sdk/client-firehose';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { ExecuteStatementCommand } from '@aws-sdk/client-redshift-data';
import { createServer, type Server, type Socket } from 'node:net';
import { makeHandler } from '../../functions/ingest/handler.ts';
import type { KinesisEmulator } from '../../offline/kinesis-emulator.ts';
import { startFaultProxy, type FaultProxy } from '../../offline/kinesis-fault-proxy.ts';
import { firehoseWriter } from '../../shared/adapters/firehose/firehose-writer.ts';
import { kinesisStreamWriter } from '../../shared/adapters/kinesis/kinesis-stream-writer.ts';
import { createPgPool } from '../../shared/adapters/postgres/pg-pool.ts';
import { createRedshiftDataClient } from '../../shared/adapters/redshift-data-api/redshift-data-client.ts';
import { createS3Client } from '../../shared/adapters/s3/s3-client.ts';
import { putRecordsWithRetry } from '../../shared/adapters/stream-writer/put-records-with-retry.ts';
import { WriteKeys } from '../../shared/ingest/write-keys.ts';
import { awsClientConfig } from '../../shared/runtime/aws-client-config.ts';
import { apiRequest, lambdaContext } from '../support/api-events.ts';
import { readAllRecords, startStream } from '../support/kinesis.ts';

/**
 * Every SDK call a function makes is bounded: an endpoint that accepts the connection and
 * never answers ends the call with a retryable TimeoutError, inside the caller's budget.
 * Without `throwOnRequestTimeout`, smithy's requestTimeout only logs a warning and the call
 * waits until Lambda kills the function — after the client was told nothing, or worse.
 */

/** Accepts connections, reads what is sent, never answers. */
async function startSilentServer(): Promise<{ endpoint: string; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('data', () => undefined);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function timed<T>(work: () => Promise<T>): Promise<{ ms: number; result: T | Error }> {
  const started = Date.now();
  const result = await work().catch((error: unknown) =>
    error instanceof Error ? error : new Error(String(error)),
  );
  return { ms: Date.now() - started, result };
}

const region = 'us-east-1';
let silent: Awaited<ReturnType<typeof startSilentServer>>;
beforeAll(async () => {
  silent = await startSilentServer();
});
afterAll(() => silent.close());

describe('an endpoint that never answers', () => {
  test('a client built with awsClientConfig fails the call with a TimeoutError at its request timeout', async () => {
    const client = new KinesisClient(
      awsClientConfig({ region, endpoint: silent.endpoint, requestTimeoutMs: 300 }),
    );
    const { ms, result } = await timed(() => client.send(new ListStreamsCommand({})));
    client.destroy();
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).name).toBe('TimeoutError');
    expect(ms).toBeGreaterThanOrEqual(250);
    expect(ms).toBeLessThan(2_000);
  });

  test.each([
    ['Kinesis PutRecords', 'kinesis'],
    ['Firehose PutRecordBatch', 'firehose'],
  ])(
    '%s never outlives the retry budget: every entry is reported not written, as retryable',
    async (_name, service) => {
      // The client's own request timeout (10 s) is far above the budget: the budget decides.
      const config = awsClientConfig({ region, endpoint: silent.endpoint });
      const writer =
        service === 'kinesis'
          ? kinesisStreamWriter(new KinesisClient(config), 'clickstream')
          : firehoseWriter(new FirehoseClient(config), 'metrics');
      const entries = Array.from({ length: 3 }, (_, i) => ({
        partitionKey: `k${i}`,
        data: Buffer.from(`{"i":${i}}`),
      }));
      const { ms, result } = await timed(() =>
        putRecordsWithRetry(writer, entries, { budgetMs: 800, baseDelayMs: 5, maxDelayMs: 20 }),
      );
      expect(result).not.toBeInstanceOf(Error);
      const outcome = result as Awaited<ReturnType<typeof putRecordsWithRetry>>;
      expect(outcome.failed.map((f) => f.index)).toEqual([0, 1, 2]);
      expect(outcome.failed.every((f) => f.errorCode === 'ETIMEDOUT')).toBe(true);
      expect(ms).toBeGreaterThanOrEqual(700);
      expect(ms).toBeLessThan(2_000);
    },
  );

  test('S3 GetObject (the load reading a delivered object) ends with a TimeoutError', async () => {
    const s3 = createS3Client({ region, endpoint: silent.endpoint, requestTimeoutMs: 300 });
    const { ms, result } = await timed(() =>
      s3.send(new GetObjectCommand({ Bucket: 'b', Key: 'k' })),
    );
    s3.destroy();
    expect((result as Error).name).toBe('TimeoutError');
    expect(ms).toBeLessThan(2_000);
  });

  test('the Redshift Data API client gives up after its 3 attempts, each bounded', async () => {
    const client = createRedshiftDataClient({
      region,
      endpoint: silent.endpoint,
      requestTimeoutMs: 300,
    });
    const { ms, result } = await timed(() =>
      client.send(
        new ExecuteStatementCommand({ Sql: 'select 1', Database: 'dev', WorkgroupName: 'w' }),
      ),
    );
    client.destroy();
    expect((result as Error).name).toBe('TimeoutError');
    expect(ms).toBeGreaterThanOrEqual(850);
    expect(ms).toBeLessThan(5_000);
  });

  test('a warehouse connection that never completes its handshake fails at the connect timeout', async () => {
    const port = new URL(silent.endpoint).port;
    const pool = createPgPool(
      `postgres://u@127.0.0.1:${port}/db`,
      { max: 1, idleTimeoutMs: 1_000, connectTimeoutMs: 300, queryTimeoutMs: 5_000 },
      () => undefined,
    );
    const { ms, result } = await timed(() => pool.query('select 1'));
    await pool.end();
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).toMatch(/timeout/i);
    expect(ms).toBeLessThan(2_000);
  });
});

describe('a warehouse statement that does not answer in time (PostgreSQL on 127.0.0.1:5432)', () => {
  test('fails at the query timeout, and the pool goes on with a fresh connection', async () => {
    const pool = createPgPool(
      'postgres://postgres@127.0.0.1:5432/test',
      { max: 1, idleTimeoutMs: 1_000, connectTimeoutMs: 2_000, queryTimeoutMs: 300 },
      () => undefined,
    );
    const { ms, result } = await timed(() => pool.query('select pg_sleep(3)'));
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).toMatch(/timeout/i);
    expect(ms).toBeLessThan(2_000);
    const next = await pool.query<{ one: number }>('select 1 as one');
    expect(next.rows[0]?.one).toBe(1);
    await pool.end();
  });
});

describe('ingest against a Kinesis endpoint that stops answering mid-call', () => {
  let emulator: KinesisEmulator;
  let proxy: FaultProxy;
  let streamName: string;
  let client: KinesisClient;
  beforeEach(async () => {
    ({ emulator, streamName } = await startStream(2));
    proxy = await startFaultProxy({ target: emulator.endpoint, port: 0, throttleRate: 0 });
    client = new KinesisClient(awsClientConfig({ region, endpoint: proxy.endpoint }));
  });
  afterEach(async () => {
    client.destroy();
    await proxy.close();
    await emulator.close();
  });

  const batch = Array.from({ length: 40 }, (_, i) => ({
    type: 'track',
    event: 'Product Viewed',
    messageId: `hung-${i}`,
    anonymousId: `anon-${i % 7}`,
    properties: { product_id: `p-${i}` },
  }));
  const handler = (budgetMs: number) =>
    makeHandler({
      writer: kinesisStreamWriter(client, streamName),
      writeKeys: new WriteKeys(['test-key']),
      retry: { budgetMs, baseDelayMs: 5, maxDelayMs: 50 },
    });

  test('a hung PutRecords is abandoned and retried inside the budget: 200, every event once', async () => {
    proxy.holdPutRecords(1);
    const { ms, result } = await timed(() =>
      handler(3_000)(apiRequest('/v1/batch', { batch }), lambdaContext),
    );
    expect(proxy.stats.callsHeld).toBe(1);
    expect((result as { statusCode: number }).statusCode).toBe(200);
    expect(ms).toBeLessThan(3_500);
    const ids = (await readAllRecords(emulator.client, streamName)).map((r) =>
      String(r.json.messageId),
    );
    expect(ids.sort()).toEqual(batch.map((e) => e.messageId).sort());
  });

  test('when every call hangs, the answer is a 503 naming every event, within the budget', async () => {
    proxy.holdPutRecords(1_000);
    const { ms, result } = await timed(() =>
      handler(1_000)(apiRequest('/v1/batch', { batch }), lambdaContext),
    );
    const response = result as { statusCode: number; body: string };
    expect(response.statusCode).toBe(503);
    const body = JSON.parse(response.body) as { notWritten: Array<{ messageId: string }> };
    expect(body.notWritten.map((n) => n.messageId).sort()).toEqual(
      batch.map((e) => e.messageId).sort(),
    );
    expect(ms).toBeLessThan(1_800);
    expect(await readAllRecords(emulator.client, streamName)).toHaveLength(0);
  });
});
