/**
 * What the replay needs from the outside world. The use cases take these ports, so the
 * command wires the AWS SDK adapters in this folder and tests may wire anything; nothing
 * here imports an SDK.
 */

/** The answer of one function invocation. Structurally the offline LambdaInvoker's result. */
export type InvokeOutcome =
  { ok: true; payload: unknown } | { ok: false; errorType: string; errorMessage: string };

/** Calls a function as the Lambda Invoke API does (RequestResponse). */
export interface FunctionInvoker {
  invoke(functionName: string, event: unknown): Promise<InvokeOutcome>;
}

/** The analytics bucket. */
export interface ObjectStore {
  /** Every key under the prefix, in key order. */
  list(prefix: string): Promise<string[]>;
  read(key: string): Promise<string>;
  exists(key: string): Promise<boolean>;
  write(key: string, body: string): Promise<void>;
}

export interface DeadLetter {
  messageId: string;
  receiptHandle: string;
  body: string;
}

/** The on-failure destination of the event source mapping (an SQS queue). */
export interface DeadLetterQueue {
  /** The next messages, hidden from other readers while the run works on them; [] when none is left. */
  receive(): Promise<DeadLetter[]>;
  /** Deletes a message: only after its replay succeeded. */
  remove(letter: DeadLetter): Promise<void>;
  /** Makes a message visible again now, so the next run sees it without waiting. */
  release(letter: DeadLetter): Promise<void>;
}

/** One record read back from a shard. */
export interface ShardRecord {
  sequenceNumber: string;
  partitionKey: string;
  data: Uint8Array;
  arrivalMs: number;
}

export interface ShardRange {
  streamName: string;
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
}

/** Records of one shard whose arrival time is in [startMs, endMs): a tumbling window. */
export interface ShardWindow {
  streamName: string;
  shardId: string;
  startMs: number;
  endMs: number;
}

/** Reads a shard from one sequence number on; the caller checks the range is whole. */
export interface ShardRangeReader {
  read(range: ShardRange): Promise<ShardRecord[]>;
  /** Every record of the shard that arrived within the window, in order. */
  readWindow(window: ShardWindow): Promise<ShardRecord[]>;
}

/** S3 notifications that failed every asynchronous attempt, saved as files. */
export interface SavedNotifications {
  list(): Promise<string[]>;
  read(name: string): Promise<string>;
  remove(name: string): Promise<void>;
}
