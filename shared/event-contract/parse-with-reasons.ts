import type * as z from 'zod';
import { describeIssues } from './reasons.ts';

export type Checked<T> = { ok: true; data: T } | { ok: false; reasons: string[] };

/**
 * Parses with a schema; on failure, parses again with the input reported in each issue so
 * the reasons can say what was sent ("got string \"9.5\""). Asking zod for the input on
 * every parse costs about six times as much, so valid input never pays for it.
 */
export function parseWithReasons<S extends z.ZodType>(
  schema: S,
  input: unknown,
  prefix = '',
): Checked<z.infer<S>> {
  const fast = schema.safeParse(input);
  if (fast.success) return { ok: true, data: fast.data };
  const detailed = schema.safeParse(input, { reportInput: true });
  const issues = detailed.success ? fast.error.issues : detailed.error.issues;
  return { ok: false, reasons: describeIssues(issues, prefix) };
}
