import type { ChaosFault } from '../fault.ts';
import { aggregateThrow, aggregateTimeout } from './aggregate.ts';
import { firehoseUnavailableFault } from './firehose-503.ts';
import { killNine, sigterm } from './kill.ts';
import { poisonFault } from './poison.ts';
import { rebuild } from './rebuild.ts';
import { throttleFault } from './throttle.ts';
import { warehouseDownFault } from './warehouse-down.ts';

/**
 * Every fault `npm run chaos` knows, by name, in the order a campaign injects them. Timings
 * scale with `durationScale` (1 for `npm run chaos`, less in CI, where faults are shorter).
 * A helper adding a fault adds its factory here (tools/chaos/README.md).
 */
export interface FaultTimings {
  /** How long a fault that lasts (throttle, firehose-503) stays on, in ms. */
  faultMs: number;
  /** How long the warehouse stays down, in ms. */
  outageMs: number;
}

export const DEFAULT_TIMINGS: FaultTimings = { faultMs: 20_000, outageMs: 30_000 };

export const FAULTS: Record<string, (timings: FaultTimings) => ChaosFault> = {
  throttle: (t) => throttleFault({ rate: 0.3, durationMs: t.faultMs }),
  'firehose-503': (t) => firehoseUnavailableFault({ rate: 0.3, durationMs: t.faultMs }),
  poison: () => poisonFault(),
  'warehouse-down': (t) => warehouseDownFault({ outageMs: t.outageMs }),
  'aggregate-throw': () => aggregateThrow,
  'aggregate-timeout': () => aggregateTimeout,
  'kill-9': () => killNine(),
  sigterm: () => sigterm(),
  rebuild: () => rebuild,
};

export function faultNamed(name: string, timings: FaultTimings = DEFAULT_TIMINGS): ChaosFault {
  const make = FAULTS[name];
  if (!make) throw new Error(`unknown fault "${name}" (known: ${Object.keys(FAULTS).join(', ')})`);
  return make(timings);
}
