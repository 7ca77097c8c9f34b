import type { InvokeResult, LambdaInvoker } from '../lambda-invoker.ts';

/**
 * How many invocations of one function may run at once, locally.
 *
 * - `reserved`: the function's reserved concurrency (serverless.yml `reservedConcurrency`).
 *   "Reserved concurrency is the maximum number of concurrent instances you want to allocate to
 *   your function" and an invocation beyond it is throttled: the Invoke API answers
 *   TooManyRequestsException (HTTP 429, "Rate Exceeded.")
 *   (https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html,
 *   https://docs.aws.amazon.com/lambda/latest/api/API_Invoke.html#API_Invoke_Errors).
 *   Reserved 0 throttles every invocation, as on AWS.
 * - `workers`: this machine's ceiling on the function's worker threads (custom.offline
 *   `lambdaWorkers`), a local limit AWS does not have. An invocation past it is not refused
 *   (AWS would have run it) but waits for a worker to come free, so the local stack does the
 *   same work, later, with a number of workers that does not grow with load.
 */
export interface ConcurrencyLimit {
  reserved?: number;
  workers: number;
}

/** What the Invoke API answers for a throttled invocation; callers retry it as a service error. */
export const THROTTLED: InvokeResult = {
  ok: false,
  errorType: 'TooManyRequestsException',
  errorMessage: 'Rate Exceeded.',
  source: 'service',
};

export interface ConcurrencyStats {
  /** Invocations admitted and not finished: running plus waiting for a worker. */
  admitted: number;
  running: number;
  waiting: number;
  /** The most that ever ran at once. */
  peakRunning: number;
  throttled: number;
}

/** One function's gate: admission by reserved concurrency, then a worker slot. */
class FunctionGate {
  readonly stats: ConcurrencyStats = {
    admitted: 0,
    running: 0,
    waiting: 0,
    peakRunning: 0,
    throttled: 0,
  };
  private readonly queue: Array<() => void> = [];

  constructor(readonly limit: ConcurrencyLimit) {}

  /** A release function once a worker is ours; undefined when throttled. */
  async enter(): Promise<(() => void) | undefined> {
    const { reserved, workers } = this.limit;
    if (reserved !== undefined && this.stats.admitted >= reserved) {
      this.stats.throttled += 1;
      return undefined;
    }
    this.stats.admitted += 1;
    if (this.stats.running >= workers) {
      this.stats.waiting += 1;
      await new Promise<void>((resolve) => this.queue.push(resolve));
      this.stats.waiting -= 1;
    } else {
      this.stats.running += 1;
    }
    this.stats.peakRunning = Math.max(this.stats.peakRunning, this.stats.running);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.stats.admitted -= 1;
      const next = this.queue.shift();
      // The slot passes straight to the next waiter: running stays as it is.
      if (next) next();
      else this.stats.running -= 1;
    };
  }
}

/**
 * One gate per function, shared by every caller of the local stack (the HTTP API, event
 * source mappings, Firehose, asynchronous invocation), as Lambda counts a function's
 * concurrency across all its invokers.
 */
export class FunctionConcurrency {
  private readonly gates = new Map<string, FunctionGate>();

  /**
   * @param limits per function name (the deployed name the Invoke API answers to)
   * @param defaultWorkers the worker ceiling of a function not in `limits`
   */
  constructor(
    limits: Record<string, ConcurrencyLimit>,
    private readonly defaultWorkers: number,
  ) {
    for (const [name, limit] of Object.entries(limits))
      this.gates.set(name, new FunctionGate(limit));
  }

  private gate(functionName: string): FunctionGate {
    let gate = this.gates.get(functionName);
    if (!gate) {
      gate = new FunctionGate({ workers: this.defaultWorkers });
      this.gates.set(functionName, gate);
    }
    return gate;
  }

  /** Runs `work` within the function's concurrency, or answers as Lambda does a throttle. */
  async run(functionName: string, work: () => Promise<InvokeResult>): Promise<InvokeResult> {
    const release = await this.gate(functionName).enter();
    if (!release) return THROTTLED;
    try {
      return await work();
    } finally {
      release();
    }
  }

  stats(functionName: string): ConcurrencyStats {
    return { ...this.gate(functionName).stats };
  }

  /** The invoker every stand-in and the HTTP API call functions through. */
  invoker(inner: LambdaInvoker): LambdaInvoker {
    return {
      invoke: (functionName, event) =>
        this.run(functionName, () => inner.invoke(functionName, event)),
    };
  }
}
