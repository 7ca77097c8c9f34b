import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  faultsFile,
  HOLD_POINTS,
  parseFaultSwitches,
  writeFaultSwitches,
  type FaultSwitches,
  type HoldPoint,
} from '../../../offline/faults/fault-switches.ts';
import type { ChaosFault, FaultContext, FaultReport } from '../fault.ts';

/**
 * The whole local stack stopped in mid-traffic, then `npm start` again on the same state
 * folder: `kill-9` (SIGKILL to its process group: nothing runs on) and `sigterm` (the stop
 * drains). Each run of `kill-9` kills at the next of these moments, starting from the seed:
 * anywhere in the traffic, or inside a step held still by faults.json's `hold` switch (a
 * Firehose S3 write, a load about to commit, a window's final invocation not checkpointed);
 * see docs/reliability-crash.md for what each piece does then.
 */
export const MOMENTS: ReadonlyArray<'traffic' | HoldPoint> = ['traffic', ...HOLD_POINTS];
/** How long a held step waits for the kill; longer than any wait below. */
const HOLD_MS = 120_000;
/** How long to wait for the held step to be reached before killing anyway. */
const REACH_TIMEOUT_MS = 60_000;

function readSwitches(stateDir: string): FaultSwitches {
  const file = faultsFile(stateDir);
  return existsSync(file) ? parseFaultSwitches(readFileSync(file, 'utf8')) : {};
}

/** Sets or clears one hold, keeping whatever other switches the campaign has on. */
function setHold(stateDir: string, point: HoldPoint, on: boolean): void {
  const switches = readSwitches(stateDir);
  const hold = { ...switches.hold };
  if (on) hold[point] = { ms: HOLD_MS, times: 1 };
  else delete hold[point];
  const { hold: _old, ...rest } = switches;
  writeFaultSwitches(stateDir, Object.keys(hold).length > 0 ? { ...rest, hold } : rest);
}

async function reached(ctx: FaultContext, text: string, from: number): Promise<boolean> {
  const deadline = Date.now() + REACH_TIMEOUT_MS;
  while (!ctx.stack.output().includes(text, from)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return true;
}

/** What the restarted stack said it recovered (Firehose's journal of accepted records). */
function recovered(output: string): string {
  const lines = output.split('\n').filter((l) => /accepted before the last stop/.test(l));
  const records = lines.reduce((n, l) => n + Number(/(\d+) records/.exec(l)?.[1] ?? 0), 0);
  return records > 0 ? `; Firehose delivered ${records} records from its journal` : '';
}

/** Whatever the stack keeps on disk until it is delivered, still there after the drain. */
function leftBehind(stateDir: string): string | undefined {
  const pending = (dir: string) =>
    existsSync(dir)
      ? readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith('.json')).length
      : 0;
  const firehose = pending(join(stateDir, 'firehose', 'accepted'));
  const undelivered = existsSync(join(stateDir, 'firehose', 'undelivered'))
    ? readdirSync(join(stateDir, 'firehose', 'undelivered'), { recursive: true }).length
    : 0;
  const problems = [
    firehose > 0 ? `${firehose} Firehose journal files not delivered` : '',
    undelivered > 0 ? `${undelivered} entries under firehose/undelivered` : '',
  ].filter(Boolean);
  return problems.length > 0 ? problems.join('; ') : undefined;
}

/** A fresh `kill-9` fault: its first run kills at MOMENTS[seed % 4], each next run at the next. */
export function killNine(): ChaosFault {
  let runs = 0;
  return {
    name: 'kill-9',
    description:
      'kill -9 of the whole local stack (sls and its children) in mid-traffic, at a Firehose S3 write, a load commit or a window final invocation, then npm start again on the same state',
    async run(ctx): Promise<FaultReport> {
      const moment = MOMENTS[(ctx.seed + runs++) % MOMENTS.length] ?? 'traffic';
      const startedAt = new Date();
      const { stateDir } = ctx.stack;
      let where = 'in mid-traffic';
      if (moment !== 'traffic') {
        const from = ctx.stack.output().length;
        setHold(stateDir, moment, true);
        ctx.log(`kill-9: waiting for ${moment} to be held`);
        where = (await reached(ctx, `fault: holding ${moment}`, from))
          ? `inside ${moment}`
          : `in mid-traffic (${moment} not reached within ${REACH_TIMEOUT_MS / 1000} s)`;
        // The held step sleeps on; the restarted stack must not find the switch still on.
        setHold(stateDir, moment, false);
      }
      const before = ctx.stack.output().length;
      const killedAt = Date.now();
      await ctx.stack.restart('SIGKILL');
      return {
        fault: 'kill-9',
        startedAt,
        durationMs: Date.now() - startedAt.getTime(),
        didWhat: `SIGKILL ${where}; npm start again, up in ${Date.now() - killedAt} ms${recovered(ctx.stack.output().slice(before))}`,
      };
    },
    afterDrain: async (ctx) => leftBehind(ctx.stack.stateDir),
  };
}

export function sigterm(): ChaosFault {
  return {
    name: 'sigterm',
    description:
      'SIGTERM to the whole local stack in mid-traffic (a stop that drains: mappings checkpoint, Firehose writes its buffers, loads finish), then npm start again on the same state',
    async run(ctx): Promise<FaultReport> {
      const startedAt = new Date();
      await ctx.stack.restart('SIGTERM');
      const durationMs = Date.now() - startedAt.getTime();
      return {
        fault: 'sigterm',
        startedAt,
        durationMs,
        didWhat: `SIGTERM in mid-traffic: drained and stopped, npm start again; ${durationMs} ms down in all`,
      };
    },
    afterDrain: async (ctx) => leftBehind(ctx.stack.stateDir),
  };
}

export const killFaults: readonly ChaosFault[] = [killNine(), sigterm()];
