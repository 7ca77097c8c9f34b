import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import type { ChaosStack } from './fault.ts';
import { fileFaultSwitches } from './file-fault-switches.ts';

/**
 * `sls offline start --stage local` as a child, exactly as `npm start` runs it, with its own
 * ports and state folder and persistence on (what a kill must not lose is on disk), so a
 * fault can kill it and start it again on the same state. Every port is on 127.0.0.1.
 */
export interface ChaosPorts {
  http: number;
  lambda: number;
  kinesis: number;
  /** Firehose, S3, SQS, the warehouse and SNS take this port and the next four. */
  othersFrom: number;
}

export interface ChaosStackOptions {
  ports: ChaosPorts;
  stateDir: string;
  /** Extra environment (e.g. OFFLINE_FIREHOSE_FLUSH_SECONDS, OFFLINE_ASYNC_RETRY_SECONDS). */
  env?: Record<string, string>;
  startTimeoutMs?: number;
}

export interface RunningChaosStack extends ChaosStack {
  /** Ctrl-C, as a person stops `npm start`; the process group is killed if it lingers. */
  stop(): Promise<void>;
  pid(): number;
}

const ROOT = resolve(__dirname, '../..');
const READY = 'Clickstream is running locally';
/** The settings of the process that runs the campaign are not the stack's configuration. */
const NOT_INHERITED = [
  'WAREHOUSE_URL',
  'STREAM_NAME',
  'METRICS_DELIVERY_STREAM',
  'POWERTOOLS_LOG_LEVEL',
];

export async function startChaosStack(options: ChaosStackOptions): Promise<RunningChaosStack> {
  const { ports } = options;
  const inherited = { ...process.env };
  for (const name of NOT_INHERITED) delete inherited[name];
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    OFFLINE_HTTP_PORT: String(ports.http),
    OFFLINE_LAMBDA_PORT: String(ports.lambda),
    OFFLINE_KINESIS_PORT: String(ports.kinesis),
    OFFLINE_FIREHOSE_PORT: String(ports.othersFrom),
    OFFLINE_S3_PORT: String(ports.othersFrom + 1),
    OFFLINE_SQS_PORT: String(ports.othersFrom + 2),
    OFFLINE_WAREHOUSE_PORT: String(ports.othersFrom + 3),
    OFFLINE_SNS_PORT: String(ports.othersFrom + 4),
    OFFLINE_STATE_DIR: options.stateDir,
    OFFLINE_PERSIST: 'true',
    INGEST_WRITE_KEYS: 'local-write-key',
    LOG_LEVEL: 'WARN',
    // No reload when files change while the stack runs (the `rebuild` fault does it on purpose).
    OFFLINE_WATCH_PATTERN: '.offline-watch-disabled',
    OFFLINE_BUILD_DIR: `.local/esbuild-chaos-${ports.http}`,
    ...options.env,
  };
  let output = '';
  let child: ChildProcess;

  const launch = async () => {
    const from = output.length;
    child = spawn(
      process.execPath,
      ['node_modules/serverless/bin/serverless.js', 'offline', 'start', '--stage', 'local'],
      { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env },
    );
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + (options.startTimeoutMs ?? 120_000);
    while (!output.slice(from).includes(READY)) {
      if (child.exitCode !== null)
        throw new Error(`the stack exited with ${child.exitCode}:\n${output.slice(from)}`);
      if (Date.now() > deadline) throw new Error(`the stack did not start:\n${output.slice(from)}`);
      await sleep(100);
    }
  };

  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-(child.pid as number), signal);
    } catch {
      // already gone
    }
  };
  const exited = (graceMs: number) =>
    new Promise<boolean>((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done(true);
      const timer = setTimeout(() => done(false), graceMs);
      child.once('exit', () => {
        clearTimeout(timer);
        done(true);
      });
    });
  const end = async (signal: NodeJS.Signals, graceMs: number) => {
    signalGroup(signal);
    if (!(await exited(graceMs))) {
      signalGroup('SIGKILL');
      await exited(10_000);
    }
    // A SIGKILL leaves the group's children (esbuild, workers) to die with it; wait for them.
    await sleep(500);
    child.stdout?.destroy();
    child.stderr?.destroy();
  };

  const faults = fileFaultSwitches(options.stateDir, () => output);

  await launch();
  const local = (port: number) => `http://127.0.0.1:${port}`;
  return {
    apiUrl: local(ports.http),
    kinesisEndpoint: local(ports.kinesis),
    streamName: 'clickstream-local-clickstream',
    stateDir: options.stateDir,
    warehouseUrl: `postgres://postgres@127.0.0.1:${ports.othersFrom + 3}/analytics`,
    firehoseEndpoint: local(ports.othersFrom),
    s3Endpoint: local(ports.othersFrom + 1),
    sqsEndpoint: local(ports.othersFrom + 2),
    faults,
    output: () => output,
    pid: () => child.pid as number,
    restart: async (signal) => {
      await end(signal, signal === 'SIGTERM' ? 60_000 : 10_000);
      await launch();
    },
    stop: () => end('SIGINT', 30_000),
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
