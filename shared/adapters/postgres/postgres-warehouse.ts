import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { LoadTransaction, StagingWarehouse } from '../../load/load-object.ts';
import { isLoaded, pgLoadTransaction, type PgConnection } from '../../load/postgres-staging.ts';
import type { SqlExecutor, SqlResult, SqlValue } from './sql-executor.ts';

/**
 * PostgreSQL (15+) through a pg Pool, or anything speaking its wire protocol with COPY FROM
 * STDIN. The schema comes from the pool's search_path (set it with the pool's `options`,
 * e.g. `-c search_path=analytics`), so one database can hold several warehouses.
 */
export interface PostgresWarehouseOptions {
  /**
   * 'copy' streams COPY FROM STDIN (PostgreSQL, and the local warehouse's wire server in front
   * of PGlite); 'insert' sends JSON parameters, for servers without COPY FROM STDIN.
   */
  staging?: 'copy' | 'insert';
}

export class PostgresWarehouse implements SqlExecutor, StagingWarehouse {
  private readonly useCopy: boolean;
  readonly stagesCopyText: boolean;

  constructor(
    private readonly pool: Pool,
    options: PostgresWarehouseOptions = {},
  ) {
    this.useCopy = (options.staging ?? 'copy') === 'copy';
    this.stagesCopyText = this.useCopy;
  }

  query(sql: string, params: readonly SqlValue[] = []): Promise<SqlResult> {
    return run(this.pool, sql, params);
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.withTransaction((client) => work(clientExecutor(client)));
  }

  isLoaded(key: string): Promise<boolean> {
    return isLoaded(connection(this.pool), key);
  }

  inTransaction<T>(work: (tx: LoadTransaction) => Promise<T>): Promise<T> {
    return this.withTransaction((client) =>
      work(pgLoadTransaction(connection(client, this.useCopy))),
    );
  }

  private async withTransaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    // A connection the server drops while it is checked out (the warehouse restarting between
    // two statements) is an 'error' event on the client, which the pool only listens for on
    // idle ones: unhandled, it crashes the whole process. The statement under way fails with
    // it anyway; the connection is then discarded, never returned to the pool.
    const onError = (error: Error) => {
      broken = error;
    };
    client.on('error', onError);
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error: unknown) {
      await client.query('ROLLBACK').catch((rollbackError: unknown) => {
        // A connection that cannot roll back must not go back to the pool.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      });
      throw error;
    } finally {
      client.off('error', onError);
      client.release(broken);
    }
  }
}

type Queryable = Pick<PoolClient, 'query'>;

async function run(db: Queryable, sql: string, params: readonly SqlValue[]): Promise<SqlResult> {
  const result = await db.query<Record<string, unknown>>(sql, [...params]);
  return { rows: result.rows, rowCount: result.rowCount ?? 0 };
}

function clientExecutor(client: PoolClient): SqlExecutor {
  const executor: SqlExecutor = {
    query: (sql, params = []) => run(client, sql, params),
    // Already in a transaction: nested work joins it.
    transaction: (work) => work(executor),
  };
  return executor;
}

function connection(db: Pool | PoolClient, useCopy = true): PgConnection {
  const query: PgConnection['query'] = (sql, params = []) => run(db, sql, params);
  if (!useCopy) return { query };
  return {
    query,
    async copyIn(table, columns, chunks) {
      if (!('release' in db)) throw new Error('COPY needs a dedicated client, not the pool');
      const sink = db.query(copyFrom(`COPY ${table} (${columns.join(', ')}) FROM STDIN`));
      await pipeline(Readable.from(chunks), sink);
    },
  };
}
