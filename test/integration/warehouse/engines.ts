import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { PgliteWarehouse } from '../../../offline/warehouse/pglite-warehouse.ts';
import { PostgresWarehouse } from '../../../shared/adapters/postgres/postgres-warehouse.ts';
import { openPglite } from './pglite-host.ts';

/**
 * The two local warehouses, each in a schema of its own that is dropped afterwards: PGlite
 * in process, and the machine's PostgreSQL (PG_TEST_URL, or the database `test` on
 * 127.0.0.1:5432 as the first of postgres/root that trust auth lets in).
 */
export interface Engine {
  warehouse: PgliteWarehouse | PostgresWarehouse;
  /** A second, independent connection pool (PostgreSQL only): for concurrent loads. */
  second?: PostgresWarehouse;
  close(): Promise<void>;
}

export type EngineName = 'pglite' | 'postgres';
export const ENGINE_NAMES: EngineName[] = ['pglite', 'postgres'];

export const schemaName = () => `wh_test_${randomBytes(6).toString('hex')}`;

export async function startEngine(name: EngineName): Promise<Engine> {
  return name === 'pglite' ? startPglite() : startPostgres();
}

async function startPglite(): Promise<Engine> {
  const pglite = await openPglite();
  const schema = schemaName();
  await pglite.db.query(`CREATE SCHEMA ${schema}`);
  await pglite.db.query(`SET search_path TO ${schema}`);
  return { warehouse: new PgliteWarehouse(pglite.db), close: () => pglite.close() };
}

export async function postgresUrl(): Promise<string> {
  const candidates = process.env.PG_TEST_URL
    ? [process.env.PG_TEST_URL]
    : ['postgres', 'root'].map((user) => `postgresql://${user}@127.0.0.1:5432/test`);
  const failures: string[] = [];
  for (const url of candidates) {
    const pool = new Pool({ connectionString: url, max: 1 });
    try {
      await pool.query('SELECT 1');
      return url;
    } catch (error: unknown) {
      failures.push(`${url}: ${error instanceof Error ? error.message : String(error)}`);
    } finally {
      await pool.end();
    }
  }
  throw new Error(`no PostgreSQL for the warehouse tests:\n${failures.join('\n')}`);
}

async function startPostgres(): Promise<Engine> {
  const url = await postgresUrl();
  const schema = schemaName();
  const admin = new Pool({ connectionString: url, max: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const pool = () =>
    new Pool({ connectionString: url, max: 4, options: `-c search_path=${schema}` });
  const pools = [pool(), pool()] as const;
  return {
    warehouse: new PostgresWarehouse(pools[0]),
    second: new PostgresWarehouse(pools[1]),
    async close() {
      await Promise.all(pools.map((p) => p.end()));
      await admin.query(`DROP SCHEMA ${schema} CASCADE`);
      await admin.end();
    },
  };
}
