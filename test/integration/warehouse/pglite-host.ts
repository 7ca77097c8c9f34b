import { PGlite } from '@electric-sql/pglite';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PgliteDb, PgliteQueryable } from '../../../offline/warehouse/pglite-warehouse.ts';

/**
 * PGlite for the tests. In process when node runs with --experimental-vm-modules (PGlite's
 * own transaction() then runs); otherwise in a worker thread behind the same interface, with
 * transactions as BEGIN/COMMIT serialised like PGlite's: jest's sandbox cannot run PGlite's
 * dynamic import()s without that flag.
 */
export interface PgliteHandle {
  db: PgliteDb;
  close(): Promise<void>;
}

export async function openPglite(): Promise<PgliteHandle> {
  if (
    process.execArgv
      .concat(process.env.NODE_OPTIONS ?? '')
      .join(' ')
      .includes('experimental-vm-modules')
  ) {
    const db = await PGlite.create();
    return { db, close: () => db.close() };
  }
  return workerPglite();
}

interface Reply {
  id?: number;
  ready?: boolean;
  ok?: boolean;
  rows?: unknown[];
  affectedRows?: number;
  message?: string;
  code?: string;
}

async function workerPglite(): Promise<PgliteHandle> {
  const worker = new Worker(join(__dirname, 'pglite-worker.mjs'));
  const pending = new Map<number, (reply: Reply) => void>();
  let nextId = 0;
  await new Promise<void>((resolve, reject) => {
    worker.once('error', reject);
    worker.on('message', (reply: Reply) => {
      if (reply.ready) resolve();
      else if (reply.id !== undefined) pending.get(reply.id)?.(reply);
    });
  });
  const send = (message: Record<string, unknown>) =>
    new Promise<Reply>((resolve) => {
      const id = (nextId += 1);
      pending.set(id, (reply) => (pending.delete(id), resolve(reply)));
      worker.postMessage({ ...message, id });
    });
  const direct: PgliteQueryable = {
    async query<T>(sql: string, params: unknown[] = [], options: { blob?: Blob } = {}) {
      const reply = await send({ op: 'query', sql, params, blob: options.blob });
      if (!reply.ok) throw Object.assign(new Error(reply.message), { code: reply.code });
      return { rows: (reply.rows ?? []) as T[], affectedRows: reply.affectedRows };
    },
  };
  // One transaction at a time, and plain queries wait for it, as in PGlite.
  let queue: Promise<unknown> = Promise.resolve();
  const serialised = <T>(work: () => Promise<T>): Promise<T> => {
    const run = queue.then(work, work);
    queue = run.catch(() => undefined);
    return run;
  };
  const db: PgliteDb = {
    query: (sql, params, options) => serialised(() => direct.query(sql, params, options)),
    transaction: (work) =>
      serialised(async () => {
        await direct.query('BEGIN');
        try {
          const result = await work(direct);
          await direct.query('COMMIT');
          return result;
        } catch (error: unknown) {
          await direct.query('ROLLBACK');
          throw error;
        }
      }),
  };
  return {
    db,
    async close() {
      await send({ op: 'close' });
      await worker.terminate();
    },
  };
}
