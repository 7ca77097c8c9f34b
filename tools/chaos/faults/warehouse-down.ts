import type { ChaosFault } from '../fault.ts';
import { leftovers, runReplay, stackPorts } from '../leftovers.ts';
import { countSince, sleep } from './wait.ts';

/**
 * The warehouse stops (PGlite's wire server closed, every connection cut, open transactions
 * rolled back) for `outageMs`, then starts again on the same data and port. Loads that fail
 * meanwhile are retried by Lambda's asynchronous invocation with backoff; one that used up
 * its retries goes to the dead-letter queue, and `npm run replay -- --what dead-letters`
 * (afterDrain) loads it. Nothing is parked that is not later loaded or named.
 */
export function warehouseDownFault(options: { outageMs?: number } = {}): ChaosFault {
  const outageMs = options.outageMs ?? 30_000;
  let from = 0;
  return {
    name: 'warehouse-down',
    description: `the warehouse stopped for ${outageMs / 1000} s, then started again`,
    async run({ stack, log }) {
      const startedAt = new Date();
      from = stack.output().length;
      stack.faults.set({ warehouseUnavailable: true, reason: 'chaos: warehouse-down' });
      await stack.faults.applied(/faults: warehouse stopped/, 30_000);
      log(`warehouse-down: stopped for ${outageMs / 1000} s`);
      await sleep(outageMs);
      stack.faults.set({ warehouseUnavailable: undefined, reason: undefined });
      await stack.faults.applied(/faults: warehouse started again/, 60_000);
      const output = stack.output();
      const failures = countSince(output, from, /async invocation of \S*load \S+ failed/);
      const loadLogs = countSince(output, from, /"level":"(?:ERROR|WARN)"[^\n]*"service":"load"/);
      return {
        fault: 'warehouse-down',
        startedAt,
        durationMs: Date.now() - startedAt.getTime(),
        didWhat: `warehouse stopped ${outageMs / 1000} s; ${failures} load invocations failed and were retried by asynchronous invocation (${loadLogs} warnings or errors from the load function)`,
      };
    },
    async afterDrain({ stack }) {
      const parked = await leftovers(stack);
      if (parked.deadLetters === 0) return 'no load dead-lettered: every retry caught up';
      const replay = await runReplay(stack, 'dead-letters', stackPorts(stack));
      return `${parked.deadLetters} dead letter(s) after the retries; npm run replay -- --what dead-letters: exit ${replay.code}, ${replay.output.split('\n').slice(-3).join(' / ')}`;
    },
  };
}
