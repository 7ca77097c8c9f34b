import {
  DescribeStreamSummaryCommand,
  GetRecordsCommand,
  GetShardIteratorCommand,
  PutRecordsCommand,
} from '@aws-sdk/client-kinesis';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  invocationRecord,
  sqsFailureDestination,
} from '../../../offline/event-source-mapping/destination.ts';
import { toShardRecord } from '../../../offline/event-source-mapping/event.ts';
import { ensureStreams, type KinesisEmulator } from '../../../offline/kinesis-emulator.ts';
import { inProcessInvoker } from '../../../offline/lambda-invoker.ts';
import { startSqsServer, type SqsServer } from '../../../offline/sqs/sqs-server.ts';
import {
  aggregateWindow,
  type TumblingWindowInput,
  type TumblingWindowOutput,
} from '../../../shared/analytics/aggregate-window.ts';
import { awsClientConfig } from '../../../shared/runtime/aws-client-config.ts';
import { kinesisRangeReader } from '../../../tools/replay/kinesis-range-reader.ts';
import { replayDeadLetters } from '../../../tools/replay/replay-dead-letters.ts';
import { sqsDeadLetterQueue } from '../../../tools/replay/sqs-dead-letter-queue.ts';
import { startStream } from '../../support/kinesis.ts';
import { json, productViewed } from '../../unit/transform/factories.ts';

/**
 * Dead letters as the event source mapping writes them (its own invocationRecord and SQS
 * destination), replayed from a real kinesalite stream and the SQS stand-in into the real
 * aggregate, in process, whose metrics rows are captured where Firehose would take them.
 */
const FUNCTION = 'clickstream-test-aggregate';
const FUNCTION_ARN = `arn:aws:lambda:us-east-1:000000000000:function:${FUNCTION}`;
const WINDOW_SECONDS = 10;

let kinesis: KinesisEmulator;
let streamName: string;
let streamArn: string;
let sqsServer: SqsServer;
let sqs: SQSClient;
let sqsDir: string;
let queues = 0;

interface MetricsLine {
  kind: string;
  windowStart: string;
  shardId: string;
  part: number;
  events: number;
}
let emitted: MetricsLine[] = [];
let aggregateFails = false;

/** A record the function here keeps refusing (ReportBatchItemFailures), as a buggy deploy would. */
const REFUSED = Buffer.from('not json at all').toString('base64');

const aggregate = async (event: unknown): Promise<TumblingWindowOutput> => {
  if (aggregateFails) throw new Error('metrics delivery stream unavailable');
  const input = event as TumblingWindowInput;
  const refused = input.Records.find((r) => r.kinesis.data === REFUSED);
  if (refused) {
    const before = input.Records.slice(0, input.Records.indexOf(refused));
    const counted = await aggregate({ ...input, Records: before });
    return { ...counted, batchItemFailures: [{ itemIdentifier: refused.kinesis.sequenceNumber }] };
  }
  return aggregateWindow(input, {
    metrics: {
      async putRecords(entries) {
        for (const entry of entries)
          emitted.push(JSON.parse(Buffer.from(entry.data).toString('utf8')) as MetricsLine);
        return entries.map(() => ({ ok: true as const }));
      },
    },
    retry: { budgetMs: 100, baseDelayMs: 1, maxDelayMs: 1 },
  });
};

beforeAll(async () => {
  ({ emulator: kinesis, streamName } = await startStream(1));
  const summary = await kinesis.client.send(
    new DescribeStreamSummaryCommand({ StreamName: streamName }),
  );
  streamArn = summary.StreamDescriptionSummary?.StreamARN ?? '';
  sqsDir = await mkdtemp(join(tmpdir(), 'replay-sqs-'));
  sqsServer = await startSqsServer({ port: 0, stateDir: sqsDir, queues: [], log: () => undefined });
  sqs = new SQSClient(awsClientConfig({ region: 'us-east-1', endpoint: sqsServer.endpoint }));
});
afterAll(async () => {
  sqs.destroy();
  await sqsServer.close();
  await rm(sqsDir, { recursive: true, force: true });
  await kinesis.close();
});
let streams = 0;
beforeEach(async () => {
  emitted = [];
  aggregateFails = false;
  // A stream per test: the replay recomputes whole windows, so tests must not share shards.
  streamName = `dead-letters-${process.pid}-${++streams}`;
  await ensureStreams(kinesis.client, [
    { logicalId: 'DeadLetters', name: streamName, shardCount: 1 },
  ]);
  const summary = await kinesis.client.send(
    new DescribeStreamSummaryCommand({ StreamName: streamName }),
  );
  streamArn = summary.StreamDescriptionSummary?.StreamARN ?? '';
});

async function newQueue(): Promise<string> {
  const created = await sqs.send(new CreateQueueCommand({ QueueName: `dead-letters-${++queues}` }));
  return created.QueueUrl ?? '';
}

/** Puts records on the stream (counted by the window, as the mapping would have). */
async function putCounted(data: Buffer[]): Promise<void> {
  await kinesis.client.send(
    new PutRecordsCommand({
      StreamName: streamName,
      Records: data.map((Data) => ({ Data, PartitionKey: 'a-1' })),
    }),
  );
}

/** Puts records on the stream and dead-letters them as the mapping does. */
async function deadLetter(
  queueUrl: string,
  data: Buffer[],
): Promise<{ arrivals: number[]; body: string }> {
  const put = await kinesis.client.send(
    new PutRecordsCommand({
      StreamName: streamName,
      Records: data.map((Data) => ({ Data, PartitionKey: 'a-1' })),
    }),
  );
  const [first] = put.Records ?? [];
  const iterator = await kinesis.client.send(
    new GetShardIteratorCommand({
      StreamName: streamName,
      ShardId: first?.ShardId,
      ShardIteratorType: 'AT_SEQUENCE_NUMBER',
      StartingSequenceNumber: first?.SequenceNumber,
    }),
  );
  const page = await kinesis.client.send(
    new GetRecordsCommand({ ShardIterator: iterator.ShardIterator, Limit: data.length }),
  );
  const context = {
    shardId: first?.ShardId ?? '',
    streamArn,
    region: 'us-east-1',
    invokeIdentityArn: 'role',
  };
  const records = (page.Records ?? []).map((raw) => toShardRecord(raw, context));
  const record = invocationRecord(records, {
    functionArn: FUNCTION_ARN,
    streamArn,
    condition: 'RetryAttemptsExhausted',
    invokeCount: 6,
    functionError: 'Unhandled',
    now: Date.now(),
  });
  await sqsFailureDestination(sqs, queueUrl).send(record, records);
  return { arrivals: records.map((r) => r.arrivalMs), body: JSON.stringify(record) };
}

/** As if run once the windows closed on the mapping (two window lengths after their end). */
const afterTheWindows = () => Date.now() + 3 * WINDOW_SECONDS * 1000;
const replay = (queueUrl: string, dryRun = false, now = afterTheWindows) =>
  replayDeadLetters({
    queue: sqsDeadLetterQueue(sqs, queueUrl, 30),
    shards: kinesisRangeReader(kinesis.client),
    invoker: inProcessInvoker({ [FUNCTION]: aggregate }),
    windowSeconds: WINDOW_SECONDS,
    dryRun,
    now,
  });

async function messagesOn(queueUrl: string): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible)
  );
}

const windowStart = (ms: number) =>
  new Date(Math.floor(ms / (WINDOW_SECONDS * 1000)) * WINDOW_SECONDS * 1000)
    .toISOString()
    .replace('.000Z', 'Z');
const windowMetrics = () => emitted.filter((line) => line.kind === 'window_metrics');
const viewed = (i: number) =>
  json(productViewed({ messageId: `dl-${i}-${queues}`, anonymousId: `a-${i}` }));

test("a dead letter's records are counted in their own window under the real shard, then the message is deleted; a second replay of the range emits the same keys", async () => {
  const queueUrl = await newQueue();
  const letter = await deadLetter(
    queueUrl,
    [0, 1, 2].map((i) => Buffer.from(viewed(i))),
  );

  const report = await replay(queueUrl);

  expect(report.items).toEqual({ found: 1, replayed: 1, skipped: 0, failing: 0 });
  expect(report.records).toEqual({ found: 3, replayed: 3, skipped: 0, failing: 0 });
  const rows = windowMetrics();
  expect(rows.reduce((sum, row) => sum + row.events, 0)).toBe(3);
  expect(new Set(rows.map((r) => r.windowStart))).toEqual(
    new Set(letter.arrivals.map(windowStart)),
  );
  for (const row of rows) expect(row.shardId).toBe('shardId-000000000000');
  expect(await messagesOn(queueUrl)).toBe(0);

  // The same range dead-lettered again (say, the first delete was lost): same rows, same keys,
  // which the load replaces rather than adds.
  const first = emitted;
  emitted = [];
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: letter.body }));
  expect((await replay(queueUrl)).items.replayed).toBe(1);
  expect(emitted).toEqual(first);
});

test('a replay that fails keeps the message, visible again; poison records are reported and the message kept', async () => {
  const queueUrl = await newQueue();
  await deadLetter(queueUrl, [
    Buffer.from(viewed(0)),
    Buffer.from('not json at all'),
    Buffer.from(viewed(1)),
  ]);

  aggregateFails = true;
  const failed = await replay(queueUrl);
  expect(failed.items).toEqual({ found: 1, replayed: 0, skipped: 0, failing: 1 });
  expect(failed.notes.join('\n')).toMatch(/metrics delivery stream unavailable/);
  expect(emitted).toEqual([]);
  const visible = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, VisibilityTimeout: 0 }),
  );
  expect(visible.Messages).toHaveLength(1);

  aggregateFails = false;
  const poisoned = await replay(queueUrl);
  expect(poisoned.records).toEqual({ found: 3, replayed: 2, skipped: 0, failing: 1 });
  expect(poisoned.notes.join('\n')).toMatch(/still rejects record\(s\) \d+/);
  expect(windowMetrics().reduce((sum, row) => sum + row.events, 0)).toBe(2);
  expect(await messagesOn(queueUrl)).toBe(1);
});

test('a dry run reads the range but invokes nothing and leaves the message on the queue', async () => {
  const queueUrl = await newQueue();
  await deadLetter(queueUrl, [Buffer.from(viewed(0)), Buffer.from(viewed(1))]);

  const report = await replay(queueUrl, true);

  expect(report.items).toEqual({ found: 1, replayed: 1, skipped: 0, failing: 0 });
  expect(report.notes.join('\n')).toMatch(
    /would replay 2 records of shardId-000000000000 \d+\.\.\d+ through clickstream-test-aggregate, recomputing 1 window\(s\) of shardId-000000000000/,
  );
  expect(emitted).toEqual([]);
  const visible = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, VisibilityTimeout: 0 }),
  );
  expect(visible.Messages).toHaveLength(1);
});

test('the window is recomputed whole: records the window counted before the failure (bisected halves) are in the replayed row once, a user active in both counts once, a resend of a counted event is a duplicate', async () => {
  const queueUrl = await newQueue();
  await waitForFreshWindow();
  const user = (i: number, messageId: string) =>
    Buffer.from(json(productViewed({ messageId, anonymousId: `u-${i}` })));
  // What the window counted: the half before the failing record and the half after it.
  await putCounted([user(1, 'w-0'), user(2, 'w-1')]);
  const letter = await deadLetter(queueUrl, [user(1, 'w-2')]);
  await putCounted([user(3, 'w-3'), user(1, 'w-0')]); // w-0 again: a resend

  const report = await replay(queueUrl);

  expect(report.items).toEqual({ found: 1, replayed: 1, skipped: 0, failing: 0 });
  const rows = windowMetrics();
  expect(rows).toEqual([
    expect.objectContaining({
      windowStart: windowStart(letter.arrivals[0] ?? 0),
      shardId: 'shardId-000000000000',
      part: 1,
      events: 4,
      activeUsers: 3,
      duplicatesDropped: 1,
    }),
  ]);
});

test('a window that may still be open on the mapping is left for a later run, its message kept', async () => {
  const queueUrl = await newQueue();
  await deadLetter(queueUrl, [Buffer.from(viewed(0))]);

  const report = await replay(queueUrl, false, () => Date.now());

  expect(report.items).toEqual({ found: 1, replayed: 0, skipped: 0, failing: 1 });
  expect(report.notes.join('\n')).toMatch(/may still be open on the mapping; replay after/);
  expect(emitted).toEqual([]);
  expect(await messagesOn(queueUrl)).toBe(1);
});

/** Waits until a window has at least 3 s left, so a test's records share one window. */
async function waitForFreshWindow(): Promise<void> {
  const lengthMs = WINDOW_SECONDS * 1000;
  const left = lengthMs - (Date.now() % lengthMs);
  if (left < 3_000) await new Promise((r) => setTimeout(r, left + 50));
}
