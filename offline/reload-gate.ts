import type { LambdaInvoker } from './lambda-invoker.ts';

/** Longest an in-flight invocation is waited for before a reload goes ahead anyway. */
export const RELOAD_DRAIN_TIMEOUT_MS = 120_000;

export interface ReloadGateLog {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
}

/**
 * Drains the functions before serverless-offline reloads them. When a watched file changes,
 * serverless-esbuild rebuilds and spawns `offline:functionsUpdated`, whose `cleanup` step
 * terminates every function's worker thread, busy or not: an invocation in flight then never
 * answers (its worker's message port closes without a message) until the function's timeout,
 * and its caller cannot tell whether the handler ran to the end. On AWS an update interrupts
 * nothing: while it is in progress the function can still be invoked, on its previous code,
 * and the new code serves invocations once the update completes
 * (https://docs.aws.amazon.com/lambda/latest/dg/functions-states.html).
 *
 * Every invocation of the stack (event source mappings, Firehose, S3's asynchronous
 * invocation, the HTTP API) passes through `wrap`. Before the cleanup the gate closes: new
 * invocations wait, and the cleanup waits for those in flight to finish; after it the gate
 * opens and the waiting invocations run on the new code. Overlapping reloads nest.
 */
export class ReloadGate {
  private inFlight = 0;
  private closed = 0;
  private idle: Array<() => void> = [];
  private opened: Array<() => void> = [];

  constructor(
    private readonly log: ReloadGateLog,
    private readonly drainTimeoutMs = RELOAD_DRAIN_TIMEOUT_MS,
  ) {}

  wrap(inner: LambdaInvoker): LambdaInvoker {
    return {
      invoke: async (functionName, event) => {
        while (this.closed > 0) await new Promise<void>((r) => this.opened.push(r));
        this.inFlight += 1;
        try {
          return await inner.invoke(functionName, event);
        } finally {
          this.inFlight -= 1;
          if (this.inFlight === 0) for (const wake of this.idle.splice(0)) wake();
        }
      },
    };
  }

  /** Closes the gate and waits (bounded) until no invocation is in flight. */
  async drain(): Promise<void> {
    this.closed += 1;
    this.log.info('functions reloading: new invocations wait, those in flight finish first', {
      inFlight: this.inFlight,
    });
    if (this.inFlight === 0) return;
    const started = Date.now();
    let timer: NodeJS.Timeout | undefined;
    const drained = await Promise.race([
      new Promise<true>((r) => this.idle.push(() => r(true))),
      new Promise<false>((r) => (timer = setTimeout(() => r(false), this.drainTimeoutMs))),
    ]);
    clearTimeout(timer);
    if (drained)
      this.log.info('functions reloading: in-flight invocations done', {
        waitedMs: Date.now() - started,
      });
    else
      this.log.warn('functions reloading with invocations still in flight: they will fail', {
        inFlight: this.inFlight,
        waitedMs: Date.now() - started,
      });
  }

  /** Opens the gate (once per drain): waiting invocations go ahead. */
  open(): void {
    this.closed = Math.max(0, this.closed - 1);
    if (this.closed === 0) for (const wake of this.opened.splice(0)) wake();
  }

  get invocationsInFlight(): number {
    return this.inFlight;
  }
}
