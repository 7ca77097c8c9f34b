import { existsSync, readFileSync } from 'node:fs';
import {
  faultsFile,
  parseFaultSwitches,
  writeFaultSwitches,
} from '../../offline/faults/fault-switches.ts';
import type { FaultSwitches, SwitchValues } from './fault.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The fault switches of a stack running on `stateDir` (its `faults.json`), for whoever drives
 * it: `npm run chaos` and the fault tests. `applied` waits for the stack's log (`output`) to
 * show the change, looking only at what was logged since the last `set`.
 */
export function fileFaultSwitches(stateDir: string, output: () => string): FaultSwitches {
  let marked = 0;
  const switches: FaultSwitches = {
    current: () => {
      const file = faultsFile(stateDir);
      return existsSync(file) ? parseFaultSwitches(readFileSync(file, 'utf8')) : {};
    },
    set: (patch) => {
      const next: Record<string, unknown> = { ...switches.current(), ...patch };
      for (const key of Object.keys(next)) if (next[key] === undefined) delete next[key];
      marked = output().length;
      writeFaultSwitches(stateDir, next as SwitchValues);
    },
    applied: async (pattern, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(output().slice(marked))) {
        if (Date.now() > deadline)
          throw new Error(`the stack did not log ${String(pattern)} within ${timeoutMs} ms`);
        await sleep(100);
      }
    },
  };
  return switches;
}
