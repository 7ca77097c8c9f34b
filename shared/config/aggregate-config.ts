import * as z from 'zod';
import { awsEnv, optionalEndpoint, parseEnv } from './parse-env.ts';

/** The aggregate function's configuration, parsed once at cold start (README: Configuration). */
const aggregateEnv = z.object({
  ...awsEnv,
  METRICS_DELIVERY_STREAM: z.string().min(1, { error: 'the Firehose delivery stream for metrics' }),
  FIREHOSE_ENDPOINT: optionalEndpoint,
  /** Time allowed for PutRecordBatch retries when a window's rows are written. */
  METRICS_RETRY_BUDGET_MS: z.coerce.number().int().min(0).max(60_000).default(10_000),
  /** The first backoff before a PutRecordBatch retry; doubles per attempt, with full jitter. */
  METRICS_RETRY_BASE_DELAY_MS: z.coerce.number().int().min(1).max(10_000).default(100),
  /** The longest backoff between two PutRecordBatch attempts. */
  METRICS_RETRY_MAX_DELAY_MS: z.coerce.number().int().min(1).max(60_000).default(2_000),
});

export type AggregateConfig = z.infer<typeof aggregateEnv>;

export function loadAggregateConfig(env: NodeJS.ProcessEnv = process.env): AggregateConfig {
  return parseEnv(aggregateEnv, env);
}
