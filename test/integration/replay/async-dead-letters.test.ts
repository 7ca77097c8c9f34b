import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAsyncInvoker } from '../../../offline/async-invoke/async-invoker.ts';
import {
  folderAsyncDestination,
  sqsAsyncDestination,
} from '../../../offline/async-invoke/failure-destinations.ts';
import { inProcessInvoker } from '../../../offline/lambda-invoker.ts';
import { startSqsServer, type SqsServer } from '../../../offline/sqs/sqs-server.ts';
import { awsClientConfig } from '../../../shared/runtime/aws-client-config.ts';
import { replayDeadLetters } from '../../../tools/replay/replay-dead-letters.ts';
import { sqsDeadLetterQueue } from '../../../tools/replay/sqs-dead-letter-queue.ts';

/**
 * Async invocation records (S3 → load failures), written to the SQS stand-in by the local
 * asynchronous invocation itself, re-driven by `npm run replay -- --what dead-letters`.
 */
const FUNCTION = 'clickstream-test-load';
const QUEUE = 'dead-letters';

let dir: string;
let server: SqsServer;
let sqs: SQSClient;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'replay-async-'));
  server = await startSqsServer({ port: 0, stateDir: dir, queues: [QUEUE], log: () => undefined });
  sqs = new SQSClient(awsClientConfig({ region: 'us-east-1', endpoint: server.endpoint }));
});
afterEach(async () => {
  sqs.destroy();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const s3Event = (key: string) => ({ Records: [{ s3: { object: { key } } }] });

/** Two events the load function failed every attempt on, now async records in the queue. */
async function deadLetterTwoEvents(): Promise<void> {
  const asyncInvoker = createAsyncInvoker({
    invoker: inProcessInvoker({
      [FUNCTION]: () => {
        throw new Error('warehouse down');
      },
    }),
    queueDir: join(dir, 'queue'),
    functions: {
      [FUNCTION]: {
        maximumRetryAttempts: 0,
        maximumEventAgeSeconds: 21_600,
        onFailure: sqsAsyncDestination(sqs, server.queueUrl(QUEUE)),
      },
    },
    unconfiguredFailures: folderAsyncDestination(join(dir, 'failed')),
    region: 'us-east-1',
    log: { info: () => undefined, error: () => undefined },
  });
  await asyncInvoker.start();
  await asyncInvoker.invoke(FUNCTION, s3Event('events/a.json'));
  await asyncInvoker.invoke(FUNCTION, s3Event('events/poison.json'));
  await asyncInvoker.settled();
  await asyncInvoker.close();
}

async function messagesLeft(): Promise<number> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: server.queueUrl(QUEUE),
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
    }),
  );
  return (
    Number(Attributes.ApproximateNumberOfMessages) +
    Number(Attributes.ApproximateNumberOfMessagesNotVisible)
  );
}

const deps = (invoked: unknown[], dryRun = false) => ({
  queue: sqsDeadLetterQueue(sqs, server.queueUrl(QUEUE)),
  shards: {
    read: () => Promise.reject(new Error('an async record names no shard range')),
    readWindow: () => Promise.reject(new Error('an async record names no shard window')),
  },
  invoker: inProcessInvoker({
    [FUNCTION]: (event: unknown) => {
      invoked.push(event);
      const key = (event as ReturnType<typeof s3Event>).Records[0]?.s3.object.key;
      if (key === 'events/poison.json') throw new Error('still malformed');
      return { loaded: 1 };
    },
  }),
  windowSeconds: 60,
  dryRun,
});

test('a RetriesExhausted async record is re-driven: the function invoked with requestPayload, the message deleted; one still failing is reported and kept', async () => {
  await deadLetterTwoEvents();
  expect(await messagesLeft()).toBe(2);
  const invoked: unknown[] = [];
  const report = await replayDeadLetters(deps(invoked));
  expect(invoked).toEqual(
    expect.arrayContaining([s3Event('events/a.json'), s3Event('events/poison.json')]),
  );
  expect(report.items).toMatchObject({ found: 2, replayed: 1, failing: 1 });
  expect(report.notes.join('\n')).toMatch(
    /RetriesExhausted event of clickstream-test-load \(1 invocation\(s\)\): still fails: Error: still malformed/,
  );
  expect(await messagesLeft()).toBe(1);
});

test('a dry run of async records invokes nothing and deletes nothing', async () => {
  await deadLetterTwoEvents();
  const invoked: unknown[] = [];
  const report = await replayDeadLetters(deps(invoked, true));
  expect(invoked).toEqual([]);
  expect(report.items).toMatchObject({ found: 2, replayed: 2 });
  expect(report.notes.join('\n')).toContain('would invoke the RetriesExhausted event');
  expect(await messagesLeft()).toBe(2);
});
