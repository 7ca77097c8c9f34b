import type { InvokeResult } from '../lambda-invoker.ts';
import type { ShardRecord } from './event.ts';

/** What one invocation means for the batch, in the terms of Lambda's stream docs. */
export type Outcome =
  | { kind: 'success'; state?: Record<string, unknown> }
  /** ReportBatchItemFailures: records before `index` are done, the rest are retried. */
  | { kind: 'partial'; index: number; state?: Record<string, unknown> }
  /** The function ran and failed (threw, timed out): counts against the retry quota. */
  | { kind: 'function-error'; errorType: string; errorMessage: string }
  /** The function succeeded but its answer is unusable: the whole batch failed. */
  | { kind: 'bad-response'; reason: string }
  /** Lambda could not run the function (throttled, missing): retried until records expire. */
  | { kind: 'service-error'; errorType: string; errorMessage: string };

export interface ResponseRules {
  reportBatchItemFailures: boolean;
  tumblingWindow: boolean;
}

export function classify(
  result: InvokeResult,
  records: readonly ShardRecord[],
  rules: ResponseRules,
): Outcome {
  if (!result.ok) {
    // The origin decides, never the name: an SDK error the function let escape (say a
    // ResourceNotFoundException from its own DynamoDB call) is a function error, retried and
    // bisected like any other, reported as `functionError: "Unhandled"`. Only errors of the
    // Invoke API itself (throttled, missing function) are "before invocation" errors, which AWS
    // retries until the records expire without using the retry quota
    // (https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html).
    const kind = result.source === 'service' ? 'service-error' : 'function-error';
    return { kind, errorType: result.errorType, errorMessage: result.errorMessage };
  }
  const payload = result.payload;
  let state: Record<string, unknown> | undefined;
  if (rules.tumblingWindow) {
    // "If the response does not contain a state property, Lambda considers this a failed
    // invocation" (tumbling windows, Aggregation and processing).
    const candidate = isObject(payload) ? payload.state : undefined;
    if (!isObject(candidate)) {
      return { kind: 'bad-response', reason: 'the response has no state object' };
    }
    state = candidate;
  }
  // Without ReportBatchItemFailures, Lambda does not read batchItemFailures at all.
  if (!rules.reportBatchItemFailures || !isObject(payload)) return { kind: 'success', state };
  const failures = payload.batchItemFailures;
  if (failures === undefined || failures === null) return { kind: 'success', state };
  if (!Array.isArray(failures)) {
    return { kind: 'bad-response', reason: 'batchItemFailures is not a list' };
  }
  if (failures.length === 0) return { kind: 'success', state };
  let lowest = Number.POSITIVE_INFINITY;
  for (const failure of failures) {
    const id: unknown = isObject(failure) ? failure.itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '') {
      return { kind: 'bad-response', reason: 'an itemIdentifier is missing, null or empty' };
    }
    const index = records.findIndex((record) => record.sequenceNumber === id);
    if (index < 0) {
      return { kind: 'bad-response', reason: `itemIdentifier ${id} is not in the batch` };
    }
    lowest = Math.min(lowest, index);
  }
  // The lowest reported sequence number becomes the checkpoint; everything from it is retried.
  return { kind: 'partial', index: lowest, state };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
