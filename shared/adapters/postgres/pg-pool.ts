import pg from 'pg';

/** The settings of a pg pool, from the function's configuration. */
export interface PoolSettings {
  max: number;
  idleTimeoutMs: number;
  connectTimeoutMs: number;
  /**
   * How long one statement (a COPY included) may wait for the server's answer before it
   * fails and its connection is dropped: a warehouse that accepts and never answers must not
   * hold an invocation until Lambda kills it.
   */
  queryTimeoutMs: number;
}

/**
 * The one way a function opens a warehouse pool: the settings come from its configuration,
 * and an idle connection the server closes (a restart, an idle timeout) is logged instead of
 * crashing the process, as pg's Pool otherwise would with an unhandled 'error' event.
 */
export function createPgPool(
  url: string,
  settings: PoolSettings,
  onIdleError: (error: Error) => void,
): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: settings.max,
    idleTimeoutMillis: settings.idleTimeoutMs,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    query_timeout: settings.queryTimeoutMs,
  });
  pool.on('error', onIdleError);
  return pool;
}
