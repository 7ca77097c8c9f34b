/**
 * The port through which migrations and loaders talk to a warehouse. Placeholders are
 * Postgres-style `$1, $2 ...`; values only ever travel as parameters (identifiers come from
 * tables.ts). Adapters: pg Pool (postgres-warehouse.ts), PGlite (pglite-warehouse.ts), the
 * Redshift Data API (redshift-data-api.ts).
 */
export type SqlValue = string | number | boolean | null;

export interface SqlResult {
  rows: Record<string, unknown>[];
  /** Rows returned, or rows affected by INSERT/UPDATE/DELETE/MERGE. */
  rowCount: number;
}

export interface SqlExecutor {
  query(sql: string, params?: readonly SqlValue[]): Promise<SqlResult>;
  /** Runs `work` in one transaction on one connection; rolls back when it throws. */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T>;
}
