import type { FaultSwitches, FaultSwitchReader } from './fault-switches.ts';

/**
 * Applies the switches of `faults.json` to the running stand-ins, and logs each change with
 * what the fault did while it was on (entries refused, calls refused), in lines that start
 * with `faults:` so a chaos run can read them back from the stack's output. Every fault is off
 * unless the file sets it; a switch removed from the file goes back to the stack's settings.
 */
export interface FaultTargets {
  /** The Kinesis fault proxy, always in front of the emulator. */
  kinesis?: {
    setThrottleRate(rate: number): void;
    stats: { entriesThrottled: number; entriesForwarded: number };
  };
  /** The stack's own setting (OFFLINE_KINESIS_THROTTLE_RATE), restored when the switch is off. */
  baseThrottleRate: number;
  firehose?(): FirehoseFaults | undefined;
  warehouse?: { setUnavailable(down: boolean): Promise<void> };
  log: { warn(message: string): void };
}

interface FirehoseFaults {
  setUnavailableCallRate(rate: number): void;
  unavailableStats(): { putCalls: number; refusedCalls: number; refusedRecords: number };
}

export interface AppliedFaults {
  /** Re-applies the switches in force (e.g. once Firehose has started). */
  refresh(): void;
}

export function applyFaultSwitches(
  reader: FaultSwitchReader,
  targets: FaultTargets,
): AppliedFaults {
  let applied: FaultSwitches = {};
  let throttleFrom = { throttled: 0, forwarded: 0 };
  let firehoseFrom = { putCalls: 0, refusedCalls: 0, refusedRecords: 0 };
  let warehouse = Promise.resolve();

  const apply = (next: FaultSwitches) => {
    const why = next.reason ? ` (${next.reason})` : '';
    const throttle = next.kinesisThrottleRate ?? targets.baseThrottleRate;
    const before = applied.kinesisThrottleRate ?? targets.baseThrottleRate;
    if (targets.kinesis && throttle !== before) {
      const { entriesThrottled, entriesForwarded } = targets.kinesis.stats;
      if (before > 0 && applied.kinesisThrottleRate !== undefined)
        targets.log.warn(
          `faults: Kinesis throttle ${before} off: ${entriesThrottled - throttleFrom.throttled} PutRecords entries refused (ProvisionedThroughputExceededException), ${entriesForwarded - throttleFrom.forwarded} written`,
        );
      throttleFrom = { throttled: entriesThrottled, forwarded: entriesForwarded };
      targets.kinesis.setThrottleRate(throttle);
      targets.log.warn(`faults: Kinesis throttle ${throttle} of PutRecords entries${why}`);
    }
    const firehose = targets.firehose?.();
    const unavailable = next.firehoseUnavailableRate ?? 0;
    if (firehose && unavailable !== (applied.firehoseUnavailableRate ?? 0)) {
      const stats = firehose.unavailableStats();
      if ((applied.firehoseUnavailableRate ?? 0) > 0)
        targets.log.warn(
          `faults: Firehose unavailability off: ${stats.refusedCalls - firehoseFrom.refusedCalls} of ${stats.putCalls - firehoseFrom.putCalls} PutRecordBatch calls refused with ServiceUnavailableException (${stats.refusedRecords - firehoseFrom.refusedRecords} records)`,
        );
      firehoseFrom = stats;
      firehose.setUnavailableCallRate(unavailable);
      if (unavailable > 0)
        targets.log.warn(
          `faults: Firehose answers ServiceUnavailableException to ${unavailable} of PutRecordBatch calls${why}`,
        );
    }
    const down = next.warehouseUnavailable === true;
    if (targets.warehouse && down !== (applied.warehouseUnavailable === true)) {
      const control = targets.warehouse;
      // One transition at a time: a stop still closing is never raced by a start.
      warehouse = warehouse
        .then(() => control.setUnavailable(down))
        .then(() =>
          targets.log.warn(
            down
              ? `faults: warehouse stopped${why}`
              : 'faults: warehouse started again on the same data and port',
          ),
        )
        .catch((error: unknown) =>
          targets.log.warn(`faults: warehouse ${down ? 'stop' : 'start'} failed: ${String(error)}`),
        );
    }
    applied = {
      ...next,
      ...(firehose ? {} : { firehoseUnavailableRate: applied.firehoseUnavailableRate }),
    };
  };
  reader.onChange(apply);
  apply(reader.current());
  return {
    refresh: () => apply(reader.current()),
  };
}
