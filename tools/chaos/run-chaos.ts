import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { expectedFromStream, readStream } from '../reconcile/stream-oracle.ts';
import { progress, waitForDrain, type Progress } from '../reconcile/warehouse-figures.ts';
import { startChaosStack, type ChaosPorts, type RunningChaosStack } from './chaos-stack.ts';
import type { ChaosFault, FaultContext, FaultReport } from './fault.ts';
import { sendHonestTraffic, type SentTraffic } from './honest-traffic.ts';
import { leftovers } from './leftovers.ts';
import { reconcile, type Check } from './reconcile.ts';

/**
 * One chaos campaign: the stack started as `npm start` starts it, the seeded simulator's
 * traffic at a steady rate, each fault injected on a schedule while it flows (spread evenly
 * over the traffic, one after another), then the drain, each fault's afterDrain, and the
 * exact reconciliation. The verdict is exact or it is not: `ok` only if every check holds.
 */
export interface ChaosOptions {
  events: number;
  /** Events per second the simulated shop makes. */
  rate: number;
  seed: number;
  faults: ChaosFault[];
  /** The Lambda port must be the HTTP port + 2 (the replay finds it so). */
  ports: ChaosPorts;
  badRate?: number;
  duplicateRate?: number;
  /** Extra environment for the stack (flush and retry timings). */
  env?: Record<string, string>;
  drainTimeoutMs?: number;
  /** Keep the state folder after the run (for a person to look at). */
  keepState?: boolean;
  log: (line: string) => void;
}

export interface ChaosResult {
  ok: boolean;
  reports: Array<FaultReport & { afterDrain?: string }>;
  checks: Check[];
  sent: SentTraffic;
  drained: Progress;
  elapsedMs: number;
  stateDir: string;
}

const WINDOW_SECONDS = 10; // serverless.yml, params.local.windowSeconds
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export async function runChaos(options: ChaosOptions): Promise<ChaosResult> {
  const { log } = options;
  const started = Date.now();
  const stateDir = mkdtempSync(join(tmpdir(), 'clickstream-chaos-'));
  log(`starting the stack (state in ${stateDir})`);
  // The `rebuild` fault saves handlers while the stack runs: only then does it watch them.
  const watch: Record<string, string> = options.faults.some((f) => f.name === 'rebuild')
    ? { OFFLINE_WATCH_PATTERN: 'functions/{ingest,aggregate}/handler.ts' }
    : {};
  const stack = await startChaosStack({
    ports: options.ports,
    stateDir,
    env: { ...watch, ...options.env },
  });
  const db = new pg.Pool({ connectionString: stack.warehouseUrl, max: 1 });
  db.on('error', () => undefined);
  try {
    return await campaign(stack, db, options, started);
  } catch (error) {
    log(`the stack's last lines:\n${stack.output().split('\n').slice(-30).join('\n')}`);
    throw error;
  } finally {
    await db.end().catch(() => undefined);
    await stack.stop();
    if (!options.keepState) rmSync(stateDir, { recursive: true, force: true });
  }
}

async function campaign(
  stack: RunningChaosStack,
  db: pg.Pool,
  options: ChaosOptions,
  started: number,
): Promise<ChaosResult> {
  const { log } = options;
  const since = () => `${((Date.now() - started) / 1000).toFixed(0)} s`;
  const context: FaultContext = {
    stack,
    seed: options.seed,
    log: (line) => log(`${since()}: ${line}`),
  };
  const trafficMs = (options.events / options.rate) * 1000;
  const trafficStart = Date.now();
  let answered = 0;
  let resent = 0;
  let generated = 0;
  let retried = 0;
  let running = 'none';
  const ticker = setInterval(
    () =>
      log(
        `${since()}: sent ${generated.toLocaleString('en-US')}/${options.events.toLocaleString('en-US')}, answered 200 ${answered.toLocaleString('en-US')}, requests resent ${resent}; fault: ${running}`,
      ),
    5_000,
  );
  const reports: ChaosResult['reports'] = [];
  let sent: SentTraffic;
  try {
    const traffic = sendHonestTraffic({
      target: stack.apiUrl,
      simulator: {
        seed: options.seed,
        rate: options.rate,
        events: options.events,
        badRate: options.badRate ?? 0.02,
        duplicateRate: options.duplicateRate ?? 0.02,
      },
      onProgress: (p) => {
        generated = p.generated;
        answered = p.answered;
        resent = p.resentRequests;
        retried = p.retriedEvents;
      },
    });
    const schedule = (async () => {
      const count = options.faults.length;
      for (const [i, fault] of options.faults.entries()) {
        const at = trafficStart + (trafficMs * (i + 1)) / (count + 1);
        if (at > Date.now()) await sleep(at - Date.now());
        running = fault.name;
        // Faults run one after another: a long one can push the next past the traffic's end.
        // Say so in its row rather than let it pass for a fault under traffic.
        const afterTraffic = generated >= options.events;
        context.log(`${fault.name}: ${fault.description}`);
        const before = { retried, resent };
        const report = await fault.run(context);
        // What the client saw meanwhile: events a 503 listed as not written, whole resends.
        report.didWhat += `; client: ${retried - before.retried} events resent after a 503, ${resent - before.resent} requests resent whole`;
        if (afterTraffic)
          report.didWhat +=
            ' (started after the traffic ended: lower --rate to have it under traffic)';
        reports.push(report);
        context.log(`${fault.name} over: ${report.didWhat}`);
        running = 'none';
      }
    })();
    [sent] = await Promise.all([traffic, schedule]);
  } finally {
    clearInterval(ticker);
  }
  log(
    `${since()}: traffic done: ${sent.ledger.sent} messages in ${sent.requests} requests (${sent.resentRequests} resent whole); reading the stream back`,
  );

  const stream = expectedFromStream(
    await readStream(stack.kinesisEndpoint, stack.streamName),
    WINDOW_SECONDS,
  );
  const poisonIds = options.faults.flatMap((f) => f.poisonIds?.() ?? []);
  const windows = Object.values(stream.windows);
  const target = {
    events: sent.ledger.accepted,
    badEvents: sent.invalidIds.size + poisonIds.length,
    metricsEvents: windows.reduce((s, w) => s + w.events, 0),
    metricsRejected: windows.reduce((s, w) => s + w.rejected, 0),
  };
  const reached = (p: Progress) =>
    p.events >= target.events &&
    p.badEvents >= target.badEvents &&
    p.metricsEvents >= target.metricsEvents &&
    p.metricsRejected >= target.metricsRejected;
  const expected = `events ${target.events}, bad_events ${target.badEvents}, metrics events ${target.metricsEvents}, metrics rejected ${target.metricsRejected}`;
  log(`${since()}: waiting for the pipeline to drain to ${expected}`);
  const drainTimeoutMs = options.drainTimeoutMs ?? 300_000;
  const hasAfterDrain = options.faults.some((f) => f.afterDrain);
  if (hasAfterDrain) {
    // A first drain, not required to complete: what the faults parked is replayed next.
    await waitForDrain(() => progress(db), reached, {
      timeoutMs: drainTimeoutMs / 2,
      settleMs: 3_000,
      expected,
    }).catch((error: unknown) =>
      log(
        `${since()}: not drained before the faults' afterDrain: ${(error as Error).message.split('\n').slice(0, 3).join(' ')}`,
      ),
    );
    for (const fault of options.faults) {
      const note = await fault.afterDrain?.(context);
      const report = reports.find((r) => r.fault === fault.name);
      if (note && report) report.afterDrain = note;
      if (note) context.log(`${fault.name} after the drain: ${note}`);
    }
  }
  const drained = await waitForDrain(() => progress(db), reached, {
    timeoutMs: drainTimeoutMs,
    settleMs: 5_000,
    expected,
    diagnostics: () => problems(stack.output()),
  });
  log(`${since()}: drained; reconciling`);
  const checks = await reconcile({
    db,
    sent,
    stream,
    poisonIds,
    leftovers: await leftovers(stack),
    named: { deadLetters: 0, failedNotifications: 0 },
  });
  return {
    ok: checks.every((c) => c.ok),
    reports,
    checks,
    sent,
    drained,
    elapsedMs: Date.now() - started,
    stateDir: stack.stateDir,
  };
}

/** The stack's warnings and errors, last 40, for a failure message a person can read. */
function problems(output: string): string {
  const lines = output.split('\n').filter((line) => /warn|error|fail/i.test(line));
  return `what the stack logged (warnings and errors):\n${
    lines
      .slice(-40)
      .map((l) => l.slice(0, 400))
      .join('\n') || '(none)'
  }`;
}
