import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface OfflineStack {
  /** The current `sls offline start` process (a new one after each restart). */
  readonly pid: number;
  apiUrl: string;
  kinesisEndpoint: string;
  firehoseEndpoint: string;
  s3Endpoint: string;
  sqsEndpoint: string;
  /** The PGlite warehouse's URL (the stack's own, whatever WAREHOUSE_URL says here). */
  warehouseUrl: string;
  streamName: string;
  /** The state folder (OFFLINE_STATE_DIR). */
  stateDir: string;
  /** Everything every run printed, restarts included. */
  output(): string;
  stop(): Promise<void>;
  /**
   * Sends `signal` to the whole process group (sls, esbuild, every child) and waits until the
   * stack's process is gone; with SIGTERM, up to `graceMs` for the stop to drain, then SIGKILL.
   * Answers how long the stack took to exit, and whether it had to be killed.
   */
  kill(signal: 'SIGKILL' | 'SIGTERM', graceMs?: number): Promise<{ ms: number; forced: boolean }>;
  /** `npm start` again, on the same state folder and ports; resolves once the banner is out. */
  restart(): Promise<void>;
}

export interface OfflineStackOptions {
  httpPort: number;
  lambdaPort: number;
  kinesisPort: number;
  /** Firehose, S3, SQS, the warehouse and SNS take the next five ports after this one; default kinesisPort + 1. */
  otherPortsFrom?: number;
  /** Extra environment for the stack (e.g. OFFLINE_FIREHOSE_FLUSH_SECONDS). */
  env?: Record<string, string>;
  throttleRate?: number;
  startTimeoutMs?: number;
  /**
   * Keep the stack's state in this folder with persistence on (OFFLINE_PERSIST=true, as
   * `npm start` runs by default), and leave it there on stop: the caller owns it. Without it
   * the state is in a temporary folder, in memory where the stack allows, removed on stop.
   */
  stateDir?: string;
  /** Options for node itself (e.g. --cpu-prof, which NODE_OPTIONS may not carry). */
  nodeArgs?: readonly string[];
}

const ROOT = resolve(__dirname, '../..');

/**
 * `sls offline start --stage local`, exactly as `npm start` runs it, on test ports with its
 * state in a temporary folder. Resolves once the banner says the stack is up.
 */
export async function startOfflineStack(options: OfflineStackOptions): Promise<OfflineStack> {
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'clickstream-offline-'));
  const others = options.otherPortsFrom ?? options.kinesisPort + 1;
  const env: NodeJS.ProcessEnv = {
    ...withoutTestDefaults(process.env),
    OFFLINE_HTTP_PORT: String(options.httpPort),
    OFFLINE_LAMBDA_PORT: String(options.lambdaPort),
    OFFLINE_KINESIS_PORT: String(options.kinesisPort),
    OFFLINE_FIREHOSE_PORT: String(others + 0),
    OFFLINE_S3_PORT: String(others + 1),
    OFFLINE_SQS_PORT: String(others + 2),
    OFFLINE_WAREHOUSE_PORT: String(others + 3),
    OFFLINE_SNS_PORT: String(others + 4),
    OFFLINE_KINESIS_THROTTLE_RATE: String(options.throttleRate ?? 0),
    OFFLINE_STATE_DIR: stateDir,
    OFFLINE_PERSIST: options.stateDir ? 'true' : 'false',
    // A load that fails once is retried after 1 s and 2 s, not AWS's 60 s and 120 s: these
    // suites are about delivery; test/contract/async-invoke proves the timing.
    OFFLINE_ASYNC_RETRY_SECONDS: '1',
    INGEST_WRITE_KEYS: 'local-write-key',
    LOG_LEVEL: 'WARN',
    // No reload when files change while the stack runs: it kills invocations in flight.
    OFFLINE_WATCH_PATTERN: '.offline-watch-disabled',
    // Its own bundles: stopping deletes them, and other stacks may run from this tree.
    OFFLINE_BUILD_DIR: `.local/esbuild-${options.httpPort}`,
    ...options.env,
  };
  let output = '';
  let child: ChildProcess;
  const launch = async () => {
    child = spawn(
      process.execPath,
      [
        ...(options.nodeArgs ?? []),
        'node_modules/serverless/bin/serverless.js',
        'offline',
        'start',
        '--stage',
        'local',
      ],
      { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env },
    );
    const from = output.length;
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitFor(
      () => output.includes('Clickstream is running locally', from),
      child,
      options.startTimeoutMs ?? 90_000,
      () => output.slice(from),
    );
  };
  const stop = async () => {
    await stopProcess(child);
    if (!options.stateDir) rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    await launch();
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    get pid() {
      return child.pid as number;
    },
    apiUrl: `http://127.0.0.1:${options.httpPort}`,
    kinesisEndpoint: `http://127.0.0.1:${options.kinesisPort}`,
    firehoseEndpoint: `http://127.0.0.1:${others}`,
    s3Endpoint: `http://127.0.0.1:${others + 1}`,
    sqsEndpoint: `http://127.0.0.1:${others + 2}`,
    warehouseUrl: `postgres://postgres@127.0.0.1:${others + 3}/analytics`,
    streamName: 'clickstream-local-clickstream',
    stateDir,
    output: () => output,
    stop,
    kill: (signal, graceMs = 30_000) => killGroup(child, signal, graceMs),
    restart: async () => {
      try {
        await launch();
      } catch (error) {
        await stop();
        throw error;
      }
    },
  };
}

/** The whole process group gets `signal`; SIGKILL follows if a SIGTERM stop outlasts graceMs. */
async function killGroup(
  child: ChildProcess,
  signal: 'SIGKILL' | 'SIGTERM',
  graceMs: number,
): Promise<{ ms: number; forced: boolean }> {
  const startedAt = Date.now();
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined)
    return { ms: 0, forced: false };
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const group = -child.pid;
  const send = (s: NodeJS.Signals) => {
    try {
      process.kill(group, s);
    } catch {
      // already gone
    }
  };
  send(signal);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), graceMs)));
  const forced = (await Promise.race([exited, timeout])) === 'timeout';
  clearTimeout(timer);
  if (forced) send('SIGKILL');
  await exited;
  // Whatever else the group held (esbuild) goes with it, as a terminal's kill would.
  if (signal === 'SIGTERM') send('SIGKILL');
  child.stdout?.destroy();
  child.stderr?.destroy();
  return { ms: Date.now() - startedAt, forced };
}

/** The test setup's placeholders (test/support/env.cjs) are not the stack's configuration. */
function withoutTestDefaults(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const name of [
    'WAREHOUSE_URL',
    'STREAM_NAME',
    'METRICS_DELIVERY_STREAM',
    'POWERTOOLS_LOG_LEVEL',
  ]) {
    delete out[name];
  }
  return out;
}

async function waitFor(
  ready: () => boolean,
  child: ChildProcess,
  timeoutMs: number,
  output: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (child.exitCode !== null)
      throw new Error(`the offline stack exited with ${child.exitCode}:\n${output()}`);
    if (Date.now() > deadline)
      throw new Error(`the offline stack did not start within ${timeoutMs} ms:\n${output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Ctrl-C as a user would press it; the whole process group is killed if it lingers. */
export async function stopProcess(child: ChildProcess, graceMs = 10_000): Promise<number | null> {
  if (child.exitCode !== null || child.pid === undefined) return child.exitCode;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGINT');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), graceMs)));
  let result = await Promise.race([exited, timeout]);
  clearTimeout(timer);
  if (result === 'timeout') {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
    result = await exited;
  }
  child.stdout?.destroy();
  child.stderr?.destroy();
  return result;
}
