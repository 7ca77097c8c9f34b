import { DeleteMessageCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createAsyncInvoker,
  type AsyncFunctionConfig,
  type AsyncInvoker,
  type AsyncRetryTiming,
} from '../../../offline/async-invoke/async-invoker.ts';
import {
  folderAsyncDestination,
  sqsAsyncDestination,
} from '../../../offline/async-invoke/failure-destinations.ts';
import type { AsyncInvocationRecord } from '../../../offline/async-invoke/invocation-record.ts';
import type { LambdaInvoker } from '../../../offline/lambda-invoker.ts';
import { startSqs, type SqsFixture } from '../sqs/support.ts';

export const DLQ = 'load-dlq';

/** Small waits that keep the AWS ratios: function-error retries 1:2, service backoff doubling. */
export const FAST: AsyncRetryTiming = {
  functionErrorDelaysMs: [150, 300],
  serviceBackoffMs: { initial: 10, max: 80 },
};

export interface AsyncFixture {
  sqs: SqsFixture;
  dir: string;
  queueDir: string;
  failedDir: string;
  errors: string[];
  /** A new async invoker over the same queue folder: a restarted `npm start`. */
  invokerOver(invoker: LambdaInvoker, configs: Record<string, AsyncFunctionConfig>): AsyncInvoker;
  /** Each on-failure SQS destination for `configs`. */
  toDlq(config: Omit<AsyncFunctionConfig, 'onFailure'>): AsyncFunctionConfig;
  /** Receives (and deletes) every record in the dead-letter queue. */
  deadLetters(): Promise<AsyncInvocationRecord[]>;
  queued(): Promise<string[]>;
  parked(): Promise<string[]>;
  close(): Promise<void>;
}

export async function asyncFixture(timing: AsyncRetryTiming = FAST): Promise<AsyncFixture> {
  const sqs = await startSqs([DLQ]);
  const dir = await mkdtemp(join(tmpdir(), 'async-invoke-'));
  const queueDir = join(dir, 'queue');
  const failedDir = join(dir, '.failed-notifications');
  const errors: string[] = [];
  const started: AsyncInvoker[] = [];
  const list = (folder: string) =>
    readdir(folder).then(
      (names) => names.filter((n) => n.endsWith('.json')),
      () => [],
    );
  return {
    sqs,
    dir,
    queueDir,
    failedDir,
    errors,
    invokerOver(invoker, configs) {
      const asyncInvoker = createAsyncInvoker({
        invoker,
        queueDir,
        functions: configs,
        unconfiguredFailures: folderAsyncDestination(failedDir),
        timing,
        region: 'us-east-1',
        log: { info: () => undefined, error: (message) => errors.push(message) },
      });
      started.push(asyncInvoker);
      return asyncInvoker;
    },
    toDlq: (config) => ({
      ...config,
      onFailure: sqsAsyncDestination(sqs.client, sqs.server.queueUrl(DLQ)),
    }),
    async deadLetters() {
      const records: AsyncInvocationRecord[] = [];
      for (;;) {
        const { Messages = [] } = await sqs.client.send(
          new ReceiveMessageCommand({
            QueueUrl: sqs.server.queueUrl(DLQ),
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 0,
          }),
        );
        if (Messages.length === 0) return records;
        for (const message of Messages) {
          records.push(JSON.parse(message.Body ?? '') as AsyncInvocationRecord);
          await sqs.client.send(
            new DeleteMessageCommand({
              QueueUrl: sqs.server.queueUrl(DLQ),
              ReceiptHandle: message.ReceiptHandle,
            }),
          );
        }
      }
    },
    queued: () => list(queueDir),
    parked: () => list(failedDir),
    async close() {
      for (const asyncInvoker of started) await asyncInvoker.close();
      await sqs.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
