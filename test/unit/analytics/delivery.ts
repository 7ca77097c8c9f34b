import fc from 'fast-check';
import { accumulate } from '../../../shared/analytics/accumulate.ts';
import {
  emitRows,
  type MetricsRow,
  type ProductMetricsRow,
  type WindowKey,
} from '../../../shared/analytics/metric-rows.ts';
import {
  emptyState,
  isStateTooLarge,
  nextPartState,
  type WindowState,
} from '../../../shared/analytics/window-state.ts';
import type { StreamRecord } from '../../../shared/event-contract/clickstream-event.ts';

/**
 * Kinesis and Lambda as the aggregate function sees them, in miniature: records spread
 * over shards by partition key, each shard's window cut into batches, some batches
 * delivered twice or retried after a failed invocation, some windows ended early into
 * parts. Rows go into maps keyed as the warehouse tables are, so a re-emission replaces.
 */
export type Step =
  | 'ok'
  /** Counted, then delivered again (a retry after a partial batch failure). */
  | 'redeliver'
  /** The invocation fails after counting: Lambda retries from the state before it. */
  | 'failThenRetry'
  /** The state is declared too large: the part is emitted and the window goes on. */
  | 'endPart'
  /** As endPart, but the invocation fails after writing the rows, so they are written twice. */
  | 'endPartFailThenRetry';

export interface DeliveryPlan {
  shards: number;
  batchSizes: number[];
  steps: Step[];
}

export const deliveryPlan: fc.Arbitrary<DeliveryPlan> = fc.record({
  shards: fc.integer({ min: 1, max: 4 }),
  batchSizes: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 6 }),
  steps: fc.array(
    fc.constantFrom<Step>(
      'ok',
      'ok',
      'redeliver',
      'failThenRetry',
      'endPart',
      'endPartFailThenRetry',
    ),
    { minLength: 1, maxLength: 8 },
  ),
});

export interface Arrival {
  record: StreamRecord;
  partitionKey: string;
  window: number;
  /** Records later on the same shard at which copies of this record arrive again. */
  resends: number[];
}

export interface Delivered {
  metrics: Map<string, MetricsRow>;
  products: Map<string, ProductMetricsRow>;
  /** Records handed to invocations whose state was kept, per window start. */
  recordsCounted: Map<string, number>;
}

export const windowStart = (window: number) =>
  new Date(Date.UTC(2026, 10, 25, 10, window)).toISOString();

/** A stable string hash: which shard a partition key lands on (Kinesis uses MD5 ranges). */
function shardOf(partitionKey: string, shards: number): number {
  let hash = 0;
  for (const char of partitionKey) hash = (Math.imul(hash, 31) + (char.codePointAt(0) ?? 0)) >>> 0;
  return hash % shards;
}

/** Each shard's records per window, in arrival order, resends included. */
function streams(arrivals: readonly Arrival[], shards: number): Map<string, StreamRecord[]> {
  const byShardWindow = new Map<string, StreamRecord[]>();
  const resends: Array<[StreamRecord[], number, StreamRecord]> = [];
  for (const arrival of arrivals) {
    const key = `${arrival.window}|${shardOf(arrival.partitionKey, shards)}`;
    let stream = byShardWindow.get(key);
    if (!stream) byShardWindow.set(key, (stream = []));
    stream.push(arrival.record);
    for (const later of arrival.resends)
      resends.push([stream, stream.length + later, arrival.record]);
  }
  for (const [stream, at, record] of resends) stream.splice(Math.min(at, stream.length), 0, record);
  return byShardWindow;
}

export function deliver(arrivals: readonly Arrival[], plan: DeliveryPlan): Delivered {
  const delivered: Delivered = {
    metrics: new Map(),
    products: new Map(),
    recordsCounted: new Map(),
  };
  for (const [key, stream] of streams(arrivals, plan.shards)) {
    const [window = '0', shard = '0'] = key.split('|');
    const windowKey: WindowKey = {
      windowStart: windowStart(Number(window)),
      windowEnd: windowStart(Number(window) + 1),
      shardId: `shardId-${shard.padStart(12, '0')}`,
    };
    runWindow(stream, windowKey, plan, delivered);
  }
  return delivered;
}

function runWindow(stream: StreamRecord[], window: WindowKey, plan: DeliveryPlan, out: Delivered) {
  const write = (state: WindowState) => {
    const rows = emitRows(state, window);
    const key = `${window.windowStart}|${window.shardId}|${rows.metrics.part}`;
    out.metrics.set(key, rows.metrics);
    for (const row of rows.products) out.products.set(`${key}|${row.productId}`, row);
  };
  const counted = (n: number) =>
    out.recordsCounted.set(
      window.windowStart,
      (out.recordsCounted.get(window.windowStart) ?? 0) + n,
    );

  let state = emptyState();
  for (let at = 0, i = 0; at < stream.length; i += 1) {
    const size = plan.batchSizes[i % plan.batchSizes.length] ?? 1;
    const batch = stream.slice(at, at + size);
    at += size;
    const step = plan.steps[i % plan.steps.length] ?? 'ok';
    let next = accumulate(state, batch);
    counted(batch.length);
    if (step === 'redeliver') {
      next = accumulate(next, batch);
      counted(batch.length);
    }
    if (step === 'failThenRetry' || step === 'endPartFailThenRetry') {
      if (step === 'endPartFailThenRetry') write(next);
      next = accumulate(state, batch);
    }
    if (step === 'endPart' || step === 'endPartFailThenRetry' || isStateTooLarge(next)) {
      write(next);
      next = nextPartState(next);
    }
    state = next;
  }
  write(state);
}
