import { utimesSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ChaosFault, FaultContext, FaultReport } from '../fault.ts';

/**
 * A function rebuilt during traffic, as when a person saves a handler while `npm start` runs:
 * the ingest and aggregate handlers get a new mtime (content unchanged) three times, 2 s
 * apart; serverless-esbuild rebuilds and serverless-offline reloads the functions, which
 * offline/reload-gate.ts drains first (in-flight invocations finish, new ones wait). The stack
 * must run with file watching on for these files (OFFLINE_WATCH_PATTERN, e.g.
 * `functions/{ingest,aggregate}/handler.ts`); the tests' default pattern watches nothing.
 */
const FILES = ['functions/ingest/handler.ts', 'functions/aggregate/handler.ts'];
const SAVES = 3;
const ROOT = resolve(__dirname, '../../..');

const reloadsIn = (output: string) => output.split('functions reloading:').length - 1;

export const rebuild: ChaosFault = {
  name: 'rebuild',
  description:
    'the ingest and aggregate handlers saved 3 times during traffic: rebuilt and reloaded, in-flight invocations drained first',
  async run(ctx: FaultContext): Promise<FaultReport> {
    const startedAt = new Date();
    const before = reloadsIn(ctx.stack.output());
    for (let save = 0; save < SAVES; save += 1) {
      const now = new Date();
      for (const file of FILES) utimesSync(resolve(ROOT, file), now, now);
      await new Promise((r) => setTimeout(r, 2_000));
    }
    const deadline = Date.now() + 30_000;
    while (reloadsIn(ctx.stack.output()) === before && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 500));
    const reloads = reloadsIn(ctx.stack.output()) - before;
    const killed = /still in flight/.test(ctx.stack.output());
    ctx.log(`rebuild: ${SAVES} saves, ${reloads} reloads`);
    return {
      fault: this.name,
      startedAt,
      durationMs: Date.now() - startedAt.getTime(),
      didWhat:
        reloads === 0
          ? `saved ${FILES.join(', ')} ${SAVES} times, but the stack did not reload: is OFFLINE_WATCH_PATTERN watching them?`
          : `saved ${FILES.join(', ')} ${SAVES} times: ${reloads} reloads, in-flight invocations drained first${killed ? ' (some outlasted the drain and failed: retried by their callers)' : ''}`,
    };
  },
};
