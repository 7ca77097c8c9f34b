/**
 * kinesis-local (kinesis-mock compiled to JS) as a child process for benchmarks: started
 * in its own process group on loopback ports, measured through /proc, and always killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { assertPortFree } from '../offline/port-check.ts';

const HOST = '127.0.0.1';

export interface ProcessMemory {
  /** Resident set size now (VmRSS), bytes. */
  rss: number;
  /** Peak resident set size (VmHWM), bytes. */
  peak: number;
}

export interface KinesisLocal {
  endpoint: string;
  pid: number;
  version: string;
  memory(): ProcessMemory | undefined;
  /** The last lines it wrote, for error messages. */
  output(): string;
  stop(): Promise<void>;
}

function packageInfo(): { main: string; version: string } {
  const manifestPath = require.resolve('kinesis-local/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    version: string;
    bin: string | Record<string, string>;
  };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin['kinesis-local'];
  if (!bin) throw new Error(`no kinesis-local bin in ${manifestPath}`);
  return { main: join(dirname(manifestPath), bin), version: manifest.version };
}

export function readProcessMemory(pid: number): ProcessMemory | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (field: string) =>
      Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
    const rss = kib('VmRSS');
    const peak = kib('VmHWM');
    return Number.isFinite(rss) ? { rss: rss * 1024, peak: peak * 1024 } : undefined;
  } catch {
    return undefined;
  }
}

/** The first pair of consecutive ports from `from` that are both free on loopback. */
export async function freePortPair(from: number, tries = 20): Promise<[number, number]> {
  for (let port = from; port < from + tries * 2; port += 2) {
    try {
      await assertPortFree(port, HOST, 'kinesis-local (plain HTTP)');
      await assertPortFree(port + 1, HOST, 'kinesis-local (TLS)');
      return [port, port + 1];
    } catch {
      // taken: try the next pair
    }
  }
  throw new Error(`no two free ports on ${HOST} between ${from} and ${from + tries * 2}`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: HOST });
    socket.setTimeout(500);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

export async function startKinesisLocal(options: {
  plainPort: number;
  tlsPort: number;
  startTimeoutMs?: number;
}): Promise<KinesisLocal> {
  const { main, version } = packageInfo();
  const child = spawn(process.execPath, ['-r', join(__dirname, 'loopback-only.cjs'), main], {
    // Its own process group, so that stopping it stops anything it started too.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      KINESIS_MOCK_CERT_PATH: join(dirname(main), 'server.json'),
      KINESIS_MOCK_PLAIN_PORT: String(options.plainPort),
      KINESIS_MOCK_TLS_PORT: String(options.tlsPort),
      CREATE_STREAM_DURATION: '50ms',
      SHOULD_PERSIST_DATA: 'false',
      LOG_LEVEL: 'WARN',
    },
  });
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    tail.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    tail.splice(0, Math.max(0, tail.length - 20));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // If this process dies first (an error, Ctrl-C), the child must not outlive it.
  const onExit = () => killGroup(child, 'SIGKILL');
  const onSignal = (signal: NodeJS.Signals) => {
    killGroup(child, 'SIGKILL');
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('exit', onExit);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const stop = async () => {
    killGroup(child, 'SIGTERM');
    // It has been seen to ignore SIGTERM: give it a moment, then SIGKILL the group.
    const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 3_000));
    if ((await Promise.race([exited, timer])) === 'timeout') {
      killGroup(child, 'SIGKILL');
      await exited;
    }
    process.off('exit', onExit);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await stop();
      throw new Error(`kinesis-local exited while starting:\n${tail.join('\n')}`);
    }
    if (await canConnect(options.plainPort)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`kinesis-local did not listen on ${HOST}:${options.plainPort} in time`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const pid = child.pid as number;
  return {
    endpoint: `http://${HOST}:${options.plainPort}`,
    pid,
    version,
    memory: () => readProcessMemory(pid),
    output: () => tail.join('\n'),
    stop,
  };
}
