import * as z from 'zod';
import type { PoolSettings } from '../adapters/postgres/pg-pool.ts';
import { awsEnv, optionalEndpoint, parseEnv } from './parse-env.ts';
import {
  jsonPathsPrefix,
  migrationWarehouseConfig,
  type PostgresWarehouseConfig,
  type RedshiftWarehouseConfig,
} from './load-config.ts';

/**
 * The warehouse-setup function (the stack's Custom::WarehouseSchema): the warehouse the
 * load function writes (same variables, same parser as `npm run migrate`) and, for
 * Redshift, where the JSONPaths files go (the load function's REDSHIFT_JSONPATHS_PREFIX).
 */
/** The migration needs one connection, held only while it runs. */
export const MIGRATION_POOL: PoolSettings = {
  max: 1,
  idleTimeoutMs: 1_000,
  connectTimeoutMs: 10_000,
  /** Under the function's 900 s, leaving time to answer CloudFormation with the failure. */
  queryTimeoutMs: 600_000,
};

export type WarehouseSetupConfig =
  | { warehouse: PostgresWarehouseConfig; warehouseId: string }
  | {
      warehouse: RedshiftWarehouseConfig;
      warehouseId: string;
      jsonPaths: { bucket: string; prefix: string };
      region: string;
      s3Endpoint: string | undefined;
    };

const redshiftSetupEnv = z.object({
  ...awsEnv,
  REDSHIFT_JSONPATHS_PREFIX: jsonPathsPrefix,
  S3_ENDPOINT: optionalEndpoint,
});

export function loadWarehouseSetupConfig(
  env: NodeJS.ProcessEnv = process.env,
): WarehouseSetupConfig {
  const warehouse = migrationWarehouseConfig(env);
  if (warehouse.dialect === 'postgres') {
    // The id must not carry the password: it shows in the stack's events.
    const url = new URL(warehouse.url);
    return { warehouse, warehouseId: `postgres/${url.host}${url.pathname}` };
  }
  const parsed = parseEnv(redshiftSetupEnv, env);
  const [, bucket = '', prefix = ''] =
    /^s3:\/\/([^/]+)\/(.*)$/.exec(parsed.REDSHIFT_JSONPATHS_PREFIX) ?? [];
  const { target } = warehouse;
  const where = target.WorkgroupName
    ? `workgroup/${target.WorkgroupName}`
    : `cluster/${target.ClusterIdentifier ?? ''}`;
  return {
    warehouse,
    warehouseId: `${where}/${target.Database}`,
    jsonPaths: { bucket, prefix },
    region: parsed.AWS_REGION,
    s3Endpoint: parsed.S3_ENDPOINT,
  };
}
