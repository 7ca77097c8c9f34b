/**
 * A function's asynchronous invocation settings as serverless.yml states them (osls keys
 * `maximumRetryAttempts`, `maximumEventAge`, `destinations`, which it deploys as an
 * AWS::Lambda::EventInvokeConfig), with what the local stack cannot honour refused.
 */
export interface AsyncInvokeSpec {
  functionKey: string;
  functionName: string;
  /** 0–2; AWS's default 2. */
  maximumRetryAttempts: number;
  /** 60–21,600; AWS's default 21,600 (6 hours). */
  maximumEventAgeSeconds: number;
  /** The on-failure destination's queue name (an SQS ARN on AWS; a URL once SQS is up). */
  onFailureQueue?: string;
}

export interface AsyncFunctionSettings {
  key: string;
  name: string;
  maximumRetryAttempts?: unknown;
  maximumEventAge?: unknown;
  /** Already resolved: intrinsics (`!GetAtt Queue.Arn`) replaced by local ARNs. */
  destinations?: unknown;
}

function integerIn(value: unknown, min: number, max: number, fallback: number, at: string) {
  if (value === undefined || value === null) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`${at} must be an integer from ${min} to ${max} (got ${String(value)})`);
  return n;
}

const arnOf = (destination: unknown) =>
  typeof destination === 'object' && destination !== null
    ? (destination as { arn?: unknown }).arn
    : destination;

export function asyncInvokeSpec(fn: AsyncFunctionSettings): AsyncInvokeSpec {
  const at = `functions.${fn.key}`;
  const spec: AsyncInvokeSpec = {
    functionKey: fn.key,
    functionName: fn.name,
    maximumRetryAttempts: integerIn(fn.maximumRetryAttempts, 0, 2, 2, `${at}.maximumRetryAttempts`),
    maximumEventAgeSeconds: integerIn(
      fn.maximumEventAge,
      60,
      21_600,
      21_600,
      `${at}.maximumEventAge`,
    ),
  };
  const destinations = (fn.destinations ?? {}) as { onSuccess?: unknown; onFailure?: unknown };
  if (destinations.onSuccess !== undefined) {
    throw new Error(
      `${at}.destinations.onSuccess: the local stack does not send on-success invocation records; ` +
        'remove it, or deploy to test it',
    );
  }
  if (destinations.onFailure !== undefined) {
    const arn = String(arnOf(destinations.onFailure));
    if (!arn.startsWith('arn:aws:sqs:')) {
      // AWS also takes an SNS topic, a function, an EventBridge bus or an S3 bucket
      // (invocation-async-retain-records); dropping the record would do less than AWS.
      throw new Error(
        `${at}.destinations.onFailure is ${arn}: locally an asynchronous invocation's on-failure ` +
          'destination must be an SQS queue (SNS, Lambda, EventBridge and S3 are not stood in ' +
          'for); use an AWS::SQS::Queue, or deploy to test that destination',
      );
    }
    spec.onFailureQueue = arn.slice(arn.lastIndexOf(':') + 1);
  }
  return spec;
}
