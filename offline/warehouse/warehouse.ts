import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import { assertPortFree } from '../port-check.ts';
import { redactUrl } from './client.ts';
import type { ServerEvent, ServerRequest } from './pglite-server.ts';

/** The database the pipeline and people ask for (`psql postgresql://localhost:5439/analytics`). */
export const WAREHOUSE_DATABASE = 'analytics';
/** PGlite has no authentication: any user name is accepted and the session runs as this one. */
export const WAREHOUSE_USER = 'postgres';

/**
 * Connections a Redshift cluster accepts: 500 on its smallest node types, 2,000 on larger
 * ones and on Redshift Serverless (Amazon Redshift quotas, "Connections":
 * https://docs.aws.amazon.com/redshift/latest/mgmt/amazon-redshift-limits.html). Lambda
 * scales the load function per S3 object, each instance with its pool, so a limit far below
 * Redshift's turned concurrent loads away locally ("Too many connections") that AWS would
 * have served; an idle connection costs the socket server next to nothing.
 */
export const REDSHIFT_MAX_CONNECTIONS = 500;

export interface WarehouseOptions {
  port: number;
  host?: string;
  /** The offline platform's state folder; PGlite keeps its data in `<stateDir>/warehouse`. */
  stateDir: string;
  /** Any Postgres (or Redshift) URL, e.g. from WAREHOUSE_URL: then no PGlite is started. */
  url?: string;
  /** Clients served at once (default REDSHIFT_MAX_CONNECTIONS); statements run one at a time. */
  maxConnections?: number;
  log: (message: string) => void;
  /** Warnings (a fault hold); `log` when absent. */
  warn?: (message: string) => void;
  /** Follow `<stateDir>/faults.json`'s `hold.warehouseLoadCommit` (crash tests). */
  followFaults?: boolean;
}

export interface Warehouse {
  /** A postgres:// URL for pg, psql or any SQL client. */
  url: string;
  engine: 'pglite' | 'external';
  /** Stops serving and shuts PGlite down cleanly, so its files on disk are complete. */
  close(): Promise<void>;
}

export function warehouseDataDir(stateDir: string): string {
  return join(stateDir, 'warehouse');
}

/** Deletes the local warehouse's data (only while it is stopped); the next start begins empty. */
export async function wipeWarehouse(stateDir: string): Promise<void> {
  await rm(warehouseDataDir(stateDir), { recursive: true, force: true });
}

/**
 * The Redshift stand-in: PGlite (PostgreSQL 18 in WebAssembly) persisted in the state folder
 * and served on the wire protocol from a worker thread; or, with `url`, any Postgres.
 */
export async function startWarehouse(options: WarehouseOptions): Promise<Warehouse> {
  if (options.url) return useExternalWarehouse(options.url, options.log);

  const host = options.host ?? '127.0.0.1';
  // Fail on a taken port before opening the data folder: a second stand-in on the same state
  // would otherwise open files the first one is writing.
  await assertPortFree(
    options.port,
    host,
    'the warehouse (PGlite)',
    'custom.offline.warehouse.port',
  );
  const started = Date.now();
  const request: ServerRequest = {
    dataDir: warehouseDataDir(options.stateDir),
    database: WAREHOUSE_DATABASE,
    user: WAREHOUSE_USER,
    port: options.port,
    host,
    maxConnections: options.maxConnections ?? REDSHIFT_MAX_CONNECTIONS,
    ...(options.followFaults ? { faultsDir: options.stateDir } : {}),
  };
  if (!existsSync(join(request.dataDir, 'PG_VERSION')))
    await initializeInOwnWorker(request, options.log);
  const worker = spawnServer(request);
  const url = await new Promise<string>((resolve, reject) => {
    worker.on('message', (event: ServerEvent) => {
      if (event.kind === 'log') options.log(event.message);
      else if (event.kind === 'warn') (options.warn ?? options.log)(event.message);
      else if (event.kind === 'ready') resolve(event.url);
      else if (event.kind === 'failed') reject(new Error(`warehouse: ${event.message}`));
    });
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`warehouse worker exited (${code})`)));
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });
  options.log(`warehouse: PGlite serving ${url} (ready in ${Date.now() - started} ms)`);
  return { url, engine: 'pglite', close: () => stopServer(worker) };
}

/** initdb in a worker that then ends, so the memory initdb took is given back (see initOnly). */
async function initializeInOwnWorker(
  request: ServerRequest,
  log: (message: string) => void,
): Promise<void> {
  const worker = spawnServer({ ...request, initOnly: true });
  try {
    await new Promise<void>((resolve, reject) => {
      worker.on('message', (event: ServerEvent) => {
        if (event.kind === 'log') log(event.message);
        else if (event.kind === 'initialized') resolve();
        else if (event.kind === 'failed') reject(new Error(`warehouse: ${event.message}`));
      });
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`warehouse initdb worker exited (${code})`)));
    });
  } finally {
    await worker.terminate();
  }
}

/**
 * The worker runs our TypeScript through tsx, as the plugin does (offline/plugin.cjs): a
 * worker thread does not inherit the main thread's loader hooks (tsx there, swc under jest).
 */
function spawnServer(request: ServerRequest): Worker {
  const entry = join(__dirname, 'pglite-server.ts');
  const bootstrap = `require('tsx/cjs/api').register(); require(${JSON.stringify(entry)});`;
  return new Worker(bootstrap, { eval: true, workerData: request });
}

async function stopServer(worker: Worker): Promise<void> {
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const closed = new Promise<void>((resolve) =>
    worker.on('message', (event: ServerEvent) => event.kind === 'closed' && resolve()),
  );
  worker.postMessage('close');
  // PGlite's shutdown checkpoint is done once 'closed' arrives; a worker that already died
  // has nothing left to flush.
  await Promise.race([closed, exited]);
  await worker.terminate();
}

async function useExternalWarehouse(
  url: string,
  log: (message: string) => void,
): Promise<Warehouse> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `WAREHOUSE_URL ${redactUrl(url)} does not accept connections (${reason}): start that database, fix the URL, or unset WAREHOUSE_URL to use the local PGlite warehouse`,
    );
  } finally {
    await client.end().catch(() => undefined);
  }
  log(`warehouse: using ${redactUrl(url)} (WAREHOUSE_URL); no local warehouse started`);
  return { url, engine: 'external', close: async () => undefined };
}
