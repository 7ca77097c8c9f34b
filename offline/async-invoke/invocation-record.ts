/**
 * Why Lambda gave up on an asynchronous event. AWS's recorded answers (localstack's
 * AWS-validated snapshot test_lambda_destinations: test_destination_sqs, test_maxeventage)
 * spell them `RetriesExhausted` and `EventAgeExceeded`.
 */
export type AsyncFailureCondition = 'RetriesExhausted' | 'EventAgeExceeded';

/** The last failed attempt of an event, as the retry loop saw it. */
export interface AttemptError {
  source: 'function' | 'service';
  errorType: string;
  errorMessage: string;
}

/**
 * The record Lambda sends to an asynchronous invocation's on-failure destination
 * (invocation-async-retain-records). Shape as AWS answered in the recorded snapshots above:
 * the event as `requestPayload`, the function's error as `responsePayload`.
 */
export interface AsyncInvocationRecord {
  version: '1.0';
  timestamp: string;
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: AsyncFailureCondition;
    approximateInvokeCount: number;
  };
  requestPayload: unknown;
  /** Absent when the function never ran (the event aged out before any invocation). */
  responseContext?: {
    statusCode: number;
    executedVersion: '$LATEST';
    functionError?: string;
  };
  responsePayload?: { errorType: string; errorMessage: string };
}

export interface RecordContext {
  requestId: string;
  functionArn: string;
  condition: AsyncFailureCondition;
  invokeCount: number;
  lastError: AttemptError | undefined;
  now: number;
}

/** Lambda's status for an attempt that failed before the function ran: a throttle or a 5xx. */
const serviceStatus = (error: AttemptError) =>
  /Throttl|TooManyRequests/i.test(error.errorType) ? 429 : 500;

export function asyncInvocationRecord(
  event: unknown,
  context: RecordContext,
): AsyncInvocationRecord {
  const error = context.lastError;
  return {
    version: '1.0',
    timestamp: new Date(context.now).toISOString(),
    requestContext: {
      requestId: context.requestId,
      functionArn: context.functionArn,
      condition: context.condition,
      approximateInvokeCount: context.invokeCount,
    },
    requestPayload: event,
    ...(error === undefined
      ? {}
      : {
          // The Invoke API answers 200 whenever the function ran, even if it threw; Lambda
          // reports an unhandled error as `Unhandled` (recorded answers above).
          responseContext:
            error.source === 'function'
              ? { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' }
              : { statusCode: serviceStatus(error), executedVersion: '$LATEST' },
          responsePayload: { errorType: error.errorType, errorMessage: error.errorMessage },
        }),
  };
}

/** The ARN Lambda names in the record: the unqualified function invoked is `$LATEST`. */
export function functionArn(region: string, account: string, functionName: string): string {
  return `arn:aws:lambda:${region}:${account}:function:${functionName}:$LATEST`;
}
