import * as z from 'zod';

/**
 * What both kinds of Lambda invocation record share (a stream mapping's and an asynchronous
 * invocation's): a dead letter's body parsed against the kind's schema, with a reason a person
 * can read when it is not one, and the function the record names.
 */
export const FUNCTION_ARN = z.string().regex(/:function:[^:]+/, { error: 'a Lambda function ARN' });

export function parseInvocationRecord<T>(
  body: string,
  schema: z.ZodType<T>,
  kind: string,
): { ok: true; value: T } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { ok: false, reason: 'the message is not JSON' };
  }
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, value: result.data };
  const issues = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  return { ok: false, reason: `not ${kind} (${issues.join('; ')})` };
}

/** A qualifier (`:$LATEST`, an alias) is dropped: the replay runs the current function. */
export function functionNameOf(functionArn: string): string {
  return functionArn.split(':function:')[1]?.split(':')[0] ?? '';
}
