/**
 * The two local warehouses for the load benchmark, each migrated in a schema of its own
 * (dropped on close on PostgreSQL; PGlite lives in memory) with an unindexed raw table of
 * the events' typed columns beside it, for the raw COPY baseline.
 */
import { PGlite } from '@electric-sql/pglite';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Pool } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { ident, postgres } from '#shared/warehouse-schema/dialect';
import type { StagingWarehouse } from '#shared/load/load-object';
import { migrate } from '#shared/warehouse-schema/migrations';
import { PgliteWarehouse } from '../offline/warehouse/pglite-warehouse';
import { PostgresWarehouse } from '#shared/adapters/postgres/postgres-warehouse';
import type { SqlExecutor } from '#shared/adapters/postgres/sql-executor';
import { loadedColumns, TABLES } from '#shared/warehouse-schema/tables';

/** The events table's loaded columns: the raw table's, in the COPY text's order. */
export const EVENT_LOAD_COLUMNS = loadedColumns(TABLES.events);
export const RAW_TABLE = 'raw_events';
const COLUMNS = EVENT_LOAD_COLUMNS;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/** One warehouse engine with the load schema migrated and a raw table beside it. */
export interface Engine {
  label: string;
  /** Interleaved raw/load rounds: PGlite is slow enough that one keeps the bench short. */
  rounds: number;
  warehouse: StagingWarehouse & SqlExecutor;
  rawCopy(chunks: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

const schemaName = () => `bench_load_${randomBytes(6).toString('hex')}`;

const rawTableDdl = () =>
  `CREATE TABLE ${RAW_TABLE} (${COLUMNS.map((c) => `${ident(c.name)} ${postgres.columnType(c.type)}`).join(', ')})`;
const copySql = (table: string) =>
  `COPY ${table} (${COLUMNS.map((c) => ident(c.name)).join(', ')})`;

async function prepare(warehouse: StagingWarehouse & SqlExecutor): Promise<string> {
  await migrate(warehouse, postgres);
  await warehouse.query(rawTableDdl());
  const version = await warehouse.query('SHOW server_version');
  // "15.20 (Debian 15.20-0+deb12u1)": the number is enough for a label.
  return String(version.rows[0]?.server_version ?? '?').split(' ')[0] ?? '?';
}

export async function startPglite(): Promise<Engine> {
  const db = await PGlite.create();
  try {
    const schema = schemaName();
    await db.query(`CREATE SCHEMA ${schema}`);
    await db.query(`SET search_path TO ${schema}`);
    const warehouse = new PgliteWarehouse(db);
    const version = await prepare(warehouse);
    return {
      label: `PGlite in process (Postgres ${version})`,
      rounds: 1,
      warehouse,
      async rawCopy(chunks) {
        const blob = new Blob([...chunks]);
        await db.query(`${copySql(RAW_TABLE)} FROM '/dev/blob'`, [], { blob });
      },
      close: () => db.close(),
    };
  } catch (error: unknown) {
    await db.close();
    throw error;
  }
}

/** The tests' PostgreSQL (PG_TEST_URL, or database `test` on 127.0.0.1:5432), loopback only. */
async function postgresUrl(): Promise<string> {
  const candidates = process.env.PG_TEST_URL
    ? [process.env.PG_TEST_URL]
    : ['postgres', 'root'].map((user) => `postgresql://${user}@127.0.0.1:5432/test`);
  const failures: string[] = [];
  for (const url of candidates) {
    const host = new URL(url).hostname;
    if (!LOOPBACK.has(host))
      throw new Error(`PostgreSQL for benchmarks must be on loopback, not ${host}`);
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
  throw new Error(`no PostgreSQL: ${failures.join('; ')}`);
}

export async function startPostgres(): Promise<Engine> {
  const url = await postgresUrl();
  const schema = schemaName();
  const admin = new Pool({ connectionString: url, max: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const pool = new Pool({ connectionString: url, max: 2, options: `-c search_path=${schema}` });
  const close = async () => {
    await pool.end();
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  };
  try {
    const warehouse = new PostgresWarehouse(pool);
    const version = await prepare(warehouse);
    return {
      label: `PostgreSQL ${version} on 127.0.0.1`,
      rounds: 2,
      warehouse,
      async rawCopy(chunks) {
        const client = await pool.connect();
        try {
          await pipeline(
            Readable.from(chunks),
            client.query(copyFrom(`${copySql(RAW_TABLE)} FROM STDIN`)),
          );
        } finally {
          client.release();
        }
      },
      close,
    };
  } catch (error: unknown) {
    await close();
    throw error;
  }
}
