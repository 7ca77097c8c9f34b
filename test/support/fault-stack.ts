import { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { localClientConfig } from '../../offline/local-client-config.ts';
import { simulate } from '../../tools/simulator/simulate-shop.ts';
import type { SimulatorOptions } from '../../tools/simulator/options.ts';
import { readAllRecords } from './kinesis.ts';
import { referenceDeaggregate } from '../../tools/reconcile/kpl-reference.ts';
import type { ArrivedRecord } from '../../tools/reconcile/stream-oracle.ts';

/**
 * What the fault tests read from a running stack besides the warehouse: the stream with each
 * Kinesis record's identity (to know which ones a fault's marker hit), the dead-letter queue,
 * and `npm run replay` run as a person would run it against the stack's ports.
 */
export interface MarkedRecord extends ArrivedRecord {
  /** `${shardId} ${sequenceNumber}` of the Kinesis record that carried it. */
  kinesisRecord: string;
  /** Its Kinesis record's data (all of its user records) contains the marker. */
  marked: boolean;
}

const ROOT = resolve(__dirname, '../..');

/** Every user record on the stream, KPL unpacked by aws-kinesis-agg, marked by its Kinesis record. */
export async function readMarkedStream(
  endpoint: string,
  streamName: string,
  marker: string,
): Promise<MarkedRecord[]> {
  const client = new KinesisClient(localClientConfig('us-east-1', endpoint));
  try {
    return (await readAllRecords(client, streamName)).flatMap((record) => {
      const users = referenceDeaggregate(record).map((user) => user.data.toString('utf8'));
      const marked = users.some((text) => text.includes(marker));
      return users.map((text) => ({
        shardId: record.shardId,
        arrivalMs: record.arrivalMs,
        json: JSON.parse(text) as Record<string, unknown>,
        kinesisRecord: `${record.shardId} ${record.sequenceNumber}`,
        marked,
      }));
    });
  } finally {
    client.destroy();
  }
}

/** A shopper with a handful of valid events in the simulator's run: their anonymousId. */
export function shopperWithFewEvents(options: SimulatorOptions, atLeast = 3, atMost = 6): string {
  const counts = new Map<string, number>();
  for (const { kind, message } of simulate(options)) {
    const id = message.anonymousId;
    if (kind === 'valid' && typeof id === 'string') counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const pick = [...counts].find(([, n]) => n >= atLeast && n <= atMost);
  if (!pick) throw new Error('no shopper with a handful of events in this run');
  return pick[0];
}

export interface DeadLetterBody {
  requestContext: { condition: string; approximateInvokeCount: number };
  responseContext?: { functionError?: string };
  KinesisBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    batchSize: number;
  };
}

export function deadLetterQueue(endpoint: string, queueName = 'clickstream-local-dead-letters') {
  const sqs = new SQSClient(localClientConfig('us-east-1', endpoint));
  const url = async () =>
    (await sqs.send(new GetQueueUrlCommand({ QueueName: queueName }))).QueueUrl ?? '';
  return {
    async count(): Promise<number> {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: await url(), AttributeNames: ['All'] }),
      );
      return (
        Number(Attributes.ApproximateNumberOfMessages ?? 0) +
        Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
      );
    },
    /** The messages' bodies, left on the queue (received with a visibility timeout of 0). */
    async peek(expected: number): Promise<DeadLetterBody[]> {
      const bodies = new Map<string, DeadLetterBody>();
      for (let i = 0; i < 50 && bodies.size < expected; i += 1) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: await url(),
            MaxNumberOfMessages: 10,
            VisibilityTimeout: 0,
          }),
        );
        for (const m of Messages)
          bodies.set(m.MessageId ?? '', JSON.parse(m.Body ?? '{}') as DeadLetterBody);
      }
      return [...bodies.values()];
    },
    close: () => sqs.destroy(),
  };
}

/** `npm run replay -- --what <what>` against a stack's ports; resolves with its exit and output. */
export function runReplay(
  what: string,
  env: Record<string, string>,
): Promise<{ code: number; output: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['node_modules/tsx/dist/cli.mjs', 'scripts/replay.ts', '--what', what],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 120_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        done({ code, output: `${stdout}${stderr}` });
      },
    );
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `check` answers true; fails with `what` and the last state after the timeout. */
export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
  diagnostics: () => string = () => '',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${timeoutMs / 1000} s waiting for ${what}\n${diagnostics()}`,
      );
    await sleep(1_000);
  }
}
