import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The machine's PostgreSQL (trust auth), present here and in CI. */
export const REAL_POSTGRES_URL =
  process.env.TEST_POSTGRES_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';

/** A loopback port nobody listens on right now (the tests need to name one up front). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** A schema name no other run uses, so parallel runs on the shared PostgreSQL never collide. */
export function uniqueSchema(label: string): string {
  return `wh_${label}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}

export async function tempStateDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'warehouse-contract-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}
