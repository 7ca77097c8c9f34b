import type { S3Client } from '@aws-sdk/client-s3';
import {
  loadWarehouseSetupConfig,
  MIGRATION_POOL,
  type WarehouseSetupConfig,
} from '#shared/config/warehouse-setup-config';
import type { WarehouseSetupDeps } from '#shared/deploy/warehouse-setup';
import { writeJsonPathsFiles } from '#shared/deploy/copy-files';
import { migrate } from '#shared/warehouse-schema/migrations';
import { postgres, redshift } from '#shared/warehouse-schema/dialect';
import { createPgPool } from '#shared/adapters/postgres/pg-pool';
import { PostgresWarehouse } from '#shared/adapters/postgres/postgres-warehouse';
import {
  RedshiftDataApiClient,
  type RedshiftDataApi,
} from '#shared/adapters/redshift-data-api/redshift-data-api';
import { s3ObjectWriter } from '#shared/adapters/s3/s3-object-writer';

export type SetupDeps = Omit<WarehouseSetupDeps, 'remainingMs'>;

/** The clients the Redshift path talks through; the handler builds the SDK ones. */
export interface RedshiftPorts {
  dataApi: RedshiftDataApi;
  s3: Pick<S3Client, 'send'>;
}

/**
 * What the setup runs for the configured warehouse, the same migrations as
 * `npm run migrate`: Postgres over a one-connection pool; Redshift over one Data API
 * session (each migration's BEGIN ... COMMIT spans its statements), then the JSONPaths files.
 */
export function setupDeps(
  config: WarehouseSetupConfig,
  redshiftPorts: () => RedshiftPorts,
): SetupDeps {
  if (config.warehouse.dialect === 'postgres') {
    const url = config.warehouse.url;
    return {
      warehouseId: config.warehouseId,
      async migrate() {
        // Ended before the answer: an idle connection's error has nobody to reach.
        const pool = createPgPool(url, MIGRATION_POOL, () => undefined);
        try {
          return await migrate(new PostgresWarehouse(pool), postgres);
        } finally {
          await pool.end();
        }
      },
      writeCopyFiles: async () => [], // the postgres load reads the objects itself
    };
  }
  if (!('jsonPaths' in config)) throw new Error('a Redshift setup needs its JSONPaths location');
  const { warehouse, jsonPaths } = config;
  return {
    warehouseId: config.warehouseId,
    migrate: () => {
      const api = new RedshiftDataApiClient(redshiftPorts().dataApi, warehouse.target, {
        timeoutMs: warehouse.waitMs,
      });
      return migrate(api.session(), redshift);
    },
    writeCopyFiles: () => writeJsonPathsFiles(s3ObjectWriter(redshiftPorts().s3), jsonPaths),
  };
}

/**
 * The setup for the function's environment. A configuration that does not parse must not
 * crash the cold start: CloudFormation would get no answer and wait an hour, on Create and
 * then again on the rollback's Delete, ending in DELETE_FAILED. Instead Create and Update
 * answer FAILED with the configuration error as the reason, and Delete (a no-op) SUCCESS.
 */
export function setupFromEnvironment(
  env: NodeJS.ProcessEnv,
  redshiftPorts: (config: WarehouseSetupConfig) => RedshiftPorts,
): { setup: SetupDeps; configError?: Error } {
  let config: WarehouseSetupConfig;
  try {
    config = loadWarehouseSetupConfig(env);
  } catch (error: unknown) {
    const configError = error instanceof Error ? error : new Error(String(error));
    const refuse = () => Promise.reject(configError);
    return {
      setup: { warehouseId: 'unconfigured', migrate: refuse, writeCopyFiles: refuse },
      configError,
    };
  }
  return { setup: setupDeps(config, () => redshiftPorts(config)) };
}
