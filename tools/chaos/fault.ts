/**
 * The contract every fault of `npm run chaos` implements (tools/chaos/faults/<name>.ts, listed
 * in faults/registry.ts). A fault gets the running stack, injects itself while traffic flows,
 * waits until it is over, and says what the pipeline did about it; the runner then drains
 * the pipeline and reconciles it exactly (docs/reliability.md).
 */
import type {
  FaultSwitches as SwitchValues,
  InvokeFault,
} from '../../offline/faults/fault-switches.ts';

export type { InvokeFault, SwitchValues };

/**
 * The runtime fault switches of the running stack: `<stateDir>/faults.json`, which the stack
 * polls (offline/faults/). `set` merges into what is in force (a key given as undefined is
 * switched off) and writes the file atomically; the stack applies it within ~200 ms.
 */
export interface FaultSwitches {
  current(): SwitchValues;
  set(patch: Partial<SwitchValues>): void;
  /** Waits until the stack's log shows the change applied (its `faults:` line), or times out. */
  applied(pattern: RegExp, timeoutMs?: number): Promise<void>;
}

export interface ChaosStack {
  apiUrl: string;
  kinesisEndpoint: string;
  streamName: string;
  stateDir: string;
  warehouseUrl: string;
  firehoseEndpoint: string;
  sqsEndpoint: string;
  s3Endpoint: string;
  /** sends the signal to the whole stack's process group, waits for exit, starts it again on the same state dir and ports */
  restart(signal: 'SIGKILL' | 'SIGTERM'): Promise<void>;
  output(): string; // the stack's log so far
  /** runtime fault switches of the running stack (see 3.) */
  faults: FaultSwitches;
}

export interface FaultContext {
  stack: ChaosStack;
  seed: number;
  log(line: string): void;
}

export interface FaultReport {
  fault: string;
  startedAt: Date;
  durationMs: number;
  didWhat: string;
}

export interface ChaosFault {
  name: string; // e.g. 'throttle', 'firehose-503', 'poison', 'warehouse-down', 'kill-9', 'sigterm', 'aggregate-throw', 'aggregate-timeout', 'rebuild'
  description: string;
  /** injects, waits until the fault is over, returns what happened. Called while traffic flows. */
  run(ctx: FaultContext): Promise<FaultReport>;
  /** optional: after drain, before reconciliation (e.g. `npm run replay -- --what dead-letters`) */
  afterDrain?(ctx: FaultContext): Promise<string | undefined>;
  /** ids of events this fault put on the stream itself that must end in bad_events */
  poisonIds?(): string[];
}
