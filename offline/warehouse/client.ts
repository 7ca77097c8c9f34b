import pg from 'pg';
import type { PoolClient, QueryResult, QueryResultRow } from 'pg';

/** A small pg Pool wrapper: what the loader and the tests need from a warehouse connection. */
export interface WarehouseClient {
  readonly pool: pg.Pool;
  query<R extends QueryResultRow = QueryResultRow>(
    text: string,
    params?: readonly unknown[],
  ): Promise<QueryResult<R>>;
  /** Runs `work` in one transaction on one connection; rolls back when it throws. */
  transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** PGlite runs one statement at a time, so a big pool buys nothing there. */
  max?: number;
  connectionTimeoutMillis?: number;
}

export function connectWarehouse(url: string, options: ConnectOptions = {}): WarehouseClient {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 4,
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 5_000,
    // Connections left idle are closed, so a stopped stand-in does not leave sockets behind.
    idleTimeoutMillis: 10_000,
  });
  // When the warehouse stops, pg reports the severed idle connections as 'error' events on
  // the pool; unhandled, they would crash the host process. The next query reconnects.
  pool.on('error', () => undefined);
  return {
    pool,
    query: <R extends QueryResultRow>(text: string, params?: readonly unknown[]) =>
      pool.query<R>(text, params ? [...params] : undefined),
    async transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      // A checked-out connection the server drops reports an 'error' on the client (the pool
      // listens only on idle ones): kept from crashing the process, and the client discarded.
      let broken: Error | undefined;
      const onError = (error: Error) => {
        broken = error;
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const result = await work(client);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken ??=
            rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
        });
        throw error;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}

/** The URL with its password hidden: URLs end up in logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparseable URL)';
  }
}
