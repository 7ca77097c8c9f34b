import { chunkForPutRecords, PUT_RECORDS_LIMITS, type ChunkLimits } from './chunk.ts';
import {
  errorName,
  type CallBounds,
  type StreamEntry,
  type StreamWriter,
} from './stream-writer.ts';

export interface RetryPolicy {
  /** Total time allowed for all attempts, including waits. */
  budgetMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export interface RetryClock {
  now(): number;
  sleep(ms: number): Promise<void>;
  /** Uniform in [0, 1): the jitter source. */
  random(): number;
}

export const systemClock: RetryClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  random: Math.random,
};

/** The least time a call is given, even when the budget is almost spent. */
const MIN_CALL_TIMEOUT_MS = 100;
/** One call may take at most this share of the budget, so a hung call leaves room to retry. */
const CALLS_PER_BUDGET = 3;

export interface FailedEntry {
  index: number;
  errorCode: string;
  errorMessage: string;
}

export interface PutOutcome {
  /** Entries not written when the budget ran out or the error was permanent. */
  failed: FailedEntry[];
  /** PutRecords calls made, retries included. */
  calls: number;
  attempts: number;
}

/** Entry and call errors worth another try: throttling and transient service faults. */
const RETRYABLE = new Set([
  'ProvisionedThroughputExceededException',
  'InternalFailure',
  'InternalFailureException',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'LimitExceededException',
  'KMSThrottlingException',
  'ThrottlingException',
  'TimeoutError',
  'RequestTimeout',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
]);

export function isRetryable(code: string): boolean {
  return RETRYABLE.has(code);
}

/**
 * Writes every entry with PutRecords, retrying only the entries that failed (a 200 answer
 * can carry FailedRecordCount > 0), with exponential backoff and full jitter, inside a time
 * budget. Never reports an entry as written that Kinesis did not acknowledge.
 */
export async function putRecordsWithRetry(
  writer: StreamWriter,
  entries: readonly StreamEntry[],
  policy: RetryPolicy,
  clock: RetryClock = systemClock,
  limits: ChunkLimits = PUT_RECORDS_LIMITS,
): Promise<PutOutcome> {
  const deadline = clock.now() + policy.budgetMs;
  const failed: FailedEntry[] = [];
  const lastError = new Map<number, FailedEntry>();
  let pending = entries.map((_, index) => index);
  let calls = 0;
  let attempt = 0;
  const callShare = Math.ceil(policy.budgetMs / CALLS_PER_BUDGET);

  while (pending.length > 0) {
    attempt += 1;
    const attemptFailures: AttemptFailures = { retry: [], failed, lastError };
    const chunks = chunkForPutRecords(entries, pending, limits);
    calls += chunks.length;
    // Most requests are one chunk: awaited as it is, without Promise.all around it.
    // No call may outlive the budget, nor take all of it: a hung request ends as a retryable
    // TimeoutError with time left to try again.
    const bounds = {
      timeoutMs: Math.max(MIN_CALL_TIMEOUT_MS, Math.min(deadline - clock.now(), callShare)),
    };
    if (chunks.length === 1)
      await putChunk(writer, entries, chunks[0] as number[], bounds, attemptFailures);
    else
      await Promise.all(
        chunks.map((chunk) => putChunk(writer, entries, chunk, bounds, attemptFailures)),
      );
    const { retry } = attemptFailures;
    if (retry.length === 0) break;

    const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
    const delay = Math.floor(clock.random() * ceiling);
    if (clock.now() + delay >= deadline) {
      for (const index of retry) failed.push(lastError.get(index) ?? timeoutFailure(index));
      break;
    }
    await clock.sleep(delay);
    pending = retry.sort((a, b) => a - b);
  }
  failed.sort((a, b) => a.index - b.index);
  return { failed, calls, attempts: attempt };
}

/** Where the entries that failed in one attempt go: retried, or failed for good. */
interface AttemptFailures {
  retry: number[];
  failed: FailedEntry[];
  lastError: Map<number, FailedEntry>;
}

function noteFailure(
  into: AttemptFailures,
  index: number,
  errorCode: string,
  errorMessage: string,
): void {
  const failure = { index, errorCode, errorMessage };
  if (isRetryable(errorCode)) {
    into.retry.push(index);
    into.lastError.set(index, failure);
  } else into.failed.push(failure);
}

/** One PutRecords call of the entries at `chunk`; its failures noted, never thrown. */
async function putChunk(
  writer: StreamWriter,
  entries: readonly StreamEntry[],
  chunk: readonly number[],
  bounds: CallBounds,
  into: AttemptFailures,
): Promise<void> {
  try {
    const outcomes = await writer.putRecords(
      chunk.map((index) => entries[index] as StreamEntry),
      bounds,
    );
    for (let position = 0; position < chunk.length; position++) {
      const index = chunk[position] as number;
      const outcome = outcomes[position];
      if (outcome === undefined)
        noteFailure(into, index, 'InternalFailure', 'no result for this entry');
      else if (!outcome.ok) noteFailure(into, index, outcome.errorCode, outcome.errorMessage);
    }
  } catch (error) {
    const code = callErrorCode(error);
    const message = error instanceof Error ? error.message : String(error);
    for (const index of chunk) noteFailure(into, index, code, message);
  }
}

function callErrorCode(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && RETRYABLE.has(code)) return code;
  const name = errorName(error);
  const status = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata
    ?.httpStatusCode;
  if (status !== undefined && status >= 500 && !RETRYABLE.has(name)) return 'InternalFailure';
  return name;
}

function timeoutFailure(index: number): FailedEntry {
  return { index, errorCode: 'RetryBudgetExhausted', errorMessage: 'retry budget exhausted' };
}
