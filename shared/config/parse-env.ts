import * as z from 'zod';
import { ConfigError } from '../runtime/errors.ts';

/**
 * Parses configuration from the environment once, at cold start. A wrong or missing
 * variable fails with a message naming each variable and what it must be.
 */
export function parseEnv<S extends z.ZodType>(
  schema: S,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.');
    const value = env[name];
    return value === undefined
      ? `${name} is not set (${issue.message})`
      : `${name}: ${issue.message}`;
  });
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}

/** An environment variable holding a comma-separated list; empty items are dropped. */
export const commaList = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0),
);

export const awsEnv = {
  AWS_REGION: z.string().min(1).default('us-east-1'),
};

/** An endpoint override for a local stand-in; an empty string means "use AWS". */
export const optionalEndpoint = z
  .union([z.literal(''), z.url({ protocol: /^https?$/ })])
  .optional()
  .transform((value) => (value ? value : undefined));
