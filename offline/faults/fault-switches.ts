import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as z from 'zod';

/**
 * Faults a running local stack can be told to make, without a restart: the switches of
 * `npm run chaos` and of the fault tests. They live in one JSON file in the stack's state
 * folder (`faults.json`), written atomically by whoever drives the faults and read by the
 * stand-ins, polled every 200 ms. No file, or an empty one, means no fault: `npm start`
 * never makes one unless asked. A file that does not parse is refused loudly and ignored
 * (the previous switches stay), never half-applied.
 */
export const invokeFaultSchema = z.strictObject({
  /**
   * How the invocation fails: `error` answers a function error (as a handler that threw),
   * `timeout` waits `timeoutMs` then answers Lambda's timeout error. The function never runs.
   */
  mode: z.enum(['error', 'timeout']),
  /** Only invocations whose event (as JSON, Kinesis data decoded) contains this text fail. */
  whenEventContains: z.string().min(1).optional(),
  /** How long a `timeout` invocation hangs before failing (the function's timeout). */
  timeoutMs: z.number().int().min(0).max(900_000).optional(),
  /** At most this many invocations fail, then the fault is spent. */
  times: z.number().int().min(1).optional(),
});

/** A step of the pipeline held still for `ms`, so a crash test can kill the stack inside it. */
export const holdSchema = z.strictObject({
  ms: z.number().int().min(1).max(600_000),
  /** At most this many holds, then the switch is spent (default: every time). */
  times: z.number().int().min(1).optional(),
  /** Only where the step's description contains this (e.g. `/metrics/` for one S3 prefix). */
  whenDetailContains: z.string().min(1).optional(),
});

/**
 * Where a hold can be made; each logs `fault: holding <point> …` as a warning when it starts:
 * - `firehoseS3Write`: Firehose flushed a buffer and is about to PutObject it (records in
 *   memory only, their source checkpoint not moved);
 * - `warehouseLoadCommit`: a load's transaction staged and merged its rows and is about to
 *   write its `loads` audit row and commit (PGlite only);
 * - `windowFinalCheckpoint`: a tumbling window's final invocation answered (its rows are
 *   with Firehose) and its checkpoint is not yet saved.
 */
export const HOLD_POINTS = [
  'firehoseS3Write',
  'warehouseLoadCommit',
  'windowFinalCheckpoint',
] as const;
export type HoldPoint = (typeof HOLD_POINTS)[number];

export const faultSwitchesSchema = z.strictObject({
  /** Share of PutRecords entries the stream refuses (ProvisionedThroughputExceededException). */
  kinesisThrottleRate: z.number().min(0).max(1).optional(),
  /** Share of Firehose PutRecordBatch calls answered ServiceUnavailableException. */
  firehoseUnavailableRate: z.number().min(0).max(1).optional(),
  /**
   * The local warehouse stopped (PGlite's wire server closed, its connections cut) while true,
   * then started again on the same data and port: a database restart or outage.
   */
  warehouseUnavailable: z.boolean().optional(),
  /** Per function name (serverless.yml's key, e.g. `aggregate`). */
  invoke: z.record(z.string(), invokeFaultSchema).optional(),
  /** Steps held still (see HOLD_POINTS), for crash tests and `kill-9` chaos faults. */
  hold: z.partialRecord(z.enum(HOLD_POINTS), holdSchema).optional(),
  /** Free text: why these switches are set (shown in the stack's log). */
  reason: z.string().optional(),
});

export type InvokeFault = z.infer<typeof invokeFaultSchema>;
export type FaultSwitches = z.infer<typeof faultSwitchesSchema>;

export const FAULTS_FILE = 'faults.json';

export function faultsFile(stateDir: string): string {
  return join(stateDir, FAULTS_FILE);
}

/** Parses the file's text; throws with the reason when it is not valid switches. */
export function parseFaultSwitches(text: string): FaultSwitches {
  if (text.trim() === '') return {};
  const parsed = faultSwitchesSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  return parsed.data;
}

/** Replaces the switches atomically (write, then rename): a reader never sees half a file. */
export function writeFaultSwitches(stateDir: string, switches: FaultSwitches): void {
  const file = faultsFile(stateDir);
  const valid = faultSwitchesSchema.parse(switches);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(valid, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

export interface FaultSwitchReader {
  /** The switches now in force. */
  current(): FaultSwitches;
  /** Called with the new switches each time they change. */
  onChange(listener: (switches: FaultSwitches) => void): void;
  close(): void;
}

/** Follows `<stateDir>/faults.json` for the life of the stack. */
export function watchFaultSwitches(
  stateDir: string,
  warn: (message: string) => void,
  intervalMs = 200,
): FaultSwitchReader {
  const file = faultsFile(stateDir);
  const listeners: Array<(switches: FaultSwitches) => void> = [];
  let switches: FaultSwitches = {};
  let seen = '';
  const load = () => {
    const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
    if (text === seen) return;
    seen = text;
    try {
      switches = parseFaultSwitches(text);
    } catch (error) {
      warn(`${file} ignored, the faults in force are unchanged: ${(error as Error).message}`);
      return;
    }
    for (const listener of listeners) listener(switches);
  };
  load();
  // Read on a timer, not with fs.watchFile: watchFile takes its first stat asynchronously, so
  // a file rewritten right after the start was never seen (a flaky test showed it); the
  // text comparison in load() makes each read cheap.
  const timer = setInterval(load, intervalMs);
  timer.unref();
  return {
    current: () => switches,
    onChange: (listener) => listeners.push(listener),
    close: () => clearInterval(timer),
  };
}

/** Waits out a hold at `point` when the switches in force ask for one; a no-op otherwise. */
export type Hold = (point: HoldPoint, detail: string) => Promise<void>;

/**
 * Holds as `faults.json` says: `times` counts per stack run, and a new `hold` object (the
 * file rewritten) starts the count again.
 */
export function holdFrom(
  reader: Pick<FaultSwitchReader, 'current'>,
  warn: (line: string) => void,
): Hold {
  const spent = new Map<HoldPoint, { switch: unknown; count: number }>();
  return async (point, detail) => {
    const hold = reader.current().hold?.[point];
    if (!hold || (hold.whenDetailContains && !detail.includes(hold.whenDetailContains))) return;
    let used = spent.get(point);
    if (used?.switch !== hold) spent.set(point, (used = { switch: hold, count: 0 }));
    if (hold.times !== undefined && used.count >= hold.times) return;
    used.count += 1;
    warn(`fault: holding ${point} for ${hold.ms} ms (${detail})`);
    await new Promise((resolve) => setTimeout(resolve, hold.ms));
  };
}
