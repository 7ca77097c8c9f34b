import type { Pool } from 'pg';
import type { SqlExecutor, SqlResult, SqlValue } from './sql-executor.ts';

/**
 * Read-only queries over a pg Pool. Not PostgresWarehouse: that adapter also loads (COPY
 * streams, staging), which would add ~20 KB the dashboard's bundle does not need.
 */
export function poolExecutor(pool: Pick<Pool, 'query'>): SqlExecutor {
  const executor: SqlExecutor = {
    async query(sql: string, params: readonly SqlValue[] = []): Promise<SqlResult> {
      const result = await pool.query<Record<string, unknown>>(sql, [...params]);
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    },
    transaction: () => Promise.reject(new Error('the dashboard reads without transactions')),
  };
  return executor;
}
