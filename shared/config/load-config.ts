import * as z from 'zod';
import { awsEnv, optionalEndpoint, parseEnv } from './parse-env.ts';
import { dataApiTarget } from './redshift-target.ts';
import type { DataApiTarget } from '../adapters/redshift-data-api/redshift-data-api.ts';
import type { RedshiftLoadConfig } from '../load/redshift-load-sql.ts';
import type { PoolSettings } from '../adapters/postgres/pg-pool.ts';

/**
 * Which warehouse the load function (and `npm run migrate`) talks to, parsed once from the
 * environment. WAREHOUSE_DIALECT defaults to postgres so a configuration written before
 * Redshift existed (WAREHOUSE_URL, WAREHOUSE_STAGING) keeps working unchanged.
 *
 * Redshift goes through the Data API (HTTPS, IAM), so the function needs no VPC. The COPY
 * source bucket is not configured: it is the bucket each S3 notification names.
 */
export interface PostgresWarehouseConfig {
  dialect: 'postgres';
  url: string;
  /** 'copy' streams COPY FROM STDIN (PostgreSQL, the local warehouse); 'insert' sends rows as JSON. */
  staging: 'copy' | 'insert';
}

export interface RedshiftWarehouseConfig {
  dialect: 'redshift';
  region: string;
  /** Override for the Data API endpoint (a VPC endpoint, or a stand-in). */
  endpoint: string | undefined;
  target: DataApiTarget;
  /** How long to wait for one statement before failing the invocation (Lambda retries it). */
  waitMs: number;
}

export type RedshiftLoadSettings = Omit<RedshiftLoadConfig, 'bucket'>;

export type WarehouseConfig =
  PostgresWarehouseConfig | (RedshiftWarehouseConfig & { load: RedshiftLoadSettings });

/** '' counts as unset: serverless.yml renders a missing stage parameter as an empty string. */
const optional = z
  .string()
  .optional()
  .transform((value) => (value ? value : undefined));

/** A required string; the message also stands when the variable is missing altogether. */
const required = (what: string) => z.string({ error: what }).min(1, { error: what });

const dialectEnv = z.object({
  WAREHOUSE_DIALECT: z
    .enum(['postgres', 'redshift'], { error: "'postgres' (the default) or 'redshift'" })
    .default('postgres'),
});

const URL_WHAT = 'a postgres:// URL of the warehouse';
const postgresEnv = z.object({
  WAREHOUSE_URL: required(URL_WHAT).regex(/^postgres(ql)?:\/\//, { error: URL_WHAT }),
  WAREHOUSE_STAGING: z.enum(['copy', 'insert']).default('copy'),
});

const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]+$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]+$/;
const S3_FOLDER = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/([A-Za-z0-9!_.*()=:+@,-]+\/)*$/;

const redshiftTargetEnv = z
  .object({
    ...awsEnv,
    REDSHIFT_WORKGROUP: optional,
    REDSHIFT_CLUSTER_ID: optional,
    REDSHIFT_DATABASE: required('the database to load, e.g. dev'),
    REDSHIFT_SECRET_ARN: optional.pipe(
      z.string().regex(SECRET_ARN, { error: 'a Secrets Manager secret ARN' }).optional(),
    ),
    REDSHIFT_DB_USER: optional,
    REDSHIFT_DATA_ENDPOINT: optionalEndpoint,
    /** A little under the load function's 300 s timeout, so a slow COPY fails with a log line. */
    REDSHIFT_WAIT_SECONDS: z.coerce.number().int().min(1).max(900).default(270),
  })
  // Runs even when a field above failed, so one cold start names every missing variable.
  .superRefine(
    (env, ctx) => {
      const issue = (path: string, message: string) =>
        ctx.addIssue({ code: 'custom', path: [path], message });
      if (!env.REDSHIFT_WORKGROUP && !env.REDSHIFT_CLUSTER_ID)
        issue(
          'REDSHIFT_WORKGROUP',
          'the Serverless workgroup, or set REDSHIFT_CLUSTER_ID for a provisioned cluster',
        );
      if (env.REDSHIFT_WORKGROUP && env.REDSHIFT_CLUSTER_ID)
        issue('REDSHIFT_CLUSTER_ID', 'set only one of REDSHIFT_WORKGROUP and REDSHIFT_CLUSTER_ID');
      // The Data API takes DbUser (temporary credentials) only for provisioned clusters.
      if (env.REDSHIFT_DB_USER && !env.REDSHIFT_CLUSTER_ID)
        issue('REDSHIFT_DB_USER', 'only with REDSHIFT_CLUSTER_ID; a workgroup needs a secret');
      if (!env.REDSHIFT_SECRET_ARN && !env.REDSHIFT_DB_USER)
        issue(
          'REDSHIFT_SECRET_ARN',
          'the secret holding the database credentials (or REDSHIFT_DB_USER with a cluster)',
        );
    },
    { when: () => true },
  );

const ROLE_WHAT = 'the ARN of the IAM role Redshift assumes to read the bucket (COPY IAM_ROLE)';
const JSONPATHS_WHAT = 'the s3://bucket/folder/ holding events.jsonpaths, metrics.jsonpaths ...';

/** REDSHIFT_JSONPATHS_PREFIX: read by the load (COPY's JSONPaths) and the warehouse setup (writes them). */
export const jsonPathsPrefix = required(JSONPATHS_WHAT).regex(S3_FOLDER, { error: JSONPATHS_WHAT });

const redshiftLoadEnv = z.object({
  REDSHIFT_COPY_ROLE_ARN: required(ROLE_WHAT).regex(ROLE_ARN, { error: ROLE_WHAT }),
  REDSHIFT_JSONPATHS_PREFIX: jsonPathsPrefix,
  /** Firehose's CompressionFormat for the delivered objects: GZIP, or unset for none. */
  REDSHIFT_COPY_COMPRESSION: optional.pipe(z.enum(['GZIP']).optional()),
});

type RedshiftTargetEnv = z.infer<typeof redshiftTargetEnv>;

function redshiftConnection(env: RedshiftTargetEnv): RedshiftWarehouseConfig {
  const target = dataApiTarget(env);
  return {
    dialect: 'redshift',
    region: env.AWS_REGION,
    endpoint: env.REDSHIFT_DATA_ENDPOINT,
    target,
    waitMs: env.REDSHIFT_WAIT_SECONDS * 1_000,
  };
}

function postgresConnection(env: NodeJS.ProcessEnv): PostgresWarehouseConfig {
  const parsed = parseEnv(postgresEnv, env);
  return { dialect: 'postgres', url: parsed.WAREHOUSE_URL, staging: parsed.WAREHOUSE_STAGING };
}

/** What the load function needs: the connection, and for Redshift the COPY settings. */
export function loadWarehouseConfig(env: NodeJS.ProcessEnv = process.env): WarehouseConfig {
  const { WAREHOUSE_DIALECT } = parseEnv(dialectEnv, env);
  if (WAREHOUSE_DIALECT === 'postgres') return postgresConnection(env);
  // One schema for both parts, so every missing variable is named in one error.
  const parsed = parseEnv(redshiftTargetEnv.and(redshiftLoadEnv), env);
  return {
    ...redshiftConnection(parsed),
    load: {
      iamRoleArn: parsed.REDSHIFT_COPY_ROLE_ARN,
      jsonPathsPrefix: parsed.REDSHIFT_JSONPATHS_PREFIX,
      ...(parsed.REDSHIFT_COPY_COMPRESSION
        ? { compression: parsed.REDSHIFT_COPY_COMPRESSION }
        : {}),
    },
  };
}

/** What migrations need: only the connection (no COPY role or JSONPaths). */
export function migrationWarehouseConfig(
  env: NodeJS.ProcessEnv = process.env,
): PostgresWarehouseConfig | RedshiftWarehouseConfig {
  const { WAREHOUSE_DIALECT } = parseEnv(dialectEnv, env);
  if (WAREHOUSE_DIALECT === 'postgres') return postgresConnection(env);
  return redshiftConnection(parseEnv(redshiftTargetEnv, env));
}

const loadFunctionEnv = z.object({
  ...awsEnv,
  /** The local S3 stand-in; unset on AWS. Only the Postgres path reads objects itself. */
  S3_ENDPOINT: optionalEndpoint,
  /** Connections one warehouse pool may hold (one load runs at a time per instance). */
  WAREHOUSE_POOL_MAX: z.coerce.number().int().min(1).max(20).default(2),
  /** An idle warehouse connection is closed after this long. */
  WAREHOUSE_IDLE_TIMEOUT_MS: z.coerce.number().int().min(0).max(600_000).default(10_000),
  /** How long to wait for a warehouse connection before the invocation fails (and is retried). */
  WAREHOUSE_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  /** How long one statement may wait for the warehouse: under the load function's 300 s. */
  WAREHOUSE_QUERY_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(900_000).default(270_000),
});

/** The load function's whole configuration: the warehouse, and how it reaches S3 and the pool. */
export interface LoadFunctionConfig {
  warehouse: WarehouseConfig;
  region: string;
  s3Endpoint: string | undefined;
  pool: PoolSettings;
}

export function loadLoadFunctionConfig(env: NodeJS.ProcessEnv = process.env): LoadFunctionConfig {
  const warehouse = loadWarehouseConfig(env);
  const parsed = parseEnv(loadFunctionEnv, env);
  return {
    warehouse,
    region: parsed.AWS_REGION,
    s3Endpoint: parsed.S3_ENDPOINT,
    pool: {
      max: parsed.WAREHOUSE_POOL_MAX,
      idleTimeoutMs: parsed.WAREHOUSE_IDLE_TIMEOUT_MS,
      connectTimeoutMs: parsed.WAREHOUSE_CONNECT_TIMEOUT_MS,
      queryTimeoutMs: parsed.WAREHOUSE_QUERY_TIMEOUT_MS,
    },
  };
}
