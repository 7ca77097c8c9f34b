import { randomUUID } from 'node:crypto';
import type { InvokeResult, LambdaInvoker } from '../lambda-invoker.ts';
import { EventQueueStore, type PendingEvent } from './event-queue.ts';
import type { AsyncFailureDestination } from './failure-destinations.ts';
import {
  asyncInvocationRecord,
  functionArn,
  type AsyncFailureCondition,
} from './invocation-record.ts';

/** A function's asynchronous invocation settings (PutFunctionEventInvokeConfig). */
export interface AsyncFunctionConfig {
  /** 0–2: retries after function errors. */
  maximumRetryAttempts: number;
  /** 60–21,600: how long an event may wait in the queue, retries included. */
  maximumEventAgeSeconds: number;
  /** Absent: AWS drops the event; here it goes to the options' `unconfiguredFailures`. */
  onFailure?: AsyncFailureDestination;
}

/** AWS's defaults (invocation-async-configuring). */
export const DEFAULT_ASYNC_CONFIG: AsyncFunctionConfig = {
  maximumRetryAttempts: 2,
  maximumEventAgeSeconds: 21_600,
};

export interface AsyncRetryTiming {
  /** Waits before the retries after function errors: AWS about 1 and 2 minutes. */
  functionErrorDelaysMs: readonly number[];
  /** Throttles and system errors: from 1 s, doubling, to at most 5 minutes. */
  serviceBackoffMs: { initial: number; max: number };
}

/** invocation-async-error-handling: "one minute … two minutes"; "1 second … to 5 minutes". */
export const AWS_RETRY_TIMING: AsyncRetryTiming = {
  functionErrorDelaysMs: [60_000, 120_000],
  serviceBackoffMs: { initial: 1_000, max: 300_000 },
};

/** AWS's timing with the first retry after `firstRetrySeconds` instead of 60 (all scaled alike). */
export function scaledRetryTiming(firstRetrySeconds: number): AsyncRetryTiming {
  const scale = (ms: number) => Math.round((ms * firstRetrySeconds) / 60);
  return {
    functionErrorDelaysMs: AWS_RETRY_TIMING.functionErrorDelaysMs.map(scale),
    serviceBackoffMs: {
      initial: Math.max(1, scale(AWS_RETRY_TIMING.serviceBackoffMs.initial)),
      max: scale(AWS_RETRY_TIMING.serviceBackoffMs.max),
    },
  };
}

/** Given waits for the function-error retries; service errors back off between the same bounds. */
export function fixedRetryTiming(delaysMs: readonly number[]): AsyncRetryTiming {
  return {
    functionErrorDelaysMs: delaysMs,
    serviceBackoffMs: { initial: Math.max(1, delaysMs[0] ?? 1), max: Math.max(1, ...delaysMs) },
  };
}

export interface AsyncInvokerOptions {
  invoker: LambdaInvoker | undefined;
  /** The durable event queue's folder. */
  queueDir: string;
  /** Settings per function name; a function not listed gets AWS's defaults. */
  functions?: Readonly<Record<string, AsyncFunctionConfig>>;
  /** Where events of a function without an on-failure destination go (and sends that fail). */
  unconfiguredFailures: AsyncFailureDestination;
  timing?: AsyncRetryTiming;
  region: string;
  account?: string;
  log: { info(message: string): void; warn?(message: string): void; error(message: string): void };
  now?: () => number;
}

/**
 * Lambda's asynchronous invocation (the `Event` invocation type S3 uses): the event is queued
 * durably and acknowledged, then invoked; function errors spend MaximumRetryAttempts (waits
 * of about 1 and 2 minutes), throttles and system errors are retried with backoff without
 * spending them, and an event that runs out of retries or of MaximumEventAge goes to the
 * on-failure destination as an invocation record.
 */
export function createAsyncInvoker(options: AsyncInvokerOptions) {
  const store = new EventQueueStore(options.queueDir);
  const timing = options.timing ?? AWS_RETRY_TIMING;
  const now = options.now ?? Date.now;
  const account = options.account ?? '000000000000';
  const known = new Set<string>();
  const timers = new Map<string, NodeJS.Timeout>();
  const running = new Map<string, Promise<void>>();
  let idle: Array<() => void> = [];
  let started = false;
  let closing = false;

  const configOf = (name: string) => options.functions?.[name] ?? DEFAULT_ASYNC_CONFIG;

  function checkIdle(): void {
    if (timers.size > 0 || running.size > 0) return;
    const waiting = idle;
    idle = [];
    for (const resolve of waiting) resolve();
  }

  function schedule(pending: PendingEvent): void {
    if (closing) return;
    known.add(pending.requestId);
    const timer = setTimeout(
      () => {
        timers.delete(pending.requestId);
        const attempt = attemptOnce(pending)
          .catch((error: unknown) =>
            options.log.error(
              `async invocation of ${pending.functionName} (${pending.requestId}) stopped: ${String(error)}; the event stays in ${options.queueDir} and is retried at the next start`,
            ),
          )
          .finally(() => {
            running.delete(pending.requestId);
            checkIdle();
          });
        running.set(pending.requestId, attempt);
      },
      Math.max(0, pending.nextAttemptAt - now()),
    );
    timers.set(pending.requestId, timer);
  }

  async function invokeFunction(pending: PendingEvent): Promise<InvokeResult> {
    if (!options.invoker)
      return {
        ok: false,
        errorType: 'ServiceException',
        errorMessage: 'no LambdaInvoker configured',
        source: 'service',
      };
    return options.invoker.invoke(pending.functionName, pending.event);
  }

  async function attemptOnce(pending: PendingEvent): Promise<void> {
    const config = configOf(pending.functionName);
    const maxAgeMs = config.maximumEventAgeSeconds * 1000;
    if (now() - pending.acceptedAt > maxAgeMs) return giveUp(pending, 'EventAgeExceeded');
    const result = await invokeFunction(pending);
    if (result.ok) {
      await store.remove(pending.requestId);
      known.delete(pending.requestId);
      return;
    }
    const { source, errorType, errorMessage } = result;
    pending.attempts.push({ at: new Date(now()).toISOString(), source, errorType, errorMessage });
    let delay: number;
    if (source === 'function') {
      pending.invokeCount += 1;
      pending.functionErrors += 1;
      pending.serviceErrors = 0;
      if (pending.functionErrors > config.maximumRetryAttempts)
        return giveUp(pending, 'RetriesExhausted');
      delay = timing.functionErrorDelaysMs[pending.functionErrors - 1] ?? 0;
    } else {
      pending.serviceErrors += 1;
      const { initial, max } = timing.serviceBackoffMs;
      delay = Math.min(initial * 2 ** (pending.serviceErrors - 1), max);
    }
    pending.nextAttemptAt = now() + delay;
    // A retry that would come after the event's maximum age is not made.
    if (pending.nextAttemptAt - pending.acceptedAt > maxAgeMs)
      return giveUp(pending, 'EventAgeExceeded');
    await store.save(pending);
    // Lambda keeps this to itself; locally a person (and `npm run chaos`) sees every retry.
    options.log.warn?.(
      `async invocation of ${pending.functionName} (${pending.requestId}) failed (${errorType}: ${errorMessage.slice(0, 200)}); retry in ${delay} ms`,
    );
    schedule(pending);
  }

  async function giveUp(pending: PendingEvent, condition: AsyncFailureCondition): Promise<void> {
    const record = asyncInvocationRecord(pending.event, {
      requestId: pending.requestId,
      functionArn: functionArn(options.region, account, pending.functionName),
      condition,
      invokeCount: pending.invokeCount,
      lastError: pending.attempts.at(-1),
      now: now(),
    });
    const configured = configOf(pending.functionName).onFailure;
    let destination = configured ?? options.unconfiguredFailures;
    try {
      await destination.send(record, pending);
    } catch (error) {
      if (!configured) throw error;
      options.log.error(
        `async invocation record for ${pending.functionName} could not be sent to ${configured.describe}: ${String(error)}`,
      );
      destination = options.unconfiguredFailures;
      await destination.send(record, pending);
    }
    options.log.error(
      `${condition}: async invocation of ${pending.functionName} (${pending.requestId}) gave up after ${pending.invokeCount} invocation(s) (last: ${pending.attempts.at(-1)?.errorType ?? 'none'}); event in ${destination.describe}${configured ? '' : ' (no on-failure destination: AWS would drop it)'}`,
    );
    await store.remove(pending.requestId);
    known.delete(pending.requestId);
  }

  return {
    /** Queues the event durably (resolves once it is on disk), as InvocationType Event does. */
    async invoke(functionName: string, event: unknown): Promise<void> {
      const at = now();
      const pending: PendingEvent = {
        requestId: randomUUID(),
        functionName,
        event,
        acceptedAt: at,
        invokeCount: 0,
        functionErrors: 0,
        serviceErrors: 0,
        nextAttemptAt: at,
        attempts: [],
      };
      await store.save(pending);
      if (started && !known.has(pending.requestId)) schedule(pending);
    },
    /** Starts delivering: the events left on disk by an earlier run first. */
    async start(): Promise<void> {
      started = true;
      const { pending, unreadable } = await store.load();
      for (const file of unreadable)
        options.log.error(`async event queue: ${file} is not a readable event; left in place`);
      const restored = pending.filter((p) => !known.has(p.requestId));
      for (const p of restored) schedule(p);
      if (restored.length > 0)
        options.log.info(`async event queue: ${restored.length} pending event(s) resumed`);
    },
    /** Resolves once every event accepted so far was delivered or given up on. */
    settled(): Promise<void> {
      return new Promise((resolve) => {
        idle.push(resolve);
        checkIdle();
      });
    },
    /** Stops retrying; invocations under way finish; pending events stay on disk for next time. */
    async close(): Promise<void> {
      closing = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      while (running.size > 0) await Promise.all([...running.values()]);
      checkIdle();
    },
  };
}

export type AsyncInvoker = ReturnType<typeof createAsyncInvoker>;
