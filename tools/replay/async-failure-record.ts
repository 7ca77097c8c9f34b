import * as z from 'zod';

/**
 * The record Lambda sends to an asynchronous invocation's on-failure destination
 * (invocation-async-retain-records): unlike a stream mapping's, it carries the event itself
 * as `requestPayload`, so a replay invokes the function with it again. S3 → load failures
 * arrive in the dead-letter queue this way, locally and on AWS.
 */
export interface FailedAsyncEvent {
  functionName: string;
  condition: string;
  approximateInvokeCount: number;
  event: unknown;
}

const schema = z.object({
  version: z.string(),
  requestContext: z.object({
    functionArn: z.string().regex(/:function:[^:]+/, { error: 'a Lambda function ARN' }),
    condition: z.string().min(1),
    approximateInvokeCount: z.number().int().min(0),
  }),
  requestPayload: z.unknown().refine((value) => value !== undefined, {
    error: 'the event (requestPayload) is missing',
  }),
});

/** Whether a dead letter is an async invocation record (rather than a Kinesis one). */
export function isAsyncInvocationRecord(body: string): boolean {
  try {
    const value = JSON.parse(body) as unknown;
    return (
      typeof value === 'object' &&
      value !== null &&
      'requestPayload' in value &&
      !('KinesisBatchInfo' in value)
    );
  } catch {
    return false;
  }
}

export function parseAsyncFailureRecord(body: string): FailedAsyncEvent | { reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { reason: 'the message is not JSON' };
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    return { reason: `not an asynchronous invocation record (${issues.join('; ')})` };
  }
  const { requestContext, requestPayload } = result.data;
  return {
    // A qualifier (`:$LATEST`, an alias) is dropped: the replay runs the current function.
    functionName: requestContext.functionArn.split(':function:')[1]?.split(':')[0] ?? '',
    condition: requestContext.condition,
    approximateInvokeCount: requestContext.approximateInvokeCount,
    event: requestPayload,
  };
}
