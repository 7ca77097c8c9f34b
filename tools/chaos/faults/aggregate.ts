import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  faultsFile,
  parseFaultSwitches,
  writeFaultSwitches,
  type FaultSwitches,
  type InvokeFault,
} from '../../../offline/faults/fault-switches.ts';
import type { ChaosFault, ChaosStack, FaultContext, FaultReport } from '../fault.ts';

/**
 * The aggregate function failing, through the stack's invocation faults (`faults.json`,
 * offline/faults/faulty-invoker.ts), as docs/reliability-functions.md describes:
 *
 * - `aggregate-throw`: for HOLD_MS, every aggregate invocation whose records hold an event of
 *   the shoppers whose anonymousId starts with two hex digits chosen by the seed (1/256 of
 *   them: a handful) throws. The mapping bisects down to those records, retries each 5
 *   times, and sends them to the dead-letter queue; the shard moves on. `afterDrain` runs
 *   `npm run replay -- --what dead-letters`, which recomputes their windows exactly.
 * - `aggregate-timeout`: the next aggregate invocation hangs 5 s and answers Lambda's
 *   timeout (Sandbox.Timedout); the mapping retries the batch.
 */
const HOLD_MS = 20_000;
/** The replay leaves windows alone until two window lengths (10 s locally) after their end. */
const REPLAY_SETTLE_MS = 25_000;
const ROOT = resolve(__dirname, '../../..');
/** When aggregate-throw's switch was cleared: the replay waits for its windows to close. */
let throwClearedAt = 0;

function readSwitches(stateDir: string): FaultSwitches {
  const file = faultsFile(stateDir);
  return existsSync(file) ? parseFaultSwitches(readFileSync(file, 'utf8')) : {};
}

/** Sets (or, with undefined, clears) the aggregate's switch, leaving other faults' switches. */
function setAggregateFault(stateDir: string, fault: InvokeFault | undefined, reason: string) {
  const current = readSwitches(stateDir);
  const invoke = { ...current.invoke };
  if (fault) invoke.aggregate = fault;
  else delete invoke.aggregate;
  const { invoke: _invoke, ...rest } = current;
  writeFaultSwitches(stateDir, {
    ...rest,
    ...(Object.keys(invoke).length > 0 ? { invoke } : {}),
    reason,
  });
}

export function aggregateMarker(seed: number): string {
  const prefix = (Math.abs(Math.trunc(seed)) % 256).toString(16).padStart(2, '0');
  return `"anonymousId":"${prefix}`;
}

const portOf = (url: string) => new URL(url).port;

/** `npm run replay -- --what dead-letters` against the chaos stack; its summary line(s). */
export function replayDeadLetters(stack: ChaosStack): Promise<string> {
  // The Lambda Invoke API is on the HTTP port + 2 in every stack the tests start
  // (test/support/offline-stack.ts), as 3000/3002 for `npm start`; LAMBDA_ENDPOINT overrides.
  const lambda =
    process.env.LAMBDA_ENDPOINT ?? `http://127.0.0.1:${Number(portOf(stack.apiUrl)) + 2}`;
  const env = {
    ...process.env,
    SQS_ENDPOINT: stack.sqsEndpoint,
    KINESIS_ENDPOINT: stack.kinesisEndpoint,
    S3_ENDPOINT: stack.s3Endpoint,
    LAMBDA_ENDPOINT: lambda,
    OFFLINE_STATE_DIR: stack.stateDir,
  };
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['node_modules/tsx/dist/cli.mjs', 'scripts/replay.ts', '--what', 'dead-letters'],
      { cwd: ROOT, env, timeout: 300_000 },
      (error, stdout, stderr) => {
        const summary = `${stdout}${stderr}`.trim().split('\n').slice(0, 6).join('; ');
        done(error ? `replay of dead letters FAILED (${error.message}): ${summary}` : summary);
      },
    );
  });
}

export const aggregateThrow: ChaosFault = {
  name: 'aggregate-throw',
  description:
    'the aggregate throws on the records of a few shoppers for 20 s: bisect, 5 retries, dead letters, replayed after the drain',
  async run(ctx: FaultContext): Promise<FaultReport> {
    const startedAt = new Date();
    const marker = aggregateMarker(ctx.seed);
    setAggregateFault(
      ctx.stack.stateDir,
      { mode: 'error', whenEventContains: marker },
      `chaos aggregate-throw: ${marker}`,
    );
    ctx.log(`aggregate-throw: the aggregate throws on records containing ${marker}`);
    await new Promise((r) => setTimeout(r, HOLD_MS));
    setAggregateFault(ctx.stack.stateDir, undefined, 'chaos aggregate-throw: cleared');
    const thrown = (ctx.stack.output().match(/fault: invocation failed on purpose/g) ?? []).length;
    throwClearedAt = Date.now();
    return {
      fault: this.name,
      startedAt,
      durationMs: Date.now() - startedAt.getTime(),
      didWhat: `aggregate threw on records containing ${marker}; ${thrown} injected failures so far (the mapping bisected and retried; what still failed went to the dead-letter queue)`,
    };
  },
  async afterDrain(ctx: FaultContext): Promise<string> {
    const since = Date.now() - throwClearedAt;
    if (since < REPLAY_SETTLE_MS) await new Promise((r) => setTimeout(r, REPLAY_SETTLE_MS - since));
    const summary = await replayDeadLetters(ctx.stack);
    ctx.log(`aggregate-throw: ${summary}`);
    return summary;
  },
};

export const aggregateTimeout: ChaosFault = {
  name: 'aggregate-timeout',
  description:
    'one aggregate invocation hangs 5 s and answers Lambda timeout: the batch is retried',
  async run(ctx: FaultContext): Promise<FaultReport> {
    const startedAt = new Date();
    setAggregateFault(
      ctx.stack.stateDir,
      { mode: 'timeout', timeoutMs: 5_000, times: 1 },
      'chaos aggregate-timeout',
    );
    const deadline = Date.now() + 60_000;
    while (!/Sandbox\.Timedout/.test(ctx.stack.output()) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 500));
    const timedOut = /Sandbox\.Timedout/.test(ctx.stack.output());
    setAggregateFault(ctx.stack.stateDir, undefined, 'chaos aggregate-timeout: cleared');
    return {
      fault: this.name,
      startedAt,
      durationMs: Date.now() - startedAt.getTime(),
      didWhat: timedOut
        ? 'one aggregate invocation timed out after 5.00 s (Sandbox.Timedout); the mapping retried the batch'
        : 'no aggregate invocation came within 60 s: nothing timed out',
    };
  },
};

export const faults: ChaosFault[] = [aggregateThrow, aggregateTimeout];
