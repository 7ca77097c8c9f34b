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
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';

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
}

/** Messages from the worker to its parent. */
export type ServerEvent =
  | { kind: 'log'; message: string }
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
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(dataDir, { recursive: true });
    try {
      const cluster = await PGlite.create({ dataDir });
      await cluster.exec(`CREATE DATABASE ${database}`);
      await cluster.close();
    } catch (error) {
      // A half-made folder has PG_VERSION and would pass for a database on the next start.
      await rm(dataDir, { recursive: true, force: true });
      throw error;
    }
  }
  return PGlite.create({ dataDir, database });
}

async function serve(request: ServerRequest): Promise<void> {
  const db = await openDatabase(request.dataDir, request.database);
  const server = new PGLiteSocketServer({
    db,
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
