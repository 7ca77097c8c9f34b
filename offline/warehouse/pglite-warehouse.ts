import type { LoadTransaction, StagingWarehouse } from '../../shared/load/load-object.ts';
import {
  isLoaded,
  pgLoadTransaction,
  type PgConnection,
} from '../../shared/load/postgres-staging.ts';
import type {
  SqlExecutor,
  SqlResult,
  SqlValue,
} from '../../shared/adapters/postgres/sql-executor.ts';

/**
 * PGlite in process: the same SQL as PostgreSQL, with COPY fed from a Blob through
 * '/dev/blob' instead of a COPY FROM STDIN stream. PGlite runs one query at a time, and its
 * transaction() queues other callers behind the open transaction.
 */
/** The part of PGlite (and of its Transaction) this adapter uses; PGlite itself fits. */
export interface PgliteQueryable {
  query<T>(
    sql: string,
    params?: unknown[],
    options?: { blob?: Blob },
  ): Promise<{ rows: T[]; affectedRows?: number }>;
}

export interface PgliteDb extends PgliteQueryable {
  transaction<T>(work: (tx: PgliteQueryable) => Promise<T>): Promise<T>;
}

export class PgliteWarehouse implements SqlExecutor, StagingWarehouse {
  readonly stagesCopyText = true;

  constructor(private readonly db: PgliteDb) {}

  query(sql: string, params: readonly SqlValue[] = []): Promise<SqlResult> {
    return run(this.db, sql, params);
  }

  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => work(txExecutor(tx)));
  }

  isLoaded(key: string): Promise<boolean> {
    return isLoaded(connection(this.db), key);
  }

  inTransaction<T>(work: (tx: LoadTransaction) => Promise<T>): Promise<T> {
    return this.db.transaction((tx) => work(pgLoadTransaction(connection(tx))));
  }
}

async function run(
  db: PgliteQueryable,
  sql: string,
  params: readonly SqlValue[],
): Promise<SqlResult> {
  const result = await db.query<Record<string, unknown>>(sql, [...params]);
  // affectedRows counts DML; a SELECT's count is its rows.
  const rowCount = result.rows.length > 0 ? result.rows.length : (result.affectedRows ?? 0);
  return { rows: result.rows, rowCount };
}

function txExecutor(tx: PgliteQueryable): SqlExecutor {
  const executor: SqlExecutor = {
    query: (sql, params = []) => run(tx, sql, params),
    transaction: (work) => work(executor),
  };
  return executor;
}

function connection(db: PgliteQueryable): PgConnection {
  return {
    query: (sql, params = []) => run(db, sql, params),
    async copyIn(table, columns, chunks) {
      const blob = new Blob([...chunks]);
      await db.query(`COPY ${table} (${columns.join(', ')}) FROM '/dev/blob'`, [], { blob });
    },
  };
}
