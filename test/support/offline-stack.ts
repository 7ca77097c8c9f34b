import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface OfflineStack {
  pid: number;
  apiUrl: string;
  kinesisEndpoint: string;
  streamName: string;
  /** OFFLINE_STATE_DIR: where `faults.json` switches faults on. */
  stateDir: string;
  output(): string;
  stop(): Promise<void>;
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
}

const ROOT = resolve(__dirname, '../..');

/**
 * `sls offline start --stage local`, exactly as `npm start` runs it, on test ports with its
 * state in a temporary folder. Resolves once the banner says the stack is up.
 */
export async function startOfflineStack(options: OfflineStackOptions): Promise<OfflineStack> {
  const stateDir = mkdtempSync(join(tmpdir(), 'clickstream-offline-'));
  const child = spawn(
    process.execPath,
    ['node_modules/serverless/bin/serverless.js', 'offline', 'start', '--stage', 'local'],
    {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...withoutTestDefaults(process.env),
        OFFLINE_HTTP_PORT: String(options.httpPort),
        OFFLINE_LAMBDA_PORT: String(options.lambdaPort),
        OFFLINE_KINESIS_PORT: String(options.kinesisPort),
        OFFLINE_FIREHOSE_PORT: String((options.otherPortsFrom ?? options.kinesisPort + 1) + 0),
        OFFLINE_S3_PORT: String((options.otherPortsFrom ?? options.kinesisPort + 1) + 1),
        OFFLINE_SQS_PORT: String((options.otherPortsFrom ?? options.kinesisPort + 1) + 2),
        OFFLINE_WAREHOUSE_PORT: String((options.otherPortsFrom ?? options.kinesisPort + 1) + 3),
        OFFLINE_SNS_PORT: String((options.otherPortsFrom ?? options.kinesisPort + 1) + 4),
        OFFLINE_KINESIS_THROTTLE_RATE: String(options.throttleRate ?? 0),
        OFFLINE_STATE_DIR: stateDir,
        OFFLINE_PERSIST: 'false',
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
      },
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));

  const stop = async () => {
    await stopProcess(child);
    rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    await waitFor(
      () => output.includes('Clickstream is running locally'),
      child,
      options.startTimeoutMs ?? 90_000,
      () => output,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    pid: child.pid as number,
    apiUrl: `http://127.0.0.1:${options.httpPort}`,
    kinesisEndpoint: `http://127.0.0.1:${options.kinesisPort}`,
    streamName: 'clickstream-local-clickstream',
    stateDir,
    output: () => output,
    stop,
  };
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
