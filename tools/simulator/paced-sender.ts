/**
 * The simulator's messages sent at the pace the simulated shop makes them, in /v1/batch
 * requests of at most `maxBatch`, each flushed once the next message is more than
 * `flushAfterMs` away. Records every message in the ledger as it goes, so a run stopped
 * early still knows exactly what it sent.
 */
import { makeBatchSender, type BatchOutcome } from './batch-sender.ts';
import type { WireMessage } from './corrupt.ts';
import type { Ledger } from './ledger.ts';
import type { SimulatorOptions } from './options.ts';
import { simulate } from './simulate-shop.ts';

export interface PacedSendOptions {
  simulator: SimulatorOptions;
  target: string;
  writeKey: string;
  ledger: Ledger;
  maxBatch?: number;
  flushAfterMs?: number;
  /** Asked before each message; true stops the run (the queued batch is still sent). */
  stopping?: () => boolean;
  /** After every request: messages sent so far and the API's answers. */
  onProgress?: (sent: number, server: BatchOutcome) => void;
  fetch?: typeof fetch;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function sendPaced(options: PacedSendOptions): Promise<BatchOutcome> {
  const sendBatch = makeBatchSender({
    fetch: options.fetch ?? fetch,
    sleep,
    target: options.target,
    writeKey: options.writeKey,
  });
  const maxBatch = options.maxBatch ?? 100;
  const flushAfterMs = options.flushAfterMs ?? 100;
  const server: BatchOutcome = { accepted: 0, rejected: 0, retried: 0 };
  const startedAt = Date.now();
  const startMs = options.simulator.startMs ?? startedAt;
  let sent = 0;
  let batch: WireMessage[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    const outcome = await sendBatch(batch);
    sent += batch.length;
    server.accepted += outcome.accepted;
    server.rejected += outcome.rejected;
    server.retried += outcome.retried;
    batch = [];
    options.onProgress?.(sent, server);
  };
  for (const item of simulate(options.simulator)) {
    if (options.stopping?.()) break;
    const waitMs = startedAt + (item.atMs - startMs) - Date.now();
    if (waitMs > flushAfterMs) await flush();
    if (waitMs > 0) await sleep(waitMs);
    options.ledger.record(item);
    batch.push(item.message);
    if (batch.length >= maxBatch) await flush();
  }
  await flush();
  return server;
}
