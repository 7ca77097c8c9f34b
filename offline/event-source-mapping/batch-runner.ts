import type { InvokeResult } from '../lambda-invoker.ts';
import { invocationRecord, type FailureCondition } from './destination.ts';
import type { ShardRecord } from './event.ts';
import { classify, type Outcome } from './response.ts';
import { pause, type Runtime } from './runtime.ts';

/** How a batch runner talks to the worker that owns the batch. */
export interface BatchHooks {
  /** The event for these records (a plain batch, or a window invoke with its state). */
  event(records: readonly ShardRecord[]): unknown;
  /** These records were processed; `state` is a tumbling window's new state. */
  processed(records: readonly ShardRecord[], state: Record<string, unknown> | undefined): void;
  /** These records were given up on and described to the on-failure destination. */
  discarded(records: readonly ShardRecord[]): void;
}

/** Records that fail together, with what they have used of the retry policy. */
interface Segment {
  records: ShardRecord[];
  retries: number;
  invokes: number;
  serviceErrors: number;
  functionError: string | null;
}

/**
 * Runs one batch to completion the way Lambda's Kinesis poller does: invoke; on a function
 * error retry (MaximumRetryAttempts, -1 = until the records expire or pass
 * MaximumRecordAgeInSeconds) or, with BisectBatchOnFunctionError, split the batch in two and
 * run the halves in order; "splitting a batch does not count towards the retry quota", so
 * only a failure that cannot be split uses a retry. With ReportBatchItemFailures the records
 * before the lowest reported sequence number are done and the rest is retried; with bisect
 * as well, "the batch is bisected at the returned sequence number" (no retry used when that
 * made progress). A batch that runs out of retries or age is discarded: the on-failure
 * destination gets an invocation record and the shard moves on.
 *
 * Returns false when the mapping stopped before the batch finished: its unfinished records
 * stay uncommitted and are read again after a restart.
 */
export async function runBatch(
  runtime: Runtime,
  records: ShardRecord[],
  hooks: BatchHooks,
): Promise<boolean> {
  const { config } = runtime;
  const rules = {
    reportBatchItemFailures: config.functionResponseTypes.includes('ReportBatchItemFailures'),
    tumblingWindow: config.tumblingWindowInSeconds > 0,
  };
  const queue: Segment[] = [
    { records, retries: 0, invokes: 0, serviceErrors: 0, functionError: null },
  ];
  for (let segment = queue[0]; segment; segment = queue[0]) {
    if (runtime.stopping.aborted) return false;
    const expired = expiredPrefix(runtime, segment.records);
    if (expired > 0) {
      await discard(
        runtime,
        segment.records.splice(0, expired),
        segment,
        'RecordAgeExceeded',
        hooks,
      );
      if (segment.records.length === 0) queue.shift();
      continue;
    }
    const result = await invokeSafely(runtime, hooks.event(segment.records));
    const outcome = classify(result, segment.records, rules);
    if (outcome.kind === 'service-error') {
      // The function never ran: no retry is used and nothing is split (AWS retries these
      // "until the records expire or exceed the maximum age").
      runtime.counters.lastProcessingResult = `PROBLEM: ${outcome.errorType}`;
      runtime.log.warn('could not invoke the function; retrying', {
        functionName: config.functionName,
        errorType: outcome.errorType,
        errorMessage: outcome.errorMessage,
      });
      segment.serviceErrors += 1;
      if (!(await pause(runtime, retryDelay(runtime, segment.serviceErrors)))) return false;
      continue;
    }
    segment.invokes += 1;
    runtime.counters.invocations += 1;
    if (outcome.kind === 'success') {
      runtime.counters.lastProcessingResult = 'OK';
      hooks.processed(segment.records, outcome.state);
      queue.shift();
      continue;
    }
    runtime.counters.failedInvocations += 1;
    runtime.counters.lastProcessingResult = problem(outcome);
    logFailure(runtime, segment, outcome);
    if (outcome.kind === 'partial') {
      if (outcome.index > 0)
        hooks.processed(segment.records.splice(0, outcome.index), outcome.state);
      segment.functionError = null;
      if (config.bisectBatchOnFunctionError && outcome.index > 0) continue;
    } else {
      segment.functionError = outcome.kind === 'function-error' ? 'Unhandled' : null;
      if (config.bisectBatchOnFunctionError && segment.records.length > 1) {
        queue.splice(0, 1, ...bisect(segment));
        continue;
      }
    }
    segment.retries += 1;
    const limit = config.maximumRetryAttempts;
    if (limit !== -1 && segment.retries > limit) {
      await discard(runtime, segment.records, segment, 'RetryAttemptsExhausted', hooks);
      queue.shift();
      continue;
    }
    if (!(await pause(runtime, retryDelay(runtime, segment.retries)))) return false;
  }
  return true;
}

/** Two halves that inherit the retries and invocations of the batch they came from. */
function bisect(segment: Segment): Segment[] {
  const middle = Math.ceil(segment.records.length / 2);
  return [segment.records.slice(0, middle), segment.records.slice(middle)].map((records) => ({
    ...segment,
    records,
  }));
}

/** Records past MaximumRecordAgeInSeconds or the stream's retention, oldest first. */
function expiredPrefix(runtime: Runtime, records: readonly ShardRecord[]): number {
  const maxAgeSeconds = runtime.config.maximumRecordAgeInSeconds;
  const limitMs = maxAgeSeconds === -1 ? runtime.retentionMs : maxAgeSeconds * 1000;
  const now = runtime.clock.now();
  let count = 0;
  while (count < records.length && now - (records[count]?.arrivalMs ?? now) > limitMs) count += 1;
  return count;
}

async function discard(
  runtime: Runtime,
  records: ShardRecord[],
  segment: Segment,
  condition: FailureCondition,
  hooks: BatchHooks,
): Promise<void> {
  runtime.counters.recordsDiscarded += records.length;
  if (records.length === 0) {
    // A tumbling window's final invoke carries no records: nothing to point a reader at.
    runtime.log.error('gave up on a final window invoke; its state is dropped', {
      functionName: runtime.config.functionName,
      condition,
    });
    hooks.discarded(records);
    return;
  }
  const record = invocationRecord(records, {
    functionArn: runtime.functionArn,
    streamArn: runtime.config.streamArn,
    condition,
    invokeCount: segment.invokes,
    functionError: segment.functionError,
    now: runtime.clock.now(),
  });
  runtime.log.warn('discarding records', { condition, batchInfo: record.KinesisBatchInfo });
  if (runtime.destination) {
    const sent = await sendWithRetries(runtime, () =>
      runtime.destination ? runtime.destination.send(record, records) : Promise.resolve(),
    );
    if (sent) runtime.counters.failureRecordsSent += 1;
    // Never lost silently: what could not be sent stays in the log for a person to replay.
    else runtime.log.error('gave up sending to the on-failure destination', { record });
  } else {
    // No destination configured: AWS drops the batch silently; we at least log what went.
    runtime.log.error('discarded records with no on-failure destination', { record });
  }
  hooks.discarded(records);
}

async function sendWithRetries(runtime: Runtime, send: () => Promise<void>): Promise<boolean> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await send();
      return true;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      runtime.log.warn('could not send to the on-failure destination', { attempt, message });
      if (attempt >= 3 || !(await pause(runtime, retryDelay(runtime, attempt)))) return false;
    }
  }
}

/** The port promises an answer, but a broken adapter must not stop the shard for good. */
async function invokeSafely(runtime: Runtime, event: unknown): Promise<InvokeResult> {
  try {
    return await runtime.invoker.invoke(runtime.config.functionName, event);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, errorType: 'InvokeError', errorMessage: message, source: 'service' };
  }
}

function retryDelay(runtime: Runtime, attempt: number): number {
  const { retryBaseDelayMs, retryMaxDelayMs } = runtime.timing;
  return Math.min(retryMaxDelayMs, retryBaseDelayMs * 2 ** Math.max(0, attempt - 1));
}

function problem(outcome: Outcome): string {
  if (outcome.kind === 'partial') return 'PROBLEM: Function reported batch item failures';
  if (outcome.kind === 'bad-response') return `PROBLEM: ${outcome.reason}`;
  return 'PROBLEM: Function call failed';
}

function logFailure(runtime: Runtime, segment: Segment, outcome: Outcome): void {
  const first = segment.records[0]?.sequenceNumber;
  runtime.log.warn('batch failed', {
    functionName: runtime.config.functionName,
    shardId: segment.records[0]?.shardId,
    firstSequenceNumber: first,
    size: segment.records.length,
    ...outcome,
  });
}
