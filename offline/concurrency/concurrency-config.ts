import type { ConcurrencyLimit } from './function-concurrency.ts';

/** A function as serverless.yml declares it, for its concurrency. */
export interface FunctionConcurrencySpec {
  key: string;
  /** The deployed name the Invoke API answers to. */
  name: string;
  /** serverless.yml `reservedConcurrency` (CloudFormation ReservedConcurrentExecutions). */
  reservedConcurrency?: unknown;
}

export interface ConcurrencyPlan {
  limits: Record<string, ConcurrencyLimit>;
  /** What `npm start` says about each function whose local ceiling differs from AWS's. */
  notices: string[];
}

/**
 * Each function's limits: its reserved concurrency, honoured as AWS does (a whole number from
 * 0; https://docs.aws.amazon.com/lambda/latest/api/API_PutFunctionConcurrency.html), and the
 * machine's worker ceiling. A ceiling below what AWS would run at once is said at start, never
 * silently: locally those invocations wait for a worker instead of running side by side.
 */
export function concurrencyPlan(
  functions: readonly FunctionConcurrencySpec[],
  workers: number,
): ConcurrencyPlan {
  const limits: Record<string, ConcurrencyLimit> = {};
  const notices: string[] = [];
  const capped: string[] = [];
  for (const fn of functions) {
    const raw = fn.reservedConcurrency;
    let reserved: number | undefined;
    if (raw !== undefined && raw !== null) {
      reserved = Number(raw);
      if (!Number.isInteger(reserved) || reserved < 0)
        throw new Error(
          `function ${fn.key}: reservedConcurrency must be a whole number of 0 or more (got ${JSON.stringify(raw)})`,
        );
    }
    limits[fn.name] = { workers, ...(reserved === undefined ? {} : { reserved }) };
    if (reserved === 0)
      notices.push(
        `function ${fn.key}: reservedConcurrency 0, every invocation is throttled (TooManyRequestsException), as on AWS`,
      );
    else if (reserved === undefined)
      capped.push(`${fn.key} (AWS: up to the account's unreserved concurrency)`);
    else if (reserved > workers) capped.push(`${fn.key} (reservedConcurrency ${reserved})`);
  }
  if (capped.length > 0)
    notices.push(
      `Lambda: at most ${workers} invocations of each function run at once on this machine (OFFLINE_LAMBDA_WORKERS); more wait for a free worker rather than run side by side as on AWS: ${capped.join(', ')}`,
    );
  return { limits, notices };
}
