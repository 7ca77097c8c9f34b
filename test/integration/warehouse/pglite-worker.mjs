// PGlite in a worker thread: a plain Node context, where PGlite's own dynamic import()s
// work (jest's module sandbox refuses them unless node runs with --experimental-vm-modules).
import { PGlite } from '@electric-sql/pglite';
import { parentPort } from 'node:worker_threads';

const db = await PGlite.create();
parentPort.on('message', async ({ id, op, sql, params, blob }) => {
  if (op === 'close') {
    await db.close();
    parentPort.postMessage({ id, ok: true });
    return;
  }
  try {
    const result = await db.query(sql, params, blob ? { blob } : {});
    parentPort.postMessage({ id, ok: true, rows: result.rows, affectedRows: result.affectedRows });
  } catch (error) {
    parentPort.postMessage({ id, ok: false, message: error.message, code: error.code });
  }
});
parentPort.postMessage({ ready: true });
