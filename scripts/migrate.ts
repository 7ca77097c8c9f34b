/**
 * Applies the warehouse migrations to the database at WAREHOUSE_URL (any PostgreSQL 15+):
 *   WAREHOUSE_URL=postgres://user@host:5432/analytics npm run migrate
 * The local stack migrates its own warehouse at start; this is for a warehouse of your own.
 */
import pg from 'pg';
import { postgres } from '../shared/warehouse/dialect.ts';
import { migrate } from '../shared/warehouse/migrations.ts';
import { PostgresWarehouse } from '../shared/warehouse/postgres-warehouse.ts';

async function main(): Promise<void> {
  const url = process.env.WAREHOUSE_URL;
  if (!url) {
    process.stderr.write('set WAREHOUSE_URL to the postgres:// URL of the warehouse to migrate\n');
    process.exit(2);
  }
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    const result = await migrate(new PostgresWarehouse(pool), postgres);
    process.stdout.write(
      result.applied.length > 0
        ? `applied: ${result.applied.join(', ')}\n`
        : `up to date (${result.skipped.length} migrations already applied)\n`,
    );
  } finally {
    await pool.end();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(
    `migration failed: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
