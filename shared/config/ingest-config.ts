import * as z from 'zod';
import { awsEnv, commaList, optionalEndpoint, parseEnv } from './parse-env.ts';

/** The ingest function's configuration, parsed once at cold start (README: Configuration). */
const ingestEnv = z.object({
  ...awsEnv,
  STREAM_NAME: z.string().min(1, { error: 'the Kinesis stream to write to' }),
  INGEST_WRITE_KEYS: commaList.refine((keys) => keys.length > 0, {
    error: 'give at least one write key (comma-separated)',
  }),
  KINESIS_ENDPOINT: optionalEndpoint,
  /** Time allowed for PutRecords retries within one request. */
  INGEST_RETRY_BUDGET_MS: z.coerce.number().int().min(0).max(25_000).default(3_000),
  /** The first backoff before a PutRecords retry; doubles per attempt, with full jitter. */
  INGEST_RETRY_BASE_DELAY_MS: z.coerce.number().int().min(1).max(5_000).default(50),
  /** The longest backoff between two PutRecords attempts. */
  INGEST_RETRY_MAX_DELAY_MS: z.coerce.number().int().min(1).max(25_000).default(1_000),
  /** Pack events per partition key into KPL aggregated records (consumers de-aggregate). */
  INGEST_KPL_AGGREGATION: z
    .enum(['true', 'false'], { error: "'true' or 'false'" })
    .default('false')
    .transform((value) => value === 'true'),
  /**
   * The largest aggregated record (partition key + data), as the KPL's AggregationMaxSize
   * (its default, 51,200 bytes); at most 1 MiB, the default record size of a stream.
   */
  INGEST_KPL_MAX_RECORD_BYTES: z.coerce.number().int().min(1_024).max(1_048_576).default(51_200),
});

export type IngestConfig = z.infer<typeof ingestEnv>;

export function loadIngestConfig(env: NodeJS.ProcessEnv = process.env): IngestConfig {
  return parseEnv(ingestEnv, env);
}
