import type { LambdaInvoker } from '../lambda-invoker.ts';
import type { KinesisMappingConfig } from './mapping-config.ts';
import type { FailureDestination } from './destination.ts';
import type { Hold } from '../faults/fault-switches.ts';

/** Wall-clock time in epoch milliseconds; tests move it to age records without waiting. */
export interface Clock {
  now(): number;
}

/** The logging the stand-in needs; the plugin's logger or Powertools' Logger both fit. */
export interface MappingLog {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

/**
 * Intervals of the poll and retry loops. Defaults are AWS's numbers where AWS documents them;
 * tests shorten the idle poll and retry delays to stay fast.
 */
export interface Timing {
  /** Lambda polls a caught-up shard "at a base rate of once per second". */
  idlePollIntervalMs: number;
  /** Kinesis allows 5 GetRecords per second per shard: never poll a shard faster. */
  minGetRecordsIntervalMs: number;
  /** First delay before retrying a failed batch; doubles per retry up to the maximum. */
  retryBaseDelayMs: number;
  retryMaxDelayMs: number;
  /** After a read error (throttling, a stream being updated) before reading again. */
  readErrorBackoffMs: number;
  /** How long past a window's end a caught-up shard waits before closing the window. */
  windowCloseGraceMs: number;
}

export const DEFAULT_TIMING: Timing = {
  idlePollIntervalMs: 1_000,
  minGetRecordsIntervalMs: 200,
  retryBaseDelayMs: 500,
  retryMaxDelayMs: 10_000,
  readErrorBackoffMs: 1_000,
  windowCloseGraceMs: 200,
};

export interface Counters {
  invocations: number;
  failedInvocations: number;
  recordsProcessed: number;
  recordsFiltered: number;
  recordsDiscarded: number;
  failureRecordsSent: number;
  lastProcessingResult: string;
}

/** What every poller and batch of one mapping shares. */
export interface Runtime {
  config: KinesisMappingConfig;
  invoker: LambdaInvoker;
  destination: FailureDestination | undefined;
  clock: Clock;
  timing: Timing;
  log: MappingLog;
  functionArn: string;
  region: string;
  invokeIdentityArn: string;
  /** Records older than the stream's retention are gone from Kinesis: they expire. */
  retentionMs: number;
  counters: Counters;
  stopping: AbortSignal;
  /** A fault switch holding a step still (offline/faults), for crash tests; absent: none. */
  hold?: Hold;
}

/** Resolves after `ms`, or at once when the mapping stops; says whether it still runs. */
export function pause(runtime: Runtime, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (runtime.stopping.aborted) return resolve(false);
    const done = () => {
      clearTimeout(timer);
      runtime.stopping.removeEventListener('abort', done);
      resolve(!runtime.stopping.aborted);
    };
    const timer = setTimeout(done, Math.max(0, ms));
    runtime.stopping.addEventListener('abort', done);
  });
}

/** A wake-up call between a shard's reader and its batch workers. */
export class Wakeup {
  private waiters: Array<() => void> = [];

  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Resolves on the next notify, after `ms`, or when the mapping stops. */
  wait(runtime: Runtime, ms: number): Promise<void> {
    return new Promise((resolve) => {
      if (runtime.stopping.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        runtime.stopping.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, Math.min(ms, 2_147_483_647)));
      runtime.stopping.addEventListener('abort', done);
      this.waiters.push(done);
    });
  }
}
