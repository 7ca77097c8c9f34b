import {
  IngestRefusedError,
  IngestUnreachableError,
  makeBatchSender,
  type BatchOutcome,
} from '../simulator/batch-sender.ts';
import type { WireMessage } from '../simulator/corrupt.ts';
import { Ledger, type LedgerSummary } from '../simulator/ledger.ts';
import type { SimulatorOptions } from '../simulator/options.ts';
import { simulate } from '../simulator/simulate-shop.ts';

/**
 * The seeded shop simulator's messages posted to /v1/batch at the pace the simulated shop
 * makes them (a steady `rate`), several requests in flight, with an honest client: an event
 * counts as sent only once its request was answered 200 (the simulator's sender resends what
 * a 503 lists); a request refused, unanswered (no answer within `requestTimeoutMs`) or failed
 * with a 5xx is sent again whole, same messageIds, as an SDK would, until `deadlineMs`.
 */
export interface HonestTrafficOptions {
  target: string;
  writeKey?: string;
  simulator: SimulatorOptions;
  batchSize?: number;
  /** A batch goes out once the next message is further away than this. */
  flushAfterMs?: number;
  concurrency?: number;
  requestTimeoutMs?: number;
  /** After this long resending one batch, give up on it (it is reported as not sent). */
  giveUpAfterMs?: number;
  onProgress?: (progress: TrafficProgress) => void;
}

export interface TrafficProgress {
  generated: number;
  answered: number;
  resentRequests: number;
  /** Events the client resent because a 503 listed them as not written. */
  retriedEvents: number;
}

export interface SentTraffic {
  ledger: LedgerSummary;
  validIds: Set<string>;
  invalidIds: Set<string>;
  validByName: Record<string, number>;
  server: BatchOutcome;
  requests: number;
  /** Whole requests sent again after no answer, a refused connection or a 5xx. */
  resentRequests: number;
  /** Messages never answered 200 (their batch was given up on): must be 0. */
  notSent: number;
  elapsedMs: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function sendHonestTraffic(options: HonestTrafficOptions): Promise<SentTraffic> {
  const requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
  const sendBatch = makeBatchSender({
    fetch: (url, init) => fetch(url, { ...init, signal: AbortSignal.timeout(requestTimeoutMs) }),
    sleep,
    target: options.target,
    writeKey: options.writeKey ?? 'local-write-key',
  });
  const ledger = new Ledger();
  const validIds = new Set<string>();
  const invalidIds = new Set<string>();
  const validByName: Record<string, number> = {};
  const server: BatchOutcome = { accepted: 0, rejected: 0, retried: 0 };
  const progress: TrafficProgress = {
    generated: 0,
    answered: 0,
    resentRequests: 0,
    retriedEvents: 0,
  };
  let requests = 0;
  let notSent = 0;
  const giveUpAfterMs = options.giveUpAfterMs ?? 300_000;

  const deliver = async (batch: WireMessage[]) => {
    const started = Date.now();
    for (let attempt = 0; ; attempt += 1) {
      requests += 1;
      try {
        const outcome = await sendBatch(batch);
        server.accepted += outcome.accepted;
        server.rejected += outcome.rejected;
        server.retried += outcome.retried;
        progress.retriedEvents += outcome.retried;
        progress.answered += batch.length;
        options.onProgress?.(progress);
        return;
      } catch (error) {
        const resend =
          error instanceof IngestUnreachableError ||
          (error instanceof IngestRefusedError && /not written/.test(error.message));
        if (!resend) throw error;
        if (Date.now() - started > giveUpAfterMs) {
          notSent += batch.length;
          return;
        }
        progress.resentRequests += 1;
        await sleep(Math.min(5_000, 250 * 2 ** Math.min(attempt, 5)));
      }
    }
  };

  const inFlight = new Set<Promise<void>>();
  const dispatch = async (batch: WireMessage[]) => {
    if (batch.length === 0) return;
    while (inFlight.size >= (options.concurrency ?? 8)) await Promise.race(inFlight);
    const sending = deliver(batch).finally(() => inFlight.delete(sending));
    inFlight.add(sending);
  };

  const startedAt = Date.now();
  const startMs = options.simulator.startMs ?? startedAt;
  const flushAfterMs = options.flushAfterMs ?? 100;
  const batchSize = options.batchSize ?? 100;
  let batch: WireMessage[] = [];
  for (const item of simulate({ ...options.simulator, startMs })) {
    const waitMs = startedAt + (item.atMs - startMs) - Date.now();
    if (waitMs > flushAfterMs) {
      await dispatch(batch);
      batch = [];
    }
    if (waitMs > 0) await sleep(waitMs);
    ledger.record(item);
    progress.generated += 1;
    const { message } = item;
    if (item.kind === 'valid') {
      validIds.add(message.messageId);
      const name = typeof message.event === 'string' ? message.event : `(${String(message.type)})`;
      validByName[name] = (validByName[name] ?? 0) + 1;
    } else if (item.kind === 'invalid') invalidIds.add(message.messageId);
    batch.push(message);
    if (batch.length >= batchSize) {
      await dispatch(batch);
      batch = [];
    }
  }
  await dispatch(batch);
  while (inFlight.size > 0) await Promise.all(inFlight);
  return {
    ledger: ledger.summary(),
    validIds,
    invalidIds,
    validByName,
    server,
    requests,
    resentRequests: progress.resentRequests,
    notSent,
    elapsedMs: Date.now() - startedAt,
  };
}
