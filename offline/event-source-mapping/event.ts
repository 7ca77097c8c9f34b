import type { _Record as KinesisRecord } from '@aws-sdk/client-kinesis';
import type {
  KinesisStreamEvent,
  KinesisStreamRecord,
  KinesisStreamTumblingWindowEvent,
} from 'aws-lambda';
import type { FilterableRecord } from './filter.ts';

/** Lambda's synchronous invocation payload cap, which also caps a batch (6 MB). */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

/** One record read from a shard, with the event entry Lambda would put in a batch. */
export interface ShardRecord {
  shardId: string;
  sequenceNumber: string;
  partitionKey: string;
  arrivalMs: number;
  entry: KinesisStreamRecord;
  /** Bytes of `entry` as JSON, plus its separating comma: what it adds to the payload. */
  bytes: number;
  filterable: FilterableRecord;
  /** Processed, discarded or filtered out: the checkpoint may move past it. */
  done: boolean;
}

export interface EventContext {
  shardId: string;
  streamArn: string;
  region: string;
  invokeIdentityArn: string;
}

export function toShardRecord(raw: KinesisRecord, context: EventContext): ShardRecord {
  const sequenceNumber = raw.SequenceNumber ?? '';
  const partitionKey = raw.PartitionKey ?? '';
  const arrivalMs = raw.ApproximateArrivalTimestamp?.getTime() ?? Date.now();
  const bytes = Buffer.from(raw.Data ?? new Uint8Array());
  const entry: KinesisStreamRecord = {
    kinesis: {
      kinesisSchemaVersion: '1.0',
      partitionKey,
      sequenceNumber,
      data: bytes.toString('base64'),
      // Epoch seconds with milliseconds as the fraction, as Lambda sends it.
      approximateArrivalTimestamp: arrivalMs / 1000,
    },
    eventSource: 'aws:kinesis',
    eventVersion: '1.0',
    eventID: `${context.shardId}:${sequenceNumber}`,
    eventName: 'aws:kinesis:record',
    invokeIdentityArn: context.invokeIdentityArn,
    awsRegion: context.region,
    eventSourceARN: context.streamArn,
  };
  return {
    shardId: context.shardId,
    sequenceNumber,
    partitionKey,
    arrivalMs,
    entry,
    bytes: Buffer.byteLength(JSON.stringify(entry)) + 1,
    filterable: {
      data: parseJson(bytes),
      partitionKey,
      sequenceNumber,
      kinesisSchemaVersion: '1.0',
      approximateArrivalTimestamp: arrivalMs / 1000,
    },
    done: false,
  };
}

/** `{"Records":[]}` and, for windows, the fixed fields: a generous allowance. */
export const EVENT_OVERHEAD_BYTES = 1024;

export function batchEvent(records: readonly ShardRecord[]): KinesisStreamEvent {
  return { Records: records.map((record) => record.entry) };
}

/** The event of a tumbling-window mapping: the batch plus the window and its state. */
export type WindowEvent = KinesisStreamTumblingWindowEvent & {
  shardId: string;
  eventSourceARN: string;
  state: Record<string, unknown>;
};

export interface WindowInvoke {
  records: readonly ShardRecord[];
  startMs: number;
  lengthMs: number;
  state: Record<string, unknown>;
  shardId: string;
  streamArn: string;
  isFinalInvokeForWindow: boolean;
  isWindowTerminatedEarly: boolean;
}

export function windowEvent(invoke: WindowInvoke): WindowEvent {
  return {
    Records: invoke.records.map((record) => record.entry),
    window: {
      start: isoSeconds(invoke.startMs),
      end: isoSeconds(invoke.startMs + invoke.lengthMs),
    },
    state: invoke.state,
    shardId: invoke.shardId,
    eventSourceARN: invoke.streamArn,
    isFinalInvokeForWindow: invoke.isFinalInvokeForWindow,
    isWindowTerminatedEarly: invoke.isWindowTerminatedEarly,
  };
}

/** Window bounds are whole seconds; Lambda writes them without milliseconds. */
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch {
    return undefined;
  }
}

export function compareSequence(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
