/**
 * Posts a batch to the ingest API the way a careful Segment client does: resends only what
 * a 503 lists as not written (by index, since a resent duplicate shares its messageId with
 * the original), after the Retry-After the server asks for. Uses an injected fetch and sleep
 * so that it is tested without a server or a clock.
 */
import type { WireMessage } from './corrupt.ts';

export interface BatchSenderDeps {
  fetch: typeof fetch;
  sleep: (ms: number) => Promise<void>;
  /** e.g. http://localhost:3000 */
  target: string;
  writeKey: string;
  maxAttempts?: number;
}

export interface BatchOutcome {
  /** Events the API wrote (answered 200 for). */
  accepted: number;
  /** Events the API refused as invalid. */
  rejected: number;
  /** Events resent after a 503. */
  retried: number;
}

export class IngestUnreachableError extends Error {
  constructor(target: string, cause: unknown) {
    super(`cannot reach ${target}: is \`npm start\` running?`, { cause });
    this.name = 'IngestUnreachableError';
  }
}

export class IngestRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IngestRefusedError';
  }
}

interface Answer {
  success?: boolean;
  accepted?: number;
  rejected?: Array<{ index?: number }>;
  notWritten?: Array<{ index?: number; messageId?: string }>;
  error?: string;
  /** What a local API Gateway puts in a 200 when the function failed. */
  errorMessage?: string;
}

async function readAnswer(response: Response): Promise<Answer> {
  try {
    return (await response.json()) as Answer;
  } catch {
    return {};
  }
}

export function makeBatchSender(deps: BatchSenderDeps) {
  const url = `${deps.target.replace(/\/$/, '')}/v1/batch`;
  const authorization = `Basic ${Buffer.from(`${deps.writeKey}:`).toString('base64')}`;
  const maxAttempts = deps.maxAttempts ?? 8;

  return async function sendBatch(batch: readonly WireMessage[]): Promise<BatchOutcome> {
    const outcome: BatchOutcome = { accepted: 0, rejected: 0, retried: 0 };
    let pending = batch;
    let last = '';
    for (let attempt = 1; attempt <= maxAttempts && pending.length > 0; attempt += 1) {
      let response: Response;
      try {
        response = await deps.fetch(url, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json' },
          body: JSON.stringify({ batch: pending }),
        });
      } catch (error: unknown) {
        throw new IngestUnreachableError(deps.target, error);
      }
      const answer = await readAnswer(response);
      last = `HTTP ${response.status} ${answer.error ?? answer.errorMessage ?? ''}`.trim();
      const rejected = answer.rejected?.length ?? 0;
      // Only the API's own answer says the events were written. A 200 with another body (a
      // local API Gateway wraps a timed-out or killed function's error in one) is a failure
      // of unknown outcome: the whole batch is resent, which deduplication makes safe.
      if (response.status === 200 && answer.success === true) {
        outcome.rejected += rejected;
        outcome.accepted += answer.accepted ?? pending.length - rejected;
        return outcome;
      }
      const listsNotWritten = response.status === 503 && answer.notWritten !== undefined;
      if (response.status === 200 || (response.status >= 500 && !listsNotWritten)) {
        outcome.retried += pending.length;
        await deps.sleep(retryAfterMs(response));
        continue;
      }
      if (response.status === 400 && answer.rejected) {
        // No event in the batch was valid: all of them are rejections, none is lost.
        outcome.rejected += pending.length;
        return outcome;
      }
      if (response.status === 401) {
        throw new IngestRefusedError(
          `${url} refused write key "${deps.writeKey}" (401): pass the right one with --write-key`,
        );
      }
      if (response.status !== 503) {
        const reason = answer.error ?? response.statusText ?? 'no reason given';
        throw new IngestRefusedError(`${url} answered HTTP ${response.status}: ${reason}`);
      }
      const notWritten = answer.notWritten ?? [];
      const indexes = new Set(
        notWritten.flatMap((n) => (typeof n.index === 'number' ? [n.index] : [])),
      );
      const rejectedIndexes = new Set(
        (answer.rejected ?? []).flatMap((r) => (typeof r.index === 'number' ? [r.index] : [])),
      );
      const next = pending.filter((_, i) => indexes.has(i));
      // A rejected event whose bad row was not written is resent, and counted when it is.
      const rejectedWritten = [...rejectedIndexes].filter((i) => !indexes.has(i)).length;
      const validNotWritten = [...indexes].filter((i) => !rejectedIndexes.has(i)).length;
      outcome.rejected += rejectedWritten;
      outcome.accepted += pending.length - rejectedIndexes.size - validNotWritten;
      outcome.retried += next.length;
      pending = next;
      await deps.sleep(retryAfterMs(response));
    }
    if (pending.length > 0) {
      throw new IngestRefusedError(
        `${pending.length} events still not written after ${maxAttempts} attempts (last answer: ${last})`,
      );
    }
    return outcome;
  };
}

function retryAfterMs(response: Response): number {
  const seconds = Number(response.headers.get('retry-after') ?? 1);
  return (Number.isFinite(seconds) && seconds >= 0 ? seconds : 1) * 1000;
}
