import { makeBatchSender, type BatchOutcome } from '../../tools/simulator/batch-sender.ts';
import type { WireMessage } from '../../tools/simulator/corrupt.ts';
import { Ledger, type LedgerSummary } from '../../tools/simulator/ledger.ts';
import type { SimulatorOptions } from '../../tools/simulator/options.ts';
import { simulate } from '../../tools/simulator/simulate-shop.ts';

/**
 * The shopper simulator's messages sent to a running API in /v1/batch requests through the
 * simulator's own sender (resends what a 503 lists, after Retry-After), several requests in
 * flight at once and not paced: as fast as the stack takes them. Returns the ledger and the
 * messageIds of each kind, so a test can compare sets and not only counts.
 */
export interface TrafficOptions {
  target: string;
  writeKey?: string;
  simulator: SimulatorOptions;
  /** Events per request (the simulator CLI sends 100). */
  batchSize?: number;
  /** Requests in flight at once. */
  concurrency?: number;
  /** The HTTP client (default: the global fetch); a crash test passes one that waits out a restart. */
  fetch?: typeof fetch;
  /** Told of every request once the API answered 200 for all of it. */
  onBatch?: (batch: readonly WireMessage[], postedAtMs: number, answeredAtMs: number) => void;
}

export interface SentTraffic {
  ledger: LedgerSummary;
  /** Unique valid messageIds (what `events` must hold), and the injected invalid ones. */
  validIds: Set<string>;
  invalidIds: Set<string>;
  /** Unique valid events by event name (type in parentheses for page/identify). */
  validByName: Record<string, number>;
  server: BatchOutcome;
  requests: number;
  elapsedMs: number;
}

export async function sendSimulatedTraffic(options: TrafficOptions): Promise<SentTraffic> {
  const sendBatch = makeBatchSender({
    fetch: options.fetch ?? fetch,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    target: options.target,
    writeKey: options.writeKey ?? 'local-write-key',
  });
  const batchSize = options.batchSize ?? 100;
  const ledger = new Ledger();
  const validIds = new Set<string>();
  const invalidIds = new Set<string>();
  const validByName: Record<string, number> = {};
  const batches: WireMessage[][] = [[]];
  for (const item of simulate(options.simulator)) {
    ledger.record(item);
    const { message } = item;
    if (item.kind === 'valid') {
      validIds.add(message.messageId);
      const name = typeof message.event === 'string' ? message.event : `(${String(message.type)})`;
      validByName[name] = (validByName[name] ?? 0) + 1;
    } else if (item.kind === 'invalid') invalidIds.add(message.messageId);
    let last = batches[batches.length - 1] as WireMessage[];
    if (last.length >= batchSize) batches.push((last = []));
    last.push(message);
  }

  const server: BatchOutcome = { accepted: 0, rejected: 0, retried: 0 };
  const startedAt = Date.now();
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++] as WireMessage[];
      const postedAt = Date.now();
      const outcome = await sendBatch(batch);
      options.onBatch?.(batch, postedAt, Date.now());
      server.accepted += outcome.accepted;
      server.rejected += outcome.rejected;
      server.retried += outcome.retried;
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 4 }, worker));
  return {
    ledger: ledger.summary(),
    validIds,
    invalidIds,
    validByName,
    server,
    requests: batches.length,
    elapsedMs: Date.now() - startedAt,
  };
}
