import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { KinesisStreamEvent } from 'aws-lambda';
import { inProcessInvoker, type LambdaInvoker } from '../../../offline/lambda-invoker.ts';
import {
  MAPPING_DEFAULTS,
  startEventSourceMapping,
  type EventSourceMapping,
  type KinesisMappingConfig,
  type OnFailureRecord,
} from '../../../offline/event-source-mapping/index.ts';
import type { Clock, MappingLog } from '../../../offline/event-source-mapping/index.ts';
import { startStream } from '../../support/kinesis.ts';

export type TestFunction = (event: unknown) => unknown;

/** A record as the function saw it: its data decoded from base64 JSON. */
export interface Seen {
  sequenceNumber: string;
  partitionKey: string;
  data: Record<string, unknown>;
  arrival: number;
}

export function decode(event: unknown): Seen[] {
  return (event as KinesisStreamEvent).Records.map((record) => ({
    sequenceNumber: record.kinesis.sequenceNumber,
    partitionKey: record.kinesis.partitionKey,
    data: JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')) as Record<
      string,
      unknown
    >,
    arrival: record.kinesis.approximateArrivalTimestamp,
  }));
}

/** Short polls and retries so the suite stays fast; AWS's numbers are the defaults. */
export const FAST_TIMING = {
  idlePollIntervalMs: 200,
  retryBaseDelayMs: 20,
  retryMaxDelayMs: 100,
  readErrorBackoffMs: 100,
  windowCloseGraceMs: 100,
};

export interface Scenario {
  streamName: string;
  streamArn: string;
  stateDir: string;
  failures: OnFailureRecord[];
  logs: Array<{ level: string; message: string; details?: Record<string, unknown> }>;
  /** Puts one record (JSON data) and returns its sequence number. */
  put(partitionKey: string, data: Record<string, unknown>): Promise<string>;
  start(
    overrides?: Partial<KinesisMappingConfig>,
    options?: {
      clock?: Clock;
      uuid?: string;
      sqs?: Pick<SQSClient, 'send'>;
      s3?: Pick<S3Client, 'send'>;
      sns?: Pick<SNSClient, 'send'>;
      /** Around the in-process functions, as the stack puts its fault switches around its invoker. */
      wrapInvoker?: (inner: LambdaInvoker) => LambdaInvoker;
    },
  ): Promise<EventSourceMapping>;
  close(): Promise<void>;
}

/** A real kinesalite stream, real functions in-process, a failure sink, a state dir. */
export async function scenario(
  functions: Record<string, TestFunction>,
  shardCount = 1,
): Promise<Scenario> {
  const { emulator, streamName } = await startStream(shardCount);
  const stateDir = await mkdtemp(join(tmpdir(), 'esm-'));
  const failures: OnFailureRecord[] = [];
  const logs: Scenario['logs'] = [];
  const log: MappingLog = {
    info: (message, details) => logs.push({ level: 'info', message, details }),
    warn: (message, details) => logs.push({ level: 'warn', message, details }),
    error: (message, details) => logs.push({ level: 'error', message, details }),
  };
  const mappings: EventSourceMapping[] = [];
  const defaultUuid = randomUUID();
  const streamArn = `arn:aws:kinesis:us-east-1:000000000000:stream/${streamName}`;
  return {
    streamName,
    streamArn,
    stateDir,
    failures,
    logs,
    async put(partitionKey, data) {
      const answer = await emulator.client.send(
        new PutRecordCommand({
          StreamName: streamName,
          PartitionKey: partitionKey,
          Data: Buffer.from(JSON.stringify(data)),
        }),
      );
      return answer.SequenceNumber ?? '';
    },
    async start(overrides = {}, options = {}) {
      const config: KinesisMappingConfig = {
        ...MAPPING_DEFAULTS,
        functionResponseTypes: [],
        uuid: options.uuid ?? defaultUuid,
        functionName: 'fn',
        streamName,
        streamArn,
        startingPosition: 'TRIM_HORIZON',
        ...overrides,
      };
      const mapping = await startEventSourceMapping(config, {
        kinesis: emulator.client,
        invoker: (options.wrapInvoker ?? ((inner) => inner))(inProcessInvoker(functions)),
        // With an SQS, S3 or SNS client the mapping's own adapters are used; otherwise a sink.
        ...(options.sqs || options.s3 || options.sns
          ? {
              ...(options.sqs ? { sqs: options.sqs } : {}),
              ...(options.s3 ? { s3: options.s3 } : {}),
              ...(options.sns ? { sns: options.sns } : {}),
            }
          : { destination: { send: async (record) => void failures.push(record) } }),
        stateDir,
        log,
        timing: FAST_TIMING,
        ...(options.clock ? { clock: options.clock } : {}),
      });
      mappings.push(mapping);
      return mapping;
    },
    async close() {
      await Promise.all(mappings.map((mapping) => mapping.stop()));
      await emulator.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` holds; fails with `what` after the timeout. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 8_000) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until just after a tumbling-window boundary, so what follows lands in one window. */
export async function startOfNextWindow(seconds: number): Promise<number> {
  const length = seconds * 1000;
  const start = Math.ceil(Date.now() / length) * length;
  await sleep(start - Date.now() + 50);
  return start;
}

/** The tumbling-window fields of an event, and its records' data. */
export interface WindowCall {
  at: number;
  records: Seen[];
  window: { start: string; end: string };
  state: Record<string, unknown>;
  shardId: string;
  eventSourceARN: string;
  isFinalInvokeForWindow: boolean;
  isWindowTerminatedEarly: boolean;
}

export function windowCall(event: unknown): WindowCall {
  const e = event as Omit<WindowCall, 'at' | 'records'>;
  return {
    at: Date.now(),
    records: decode(event),
    window: e.window,
    state: e.state,
    shardId: e.shardId,
    eventSourceARN: e.eventSourceARN,
    isFinalInvokeForWindow: e.isFinalInvokeForWindow,
    isWindowTerminatedEarly: e.isWindowTerminatedEarly,
  };
}

/** A tumbling-window aggregate: counts records into the state. */
export function counting(calls: WindowCall[]) {
  return (event: unknown) => {
    const call = windowCall(event);
    calls.push(call);
    const count = (call.state.count as number | undefined) ?? 0;
    return { state: { count: count + call.records.length } };
  };
}
