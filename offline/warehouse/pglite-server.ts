/**
 * The warehouse's worker thread: PGlite on a data folder, served on the PostgreSQL wire
 * protocol by pglite-socket. It runs off the main thread because PGlite executes SQL
 * synchronously in WebAssembly: a 100k-row MERGE would otherwise stall every other stand-in
 * of the offline platform (Kinesis, Firehose, SQS, the pollers) for its whole duration. A
 * plain worker context also lets PGlite make its dynamic import()s, which jest's module
 * sandbox refuses.
 */
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { copyFromStdin, type RawStreamOptions } from './copy-from-stdin.ts';
import { holdFrom, watchFaultSwitches, type Hold } from '../faults/fault-switches.ts';

export interface ServerRequest {
  dataDir: string;
  database: string;
  user: string;
  port: number;
  host: string;
  maxConnections: number;
  /**
   * Only create the database, then exit. initdb leaves PGlite's WebAssembly memory grown to
   * about 800 MB, which a worker gives back only by ending; a database opened afresh needs
   * about 280 MB. So creation runs in a worker of its own, before the serving one.
   */
  initOnly?: boolean;
  /** The stack's state folder, whose faults.json may hold a load's commit (crash tests). */
  faultsDir?: string;
}

/** Messages from the worker to its parent. */
export type ServerEvent =
  | { kind: 'log'; message: string }
  | { kind: 'warn'; message: string }
  | { kind: 'ready'; url: string }
  | { kind: 'failed'; message: string }
  | { kind: 'closed' }
  | { kind: 'initialized' };

const post = (event: ServerEvent) => parentPort?.postMessage(event);

/**
 * Opens the data folder, creating it on first use. initdb makes only `postgres`, and the
 * socket server ignores the database name a client asks for; so we create a real `analytics`
 * database and open that one, and `current_database()` matches the URL clients use.
 */
async function openDatabase(dataDir: string, database: string): Promise<PGlite> {
  if (!existsSync(join(dataDir, 'PG_VERSION'))) {
    post({ kind: 'log', message: `warehouse: creating a new database in ${dataDir} (initdb)` });
    // Made aside and renamed into place when complete: a half-made folder has PG_VERSION and
    // would pass for a database at the next start, after an error or a kill -9 during initdb.
    const making = `${dataDir}.initdb`;
    await rm(making, { recursive: true, force: true });
    await mkdir(making, { recursive: true });
    try {
      const cluster = await PGlite.create({ dataDir: making });
      await cluster.exec(`CREATE DATABASE ${database}`);
      await cluster.close();
      await rm(dataDir, { recursive: true, force: true });
      await rename(making, dataDir);
    } catch (error) {
      await rm(making, { recursive: true, force: true });
      throw error;
    }
  }
  return PGlite.create({ dataDir, database });
}

/** Extended-query messages up to which a client's sequence is still open: Sync ends it. */
const EXTENDED = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((c) => c.charCodeAt(0)));
const SYNC = 'S'.charCodeAt(0);
const PARSE = 'P'.charCodeAt(0);
const QUERY = 'Q'.charCodeAt(0);
const LOAD_COMPLETE = /UPDATE loads SET rows/;
const text = (message: Uint8Array) => Buffer.from(message).toString('utf8');

/**
 * pglite-socket queues every wire message of every connection on its own and keeps to one
 * connection only while PGlite is inside a transaction. But pg sends a parameterised query
 * as Parse, Bind, Describe, Execute, Sync on the session's unnamed statement and portal, so
 * another connection's messages in between replaced them ("unnamed prepared statement does
 * not exist", "portal \"\" does not exist"), and after such an error the backend skips
 * messages until a Sync, another connection's included, which then waits forever. Reporting
 * "in a transaction" from a connection's first extended message to its Sync makes the
 * queue keep to that connection for the whole sequence, as it does for a transaction.
 */
export function withWholeExtendedQueries(db: PGlite, hold?: Hold): PGlite {
  let open = false;
  const raw = (message: Uint8Array, options: RawStreamOptions) =>
    db.execProtocolRawStream(message, options);
  // COPY FROM STDIN holds the connection from its Query to CopyDone, as a sequence does.
  const copy = copyFromStdin(db, raw);
  return new Proxy(db, {
    get(target, property) {
      if (property === 'isInTransaction')
        return () => open || copy.active || target.isInTransaction();
      if (property === 'execProtocolRawStream') {
        return async (message: Uint8Array, options: RawStreamOptions) => {
          if (await copy.handle(message, options)) return;
          const type = message[0] ?? 0;
          if (EXTENDED.has(type)) open = true;
          else if (type === SYNC || type === 'Q'.charCodeAt(0)) open = false;
          const run = () => raw(message, options);
          // The load's last statement before COMMIT (shared/load/postgres-staging.ts complete).
          if (hold && (type === PARSE || type === QUERY) && LOAD_COMPLETE.test(text(message)))
            return hold('warehouseLoadCommit', 'a load staged and merged, not committed').then(run);
          return run();
        };
      }
      // The socket server rolls back after a client left mid-sequence: that ends it too.
      if (property === 'exec') {
        return (query: string, options?: unknown) => {
          if (/^\s*ROLLBACK\b/i.test(query)) {
            open = false;
            copy.abandon();
          }
          return target.exec(query, options as never);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

async function serve(request: ServerRequest): Promise<void> {
  const db = await openDatabase(request.dataDir, request.database);
  const warn = (message: string) => post({ kind: 'warn', message });
  const faults = request.faultsDir ? watchFaultSwitches(request.faultsDir, warn) : undefined;
  const server = new PGLiteSocketServer({
    db: withWholeExtendedQueries(db, faults && holdFrom(faults, warn)),
    port: request.port,
    host: request.host,
    // The server's default is 1: a second client (psql beside the loader) would be turned away.
    maxConnections: request.maxConnections,
  });
  try {
    await server.start();
  } catch (error) {
    await db.close();
    throw error;
  }
  parentPort?.once('message', () => {
    void (async () => {
      await server.stop();
      // stop() rolls back a client's open transaction without waiting for it: let that run,
      // and roll back ourselves if it has not, so shutdown never leaves a transaction behind.
      await new Promise((resolve) => setImmediate(resolve));
      if (!db.closed && db.isInTransaction()) await db.exec('ROLLBACK');
      if (!db.closed) await db.close();
      faults?.close();
      post({ kind: 'closed' });
    })();
  });
  // getServerConn() holds the bound port, which differs from request.port when that is 0.
  post({
    kind: 'ready',
    url: `postgres://${request.user}@${server.getServerConn()}/${request.database}`,
  });
}

async function initialize(request: ServerRequest): Promise<void> {
  const db = await openDatabase(request.dataDir, request.database);
  await db.close();
  post({ kind: 'initialized' });
}

if (parentPort) {
  const request = workerData as ServerRequest;
  (request.initOnly ? initialize(request) : serve(request)).catch((error: unknown) =>
    post({ kind: 'failed', message: error instanceof Error ? error.message : String(error) }),
  );
}
