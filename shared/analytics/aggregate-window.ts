import { accumulate } from './accumulate.ts';
import { emitRows, type EmittedRows } from './metric-rows.ts';
import { isStateTooLarge, nextPartState, restoreState, type WindowState } from './window-state.ts';
import type { StreamRecord } from '../event-contract/clickstream-event.ts';
import { PUT_RECORD_BATCH_LIMITS } from '../adapters/firehose/firehose-writer.ts';
import {
  putRecordsWithRetry,
  type RetryClock,
  type RetryPolicy,
} from '../adapters/stream-writer/put-records-with-retry.ts';
import type { StreamEntry, StreamWriter } from '../adapters/stream-writer/stream-writer.ts';
import { decodeRecord, type KinesisRecordIn } from './decode-stream-records.ts';

/** The tumbling-window event Lambda sends (the fields we use; shardId is documented, not typed). */
export interface TumblingWindowInput {
  Records: KinesisRecordIn[];
  window: { start: string; end: string };
  state?: Record<string, unknown> | null;
  shardId?: string;
  isFinalInvokeForWindow: boolean;
  isWindowTerminatedEarly?: boolean;
}

export interface TumblingWindowOutput {
  state: Record<string, unknown>;
  batchItemFailures: Array<{ itemIdentifier: string }>;
}

export interface AggregateDeps {
  /** The metrics delivery stream (Firehose), behind the stream-writer port. */
  metrics: StreamWriter;
  retry: RetryPolicy;
  clock?: RetryClock;
  onPoison?: (sequenceNumber: string, reason: string) => void;
  onEmit?: (rows: EmittedRows) => void;
}

/** Rows could not all be delivered: the invocation fails so Lambda retries it with the old state. */
export class MetricsDeliveryError extends Error {
  constructor(failed: number) {
    super(`${failed} metrics rows were not accepted by the delivery stream`);
    this.name = 'MetricsDeliveryError';
  }
}

/**
 * One invocation of a shard's tumbling window. A poison record (not base64 JSON, a broken KPL
 * aggregate, JSON of another shape: anything a writer other than the ingest put on the
 * stream) is counted as a rejected record of its window, once by its sequence number, and
 * logged with its reason: failing it would make Lambda retry it, stalling the shard, then
 * discard the good records after it in the batch to the on-failure destination. Its bad row
 * with the reason comes from the Firehose transform (processing-failed output).
 * On the final invoke the window's rows go to the metrics stream and the state is reset; a
 * state near Lambda's 1 MB cap ends the current part early and starts the next.
 */
export async function aggregateWindow(
  event: TumblingWindowInput,
  deps: AggregateDeps,
): Promise<TumblingWindowOutput> {
  let state = restoreState(event.state);
  const records: StreamRecord[] = [];
  for (const record of event.Records) {
    const decoded = decodeRecord(record);
    if (!decoded.ok) {
      deps.onPoison?.(decoded.sequenceNumber, decoded.reason);
      records.push(poisonRecord(decoded.sequenceNumber, decoded.reason, event.window.start));
      continue;
    }
    records.push(...decoded.records);
  }
  state = accumulate(state, records);

  const window = {
    windowStart: event.window.start,
    windowEnd: event.window.end,
    shardId: event.shardId ?? 'unknown',
  };
  if (event.isFinalInvokeForWindow) {
    await emit(emitRows(state, window), deps);
    return { state: {}, batchItemFailures: [] };
  }
  if (isStateTooLarge(state)) {
    await emit(emitRows(state, window), deps);
    state = nextPartState(state);
  }
  return { state: asJson(state), batchItemFailures: [] };
}

/** The id a poison record counts under: its sequence number, unique on its shard. */
export const poisonMessageId = (sequenceNumber: string) => `poison:${sequenceNumber}`;

function poisonRecord(sequenceNumber: string, reason: string, receivedAt: string): StreamRecord {
  return {
    type: 'rejected',
    messageId: poisonMessageId(sequenceNumber),
    receivedAt,
    reasons: [reason],
    payload: null,
  };
}

async function emit(rows: EmittedRows, deps: AggregateDeps): Promise<void> {
  // Nothing happened in this part: no row, so empty windows cost the warehouse nothing.
  if (rows.metrics.events === 0 && rows.metrics.rejectedEvents === 0 && rows.products.length === 0)
    return;
  const lines = [
    { kind: 'window_metrics', ...rows.metrics },
    ...rows.products.map((product) => ({ kind: 'product_metrics', ...product })),
  ];
  const entries: StreamEntry[] = lines.map((line) => ({
    partitionKey: '',
    data: Buffer.from(`${JSON.stringify(line)}\n`, 'utf8'),
  }));
  const outcome = await putRecordsWithRetry(
    deps.metrics,
    entries,
    deps.retry,
    deps.clock,
    PUT_RECORD_BATCH_LIMITS,
  );
  if (outcome.failed.length > 0) throw new MetricsDeliveryError(outcome.failed.length);
  deps.onEmit?.(rows);
}

function asJson(state: WindowState): Record<string, unknown> {
  return state as unknown as Record<string, unknown>;
}
