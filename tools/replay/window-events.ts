import type { DeadBatch } from './on-failure-record.ts';
import type { ShardRecord } from './replay-ports.ts';

/**
 * Tumbling-window invocations that recompute a window of a shard. Lambda aligns windows to
 * the epoch on each record's arrival time, per shard; the replay does the same, so the
 * records are counted in the window they arrived in, not in the one that is open now.
 *
 * The invocations name the real shard: they carry every record of the window, so the rows
 * they emit, keyed (window_start, shard_id, part), are the window's complete figures and
 * replace the incomplete ones it had (the load replaces metrics rows on their key); a second
 * replay replaces them with the same figures.
 */
export interface ReplayWindow {
  startMs: number;
  endMs: number;
  records: ShardRecord[];
}

/** Record bytes per invocation: the 6 MB payload cap less a state of up to 1 MB. */
export const WINDOW_INVOKE_RECORD_BYTES = 4 * 1024 * 1024;

export function windowsOf(records: readonly ShardRecord[], windowSeconds: number): ReplayWindow[] {
  const lengthMs = windowSeconds * 1000;
  const windows = new Map<number, ReplayWindow>();
  for (const record of records) {
    const startMs = Math.floor(record.arrivalMs / lengthMs) * lengthMs;
    const window = windows.get(startMs) ?? { startMs, endMs: startMs + lengthMs, records: [] };
    window.records.push(record);
    windows.set(startMs, window);
  }
  return [...windows.values()].sort((a, b) => a.startMs - b.startMs);
}

export interface WindowInvocation {
  batch: DeadBatch;
  window: ReplayWindow;
  records: readonly ShardRecord[];
  state: Record<string, unknown>;
  final: boolean;
}

/** The event Lambda sends a tumbling-window function (KinesisStreamTumblingWindowEvent). */
export function windowEvent(invocation: WindowInvocation) {
  const { batch, window } = invocation;
  const [, , , region = '', account = ''] = batch.streamArn.split(':');
  return {
    Records: invocation.records.map((record) => ({
      kinesis: {
        kinesisSchemaVersion: '1.0',
        partitionKey: record.partitionKey,
        sequenceNumber: record.sequenceNumber,
        data: Buffer.from(record.data).toString('base64'),
        approximateArrivalTimestamp: record.arrivalMs / 1000,
      },
      eventSource: 'aws:kinesis',
      eventVersion: '1.0',
      // The real shard: the record's identity does not change because it is replayed.
      eventID: `${batch.shardId}:${record.sequenceNumber}`,
      eventName: 'aws:kinesis:record',
      invokeIdentityArn: `arn:aws:iam::${account}:role/${batch.functionName}-replay`,
      awsRegion: region,
      eventSourceARN: batch.streamArn,
    })),
    window: { start: isoSeconds(window.startMs), end: isoSeconds(window.endMs) },
    state: invocation.state,
    shardId: batch.shardId,
    eventSourceARN: batch.streamArn,
    isFinalInvokeForWindow: invocation.final,
    isWindowTerminatedEarly: false,
  };
}

/** How many of `records` go in the next invocation: at least one, within the byte budget. */
export function chunkLength(
  records: readonly ShardRecord[],
  maxBytes = WINDOW_INVOKE_RECORD_BYTES,
): number {
  let bytes = 0;
  let count = 0;
  for (const record of records) {
    // base64 (4/3 of the data) plus the entry's fields.
    bytes += Math.ceil(record.data.length / 3) * 4 + 600;
    if (count > 0 && bytes > maxBytes) break;
    count += 1;
  }
  return count;
}

export type WindowAnswer =
  | { ok: true; state: Record<string, unknown>; failedSequenceNumber?: string }
  | { ok: false; reason: string };

/** `{state, batchItemFailures}`, as a tumbling-window function must answer. */
export function readWindowAnswer(payload: unknown): WindowAnswer {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
    return { ok: false, reason: 'the function answered no {state, batchItemFailures} object' };
  const { state, batchItemFailures } = payload as Record<string, unknown>;
  const okState =
    typeof state === 'object' && state !== null && !Array.isArray(state)
      ? (state as Record<string, unknown>)
      : {};
  if (batchItemFailures === undefined || batchItemFailures === null)
    return { ok: true, state: okState };
  if (!Array.isArray(batchItemFailures))
    return { ok: false, reason: 'batchItemFailures is not a list' };
  const identifiers = (batchItemFailures as unknown[]).map((item) =>
    typeof item === 'object' && item !== null && 'itemIdentifier' in item
      ? item.itemIdentifier
      : undefined,
  );
  if (identifiers.some((id) => typeof id !== 'string' || !/^\d+$/.test(id)))
    return { ok: false, reason: 'a batchItemFailures itemIdentifier is not a sequence number' };
  // As Lambda does: the lowest reported sequence number is where processing stopped.
  const lowest = (identifiers as string[]).reduce<string | undefined>(
    (min, id) => (min === undefined || BigInt(id) < BigInt(min) ? id : min),
    undefined,
  );
  return lowest === undefined
    ? { ok: true, state: okState }
    : { ok: true, state: okState, failedSequenceNumber: lowest };
}

/** Window bounds are whole seconds; Lambda writes them without milliseconds. */
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
