import * as z from 'zod/mini';
import { ConfigError } from '../runtime/errors.ts';
import { dataApiTarget } from './redshift-target.ts';
import type { PoolSettings } from '../adapters/postgres/pg-pool.ts';
import type { DataApiTarget } from '../adapters/redshift-data-api/redshift-data-api.ts';

/**
 * The dashboard function's configuration, parsed once at cold start: its read keys, how often
 * the page refreshes, and the warehouse it reads, chosen by WAREHOUSE_DIALECT as for the load
 * function: WAREHOUSE_URL for postgres; for redshift REDSHIFT_WORKGROUP or REDSHIFT_CLUSTER_ID,
 * REDSHIFT_DATABASE, and REDSHIFT_SECRET_ARN (or REDSHIFT_DB_USER with a cluster).
 *
 * Why zod/mini here and not shared/config/parse-env.ts: the page inlines Chart.js, and the function must
 * stay under 300 KB minified; zod's classic API weighs 94 KB in the bundle, zod/mini 20 KB
 * (it tree-shakes). The same rules and the same one-line messages as warehouse-config.ts.
 */
export type DashboardWarehouse =
  | { dialect: 'postgres'; url: string }
  | {
      dialect: 'redshift';
      region: string;
      endpoint: string | undefined;
      target: DataApiTarget;
    };

export interface DashboardConfig {
  readKeys: string[];
  refreshSeconds: number;
  warehouse: DashboardWarehouse;
  /** The pg pool, for the postgres dialect. */
  pool: PoolSettings;
  /** How long one Redshift read may take (a page refresh waits at most this), and its polling. */
  redshiftRead: { timeoutMs: number; maxDelayMs: number };
}

/** '' counts as unset: serverless.yml renders a missing stage parameter as an empty string. */
const optional = z.pipe(
  z.optional(z.string()),
  z.transform((value) => (value ? value : undefined)),
);
const required = (what: string) => z.string({ error: what }).check(z.minLength(1, what));

/** A whole number in [min, max], with a default. */
const whole = (min: number, max: number, fallback: number) =>
  z._default(z.coerce.number().check(z.int(), z.gte(min), z.lte(max)), fallback);

const env = z.object({
  DASHBOARD_READ_KEYS: z
    .pipe(
      z.string({ error: 'the read keys, comma-separated' }),
      z.transform((value) =>
        value
          .split(',')
          .map((key) => key.trim())
          .filter(Boolean),
      ),
    )
    .check(z.minLength(1, 'at least one read key, comma-separated')),
  DASHBOARD_REFRESH_SECONDS: z._default(z.coerce.number().check(z.int(), z.gte(1), z.lte(3600)), 5),
  DASHBOARD_POOL_MAX: whole(1, 20, 3),
  WAREHOUSE_IDLE_TIMEOUT_MS: whole(0, 600_000, 10_000),
  DASHBOARD_CONNECT_TIMEOUT_MS: whole(100, 29_000, 3_000),
  DASHBOARD_READ_TIMEOUT_MS: whole(100, 29_000, 8_000),
  DASHBOARD_READ_POLL_MAX_DELAY_MS: whole(10, 5_000, 500),
  WAREHOUSE_DIALECT: z._default(
    z.enum(['postgres', 'redshift'], { error: "'postgres' (the default) or 'redshift'" }),
    'postgres',
  ),
});

const URL_WHAT = 'a postgres:// URL of the warehouse';
const postgresEnv = z.object({
  WAREHOUSE_URL: required(URL_WHAT).check(z.regex(/^postgres(ql)?:\/\//, URL_WHAT)),
});

const redshiftEnv = z
  .object({
    AWS_REGION: z._default(z.string().check(z.minLength(1)), 'us-east-1'),
    REDSHIFT_WORKGROUP: optional,
    REDSHIFT_CLUSTER_ID: optional,
    REDSHIFT_DATABASE: required('the database to read, e.g. dev'),
    REDSHIFT_SECRET_ARN: optional,
    REDSHIFT_DB_USER: optional,
    REDSHIFT_DATA_ENDPOINT: z.pipe(
      optional,
      z.optional(z.url({ protocol: /^https?$/, error: 'an http(s) URL' })),
    ),
  })
  .check(
    z.superRefine(
      (value, ctx) => {
        const issue = (path: string, message: string) =>
          ctx.addIssue({ code: 'custom', path: [path], message, input: value });
        if (!value.REDSHIFT_WORKGROUP === !value.REDSHIFT_CLUSTER_ID)
          issue('REDSHIFT_WORKGROUP', 'set one of REDSHIFT_WORKGROUP and REDSHIFT_CLUSTER_ID');
        if (!value.REDSHIFT_SECRET_ARN && !(value.REDSHIFT_DB_USER && value.REDSHIFT_CLUSTER_ID))
          issue(
            'REDSHIFT_SECRET_ARN',
            'the secret holding the database credentials (or REDSHIFT_DB_USER with a cluster)',
          );
        // Runs even when a field above failed, so one cold start names every missing variable.
      },
      { when: () => true },
    ),
  );

function parse<S extends z.ZodMiniType>(schema: S, source: NodeJS.ProcessEnv): z.infer<S> {
  const result = schema.safeParse(source);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.join('.');
    return source[name] === undefined
      ? `${name} is not set (${issue.message})`
      : `${name}: ${issue.message}`;
  });
  throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
}

export function loadDashboardConfig(source: NodeJS.ProcessEnv = process.env): DashboardConfig {
  const parsed = parse(env, source);
  return {
    readKeys: parsed.DASHBOARD_READ_KEYS,
    refreshSeconds: parsed.DASHBOARD_REFRESH_SECONDS,
    pool: {
      max: parsed.DASHBOARD_POOL_MAX,
      idleTimeoutMs: parsed.WAREHOUSE_IDLE_TIMEOUT_MS,
      connectTimeoutMs: parsed.DASHBOARD_CONNECT_TIMEOUT_MS,
      // The same bound as a Data API read: a page answers, or says the warehouse is slow.
      queryTimeoutMs: parsed.DASHBOARD_READ_TIMEOUT_MS,
    },
    redshiftRead: {
      timeoutMs: parsed.DASHBOARD_READ_TIMEOUT_MS,
      maxDelayMs: parsed.DASHBOARD_READ_POLL_MAX_DELAY_MS,
    },
    warehouse:
      parsed.WAREHOUSE_DIALECT === 'postgres'
        ? { dialect: 'postgres', url: parse(postgresEnv, source).WAREHOUSE_URL }
        : redshiftWarehouse(parse(redshiftEnv, source)),
  };
}

function redshiftWarehouse(parsed: z.infer<typeof redshiftEnv>): DashboardWarehouse {
  return {
    dialect: 'redshift',
    region: parsed.AWS_REGION,
    endpoint: parsed.REDSHIFT_DATA_ENDPOINT,
    target: dataApiTarget(parsed),
  };
}
