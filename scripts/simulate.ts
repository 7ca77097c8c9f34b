/**
 * Simulated shoppers, sent to the running API (or written to a file):
 *   npm run simulate -- [--rate N] [--duration S | --events N] [--seed N] [--target URL]
 *     [--write-key K] [--bad-rate F] [--duplicate-rate F] [--out FILE.ndjson] [--ledger FILE.json]
 * Events go out in /v1/batch requests of at most 100, paced to the rate; at the end the
 * ledger (what downstream should show) is printed, and written as JSON with --ledger.
 */
import { createWriteStream, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { BatchOutcome } from '../tools/simulator/batch-sender.ts';
import { formatLedger, Ledger } from '../tools/simulator/ledger.ts';
import type { SimulatorOptions } from '../tools/simulator/options.ts';
import { sendPaced } from '../tools/simulator/paced-sender.ts';
import { simulate } from '../tools/simulator/simulate-shop.ts';

const USAGE = `usage: npm run simulate -- [--rate N] [--duration S | --events N] [--seed N] [--target URL]
  [--write-key K] [--bad-rate F] [--duplicate-rate F] [--out FILE.ndjson] [--ledger FILE.json]`;
const MAX_BATCH = 100;
/** Send what is queued rather than hold it while waiting this long for the next event. */
const FLUSH_AFTER_MS = 100;

class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${USAGE}`);
    this.name = 'UsageError';
  }
}

function parseCommandLine() {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        rate: { type: 'string', default: '20' },
        duration: { type: 'string' },
        events: { type: 'string' },
        seed: { type: 'string' },
        target: { type: 'string', default: process.env.API_URL ?? 'http://localhost:3000' },
        'write-key': { type: 'string', default: process.env.WRITE_KEY ?? 'local-write-key' },
        'bad-rate': { type: 'string', default: '0' },
        'duplicate-rate': { type: 'string', default: '0' },
        out: { type: 'string' },
        ledger: { type: 'string' },
      },
    }));
  } catch (error: unknown) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const number = (name: string, text: string | undefined) => {
    const value = Number(text);
    if (text === undefined || text.trim() === '' || !Number.isFinite(value)) {
      throw new UsageError(`--${name} must be a number (got ${JSON.stringify(text)})`);
    }
    return value;
  };
  if (values.duration !== undefined && values.events !== undefined) {
    throw new UsageError('give --duration or --events, not both');
  }
  // A fresh seed per run by default: a fixed one would repeat every messageId, and
  // downstream deduplication would then drop the whole second run.
  const seed = values.seed === undefined ? Date.now() % 2 ** 31 : number('seed', values.seed);
  const options: SimulatorOptions = {
    seed,
    rate: number('rate', values.rate),
    startMs: Date.now(),
    badRate: number('bad-rate', values['bad-rate']),
    duplicateRate: number('duplicate-rate', values['duplicate-rate']),
    ...(values.events === undefined
      ? { durationMs: number('duration', values.duration ?? '60') * 1000 }
      : { events: number('events', values.events) }),
  };
  return {
    options,
    target: values.target,
    writeKey: values['write-key'],
    out: values.out,
    ledgerFile: values.ledger,
  };
}

async function writeNdjson(options: SimulatorOptions, file: string, ledger: Ledger): Promise<void> {
  const out = createWriteStream(file);
  for (const item of simulate(options)) {
    ledger.record(item);
    if (!out.write(`${JSON.stringify(item.message)}\n`)) {
      await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    }
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  process.stdout.write(`wrote ${ledger.summary().sent} events to ${file}\n`);
}

async function send(options: SimulatorOptions, target: string, writeKey: string, ledger: Ledger) {
  const startedAt = Date.now();
  const tty = process.stdout.isTTY;
  let stopping = false;
  let lastReport = 0;
  process.once('SIGINT', () => (stopping = true));
  const report = (sent: number, server: BatchOutcome, final = false) => {
    const now = Date.now();
    if (!final && now - lastReport < (tty ? 250 : 5_000)) return;
    lastReport = now;
    const rate = sent / Math.max((now - startedAt) / 1000, 0.001);
    const line = `sent ${sent} (${rate.toFixed(1)}/s), accepted ${server.accepted}, rejected ${server.rejected}, retried ${server.retried}`;
    process.stdout.write(tty ? `\r${line}\x1b[K${final ? '\n' : ''}` : `${line}\n`);
  };
  const server = await sendPaced({
    simulator: options,
    target,
    writeKey,
    ledger,
    maxBatch: MAX_BATCH,
    flushAfterMs: FLUSH_AFTER_MS,
    stopping: () => stopping,
    onProgress: (sent, outcome) => report(sent, outcome),
  });
  report(ledger.summary().sent, server, true);
  return server;
}

async function main(): Promise<void> {
  const { options, target, writeKey, out, ledgerFile } = parseCommandLine();
  const ledger = new Ledger();
  process.stdout.write(`seed ${options.seed} (pass --seed ${options.seed} to repeat this run)\n`);
  const server = out ? undefined : await send(options, target, writeKey, ledger);
  if (out) await writeNdjson(options, out, ledger);
  const summary = ledger.summary();
  process.stdout.write(`\n${formatLedger(summary)}\n`);
  if (ledgerFile) {
    const { startMs: _startMs, ...rest } = options;
    const record = {
      options: rest,
      startedAt: new Date(options.startMs ?? 0).toISOString(),
      ledger: summary,
      server,
    };
    writeFileSync(ledgerFile, `${JSON.stringify(record, null, 2)}\n`);
    process.stdout.write(`ledger written to ${ledgerFile}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`\n${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(error instanceof UsageError ? 2 : 1);
});
