/**
 * Applies the warehouse migrations to the warehouse the load function is configured for:
 *   WAREHOUSE_URL=postgres://user@host:5432/analytics npm run migrate        (PostgreSQL 15+)
 *   WAREHOUSE_DIALECT=redshift REDSHIFT_WORKGROUP=analytics REDSHIFT_DATABASE=dev \
 *     REDSHIFT_SECRET_ARN=arn:aws:secretsmanager:... npm run migrate           (Data API)
 * The local stack migrates its own warehouse at start; this is for a warehouse of your own.
 */
import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import pg from 'pg';
import { awsClientConfig } from '../shared/runtime/aws-client-config.ts';
import { ConfigError } from '../shared/runtime/errors.ts';
import { postgres, redshift } from '../shared/warehouse-schema/dialect.ts';
import { migrate, type MigrateResult } from '../shared/warehouse-schema/migrations.ts';
import { PostgresWarehouse } from '../shared/adapters/postgres/postgres-warehouse.ts';
import { RedshiftDataApiClient } from '../shared/adapters/redshift-data-api/redshift-data-api.ts';
import { redshiftDataApi } from '../shared/adapters/redshift-data-api/redshift-data-client.ts';
import {
  migrationWarehouseConfig,
  type RedshiftWarehouseConfig,
} from '../shared/config/load-config.ts';

async function migratePostgres(url: string): Promise<MigrateResult> {
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    return await migrate(new PostgresWarehouse(pool), postgres);
  } finally {
    await pool.end();
  }
}

async function migrateRedshift(config: RedshiftWarehouseConfig): Promise<MigrateResult> {
  const client = new RedshiftDataClient({ ...awsClientConfig(config), maxAttempts: 3 });
  try {
    // A Data API session, so each migration's BEGIN ... COMMIT spans its statements.
    const api = new RedshiftDataApiClient(redshiftDataApi(client), config.target, {
      timeoutMs: config.waitMs,
    });
    return await migrate(api.session(), redshift);
  } finally {
    client.destroy();
  }
}

async function main(): Promise<void> {
  let config: ReturnType<typeof migrationWarehouseConfig>;
  try {
    config = migrationWarehouseConfig();
  } catch (error: unknown) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(2);
  }
  const result =
    config.dialect === 'redshift'
      ? await migrateRedshift(config)
      : await migratePostgres(config.url);
  process.stdout.write(
    result.applied.length > 0
      ? `applied: ${result.applied.join(', ')}\n`
      : `up to date (${result.skipped.length} migrations already applied)\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(
    `migration failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
