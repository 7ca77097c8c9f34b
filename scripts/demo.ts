/**
 * The whole product in one command:
 *   npm run demo -- [--duration S] [--rate N] [--seed N]
 * starts the local stack (as `npm start` does), runs the shop simulator against it for a
 * while (2 % invalid events, 1 % resends), waits until the warehouse holds what was sent,
 * prints the report and the dashboard's address, and keeps the stack up until Ctrl-C.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { assertPortFree } from '../offline/port-check.ts';
import { Ledger } from '../tools/simulator/ledger.ts';
import { sendPaced } from '../tools/simulator/paced-sender.ts';
import { runReport } from './report.ts';

const ROOT = resolve(__dirname, '..');
const USAGE = 'usage: npm run demo -- [--duration S] [--rate N] [--seed N]';
const READY = 'Clickstream is running locally';
/** The local stage's tumbling window (`windowSeconds` in serverless.yml). */
const WINDOW_SECONDS = 10;
const env = process.env;
const port = (name: string, fallback: number) => Number(env[name] ?? fallback);
const PORTS = [
  { name: 'OFFLINE_HTTP_PORT', port: port('OFFLINE_HTTP_PORT', 3000), what: 'the HTTP API' },
  { name: 'OFFLINE_LAMBDA_PORT', port: port('OFFLINE_LAMBDA_PORT', 3002), what: 'the Lambda API' },
  { name: 'OFFLINE_KINESIS_PORT', port: port('OFFLINE_KINESIS_PORT', 4567), what: 'Kinesis' },
  { name: 'OFFLINE_FIREHOSE_PORT', port: port('OFFLINE_FIREHOSE_PORT', 4573), what: 'Firehose' },
  { name: 'OFFLINE_S3_PORT', port: port('OFFLINE_S3_PORT', 4569), what: 'S3' },
  { name: 'OFFLINE_SQS_PORT', port: port('OFFLINE_SQS_PORT', 4576), what: 'SQS' },
  { name: 'OFFLINE_SNS_PORT', port: port('OFFLINE_SNS_PORT', 4575), what: 'SNS' },
  { name: 'OFFLINE_WAREHOUSE_PORT', port: port('OFFLINE_WAREHOUSE_PORT', 5439), what: 'warehouse' },
];
const apiPort = PORTS[0]?.port ?? 3000;
const warehouseUrl =
  env.WAREHOUSE_URL ??
  `postgres://postgres@127.0.0.1:${port('OFFLINE_WAREHOUSE_PORT', 5439)}/analytics`;
const readKey = (env.DASHBOARD_READ_KEYS ?? 'local-read-key').split(',')[0] ?? '';
const say = (line: string) => process.stdout.write(`${line}\n`);

function options() {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string', default: '60' },
      rate: { type: 'string', default: '150' },
      seed: { type: 'string' },
    },
  });
  const number = (name: string, text: string | undefined, min: number) => {
    const value = Number(text);
    if (!(Number.isFinite(value) && value >= min))
      throw new Error(`--${name} must be a number >= ${min} (got ${String(text)})\n${USAGE}`);
    return value;
  };
  return {
    durationS: number('duration', values.duration, 1),
    rate: number('rate', values.rate, 1),
    // A fresh seed by default: a repeated one repeats every messageId, which the warehouse drops.
    seed: values.seed === undefined ? Date.now() % 2 ** 31 : number('seed', values.seed, 0),
  };
}

/** `npm start` as a child this script owns, in its own process group, quiet once it is up. */
function startStack(): { child: ChildProcess; ready: Promise<void>; tail: () => string } {
  const child = spawn(
    process.execPath,
    ['node_modules/serverless/bin/serverless.js', 'offline', 'start', '--stage', 'local'],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Functions log warnings only, and are not reloaded if a file changes meanwhile.
      env: { LOG_LEVEL: 'WARN', OFFLINE_WATCH_PATTERN: '.offline-watch-disabled', ...env },
    },
  );
  const lines: string[] = [];
  // starting: progress, without serverless-offline's route table; banner: every address;
  // up: only what needs a look.
  let phase: 'starting' | 'banner' | 'up' = 'starting';
  let up = false;
  const ready = new Promise<void>((resolveReady, reject) => {
    const onLine = (line: string) => {
      lines.push(line);
      if (lines.length > 200) lines.shift();
      if (phase === 'starting' && line.includes(READY)) {
        phase = 'banner';
        up = true;
        resolveReady();
      }
      const show =
        phase === 'banner' ||
        (phase === 'starting' && !/^\s*[┌│└]/.test(line)) ||
        /warn|error|fail/i.test(line);
      if (show && line.trim() !== '') say(`  stack │ ${line.slice(0, 300)}`);
      if (phase === 'banner' && line.includes('Press Ctrl-C')) phase = 'up';
    };
    for (const stream of [child.stdout, child.stderr]) {
      let rest = '';
      stream?.on('data', (chunk: Buffer) => {
        const parts = (rest + chunk.toString()).split('\n');
        rest = parts.pop() ?? '';
        parts.forEach(onLine);
      });
    }
    child.once('exit', (code) => {
      if (!up) reject(new Error(`the stack exited (code ${code}) before it was up`));
    });
  });
  return { child, ready, tail: () => lines.slice(-15).join('\n') };
}

/** Ctrl-C as a person would press it; the whole group is killed if it lingers. */
async function stopStack(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGINT');
  const timer = setTimeout(() => {
    try {
      process.kill(-(child.pid as number), 'SIGKILL');
    } catch {
      // gone already
    }
  }, 15_000);
  await exited;
  clearTimeout(timer);
}

interface Landed {
  events: number;
  bad: number;
  /** Valid events counted by the real-time windows that began since `since`. */
  windowed: number;
}

async function counts(db: pg.Pool, since: Date): Promise<Landed> {
  const { rows } = await db.query<{ events: string; bad: string; windowed: string }>(
    `SELECT (SELECT count(*) FROM events) AS events, (SELECT count(*) FROM bad_events) AS bad,
       (SELECT coalesce(sum(events), 0) FROM metrics WHERE window_start >= $1) AS windowed`,
    [since],
  );
  return {
    events: Number(rows[0]?.events ?? 0),
    bad: Number(rows[0]?.bad ?? 0),
    windowed: Number(rows[0]?.windowed ?? 0),
  };
}

/**
 * Until the warehouse holds every event, every bad row, and the real-time windows of the run
 * (the last window is emitted only once it has closed): the report then shows the whole run.
 */
async function waitForLanding(db: pg.Pool, since: Date, target: Landed) {
  const deadline = Date.now() + 120_000;
  let last: Landed = { events: -1, bad: -1, windowed: -1 };
  while (Date.now() < deadline) {
    const now = await counts(db, since).catch(() => last);
    if (now.events !== last.events || now.bad !== last.bad || now.windowed !== last.windowed)
      say(
        `  warehouse: ${now.events}/${target.events} events, ${now.bad}/${target.bad} bad events, ${Math.min(now.windowed, target.windowed)}/${target.windowed} in the real-time windows`,
      );
    last = now;
    if (now.events >= target.events && now.bad >= target.bad && now.windowed >= target.windowed)
      return true;
    await new Promise((r) => setTimeout(r, 2_000));
  }
  return false;
}

async function main(): Promise<void> {
  const { durationS, rate, seed } = options();
  for (const p of PORTS) await assertPortFree(p.port, '127.0.0.1', p.what, p.name);

  say('Starting the local stack (npm start) ...');
  const stack = startStack();
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('\nStopping the stack ...');
    await stopStack(stack.child);
    const left = [];
    for (const p of PORTS)
      if (
        await assertPortFree(p.port, '127.0.0.1', p.what).then(
          () => false,
          () => true,
        )
      )
        left.push(p.port);
    say(
      left.length
        ? `still listening: ${left.join(', ')} (ss -ltnp)`
        : 'Stopped; nothing left listening.',
    );
    process.exit(code);
  };
  process.on('SIGINT', () => void shutdown(0));
  process.on('SIGTERM', () => void shutdown(0));
  try {
    await stack.ready;
  } catch (error) {
    say(
      `\n${error instanceof Error ? error.message : String(error)}. Its last lines:\n${stack.tail()}`,
    );
    return shutdown(1);
  }

  try {
    await simulateAndReport(durationS, rate, seed, () => stopping);
  } catch (error) {
    say(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
    return shutdown(1);
  }
  if (stopping) return;
  say(`\nDashboard: http://localhost:${apiPort}/dashboard?key=${readKey}`);
  say(`Warehouse: psql ${warehouseUrl}`);
  say('The stack keeps running; press Ctrl-C to stop it.');
}

async function simulateAndReport(
  durationS: number,
  rate: number,
  seed: number,
  isStopping: () => boolean,
): Promise<void> {
  const db = new pg.Pool({ connectionString: warehouseUrl, max: 1 });
  db.on('error', () => undefined);
  // Windows are aligned to their length: the run's first one may begin up to a window earlier.
  const since = new Date(Date.now() - WINDOW_SECONDS * 1000);
  const before = await counts(db, since);
  const ledger = new Ledger();
  const target = `http://127.0.0.1:${apiPort}`;
  say(
    `\nSimulating shoppers for ${durationS} s at ~${rate} events/s (seed ${seed}, 2 % invalid, 1 % resent) ...`,
  );
  const tty = process.stdout.isTTY;
  let lastShown = 0;
  const server = await sendPaced({
    simulator: {
      seed,
      rate,
      durationMs: durationS * 1000,
      startMs: Date.now(),
      badRate: 0.02,
      duplicateRate: 0.01,
    },
    target,
    writeKey: (env.INGEST_WRITE_KEYS ?? 'local-write-key').split(',')[0] ?? '',
    ledger,
    stopping: isStopping,
    onProgress: (sent, s) => {
      if (Date.now() - lastShown < (tty ? 250 : 5_000)) return;
      lastShown = Date.now();
      const line = `  sent ${sent}: ${s.accepted} accepted, ${s.rejected} rejected, ${s.retried} resent after 503`;
      process.stdout.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
    },
  });
  const summary = ledger.summary();
  say(
    `${tty ? '\n' : ''}  done: ${summary.sent} sent, ${server.accepted} accepted, ${server.rejected} rejected`,
  );

  say('\nWaiting for the data to land (10 s windows, Firehose buffers, load) ...');
  const landed = await waitForLanding(db, since, {
    events: before.events + summary.accepted,
    bad: before.bad + summary.invalid,
    // A resend in a later window counts there again, so the windows hold at least this many.
    windowed: before.windowed + summary.accepted,
  });
  await db.end();
  if (isStopping()) return;
  if (!landed) say('  not everything arrived within 2 minutes: see the stack lines above');
  say('');
  await runReport({ url: warehouseUrl, minutes: Math.ceil(durationS / 60) + 2, top: 5 }).catch(
    (error: unknown) =>
      say(`report failed: ${error instanceof Error ? error.message : String(error)}`),
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `\ndemo failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
