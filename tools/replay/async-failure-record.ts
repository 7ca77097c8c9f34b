import * as z from 'zod';
import { FUNCTION_ARN, functionNameOf, parseInvocationRecord } from './parse-invocation-record.ts';

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
    functionArn: FUNCTION_ARN,
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
  const parsed = parseInvocationRecord(body, schema, 'an asynchronous invocation record');
  if (!parsed.ok) return { reason: parsed.reason };
  const { requestContext, requestPayload } = parsed.value;
  return {
    functionName: functionNameOf(requestContext.functionArn),
    condition: requestContext.condition,
    approximateInvokeCount: requestContext.approximateInvokeCount,
    event: requestPayload,
  };
}
