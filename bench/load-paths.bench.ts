/**
 * Why the load runs slower inside the stack than in its own bench: the same events, loaded
 * by loadObject one object after another, along each difference between the two —
 * object size (the stack's objects at the dev buffering vs one large object), PGlite in
 * process vs behind the wire server (as the load function reaches it, through a pg pool),
 * staging by COPY vs by JSON parameters, data in memory vs on disk. Each path gets a fresh
 * database. The wire server listens on 127.0.0.1:4751 (this bench's port).
 */
import { PGlite } from '@electric-sql/pglite';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { PostgresWarehouse } from '#shared/adapters/postgres/postgres-warehouse';
import { loadObject, type StagingWarehouse } from '#shared/load/load-object';
import { postgres } from '#shared/warehouse-schema/dialect';
import { migrate } from '#shared/warehouse-schema/migrations';
import type { SqlExecutor } from '#shared/adapters/postgres/sql-executor';
import { PgliteWarehouse } from '../offline/warehouse/pglite-warehouse.ts';
import { startWarehouse } from '../offline/warehouse/warehouse.ts';
import { eventsObject } from './warehouse-load.bench.ts';
import { fmtInt, fmtMs, fmtRate, fmtRatio, printNotes, printTable } from './table.ts';

const PORT = 4751;
const ROWS = 20_000;
/** Lines per object in the throughput bench's burst at 0.5 s buffering (2026-12-08 profile). */
const STACK_OBJECT_LINES = 376;

type Path = 'in process, memory' | 'in process, disk' | 'wire, JSON staging' | 'wire, COPY staging';
const PATHS: readonly Path[] = [
  'in process, memory',
  'in process, disk',
  'wire, JSON staging',
  'wire, COPY staging',
];

interface Opened {
  warehouse: StagingWarehouse & SqlExecutor;
  close(): Promise<void>;
}

async function open(path: Path, dir: string): Promise<Opened> {
  if (path.startsWith('in process')) {
    const db = await PGlite.create(path.endsWith('disk') ? { dataDir: join(dir, 'db') } : {});
    return { warehouse: new PgliteWarehouse(db), close: () => db.close() };
  }
  const server = await startWarehouse({
    port: PORT,
    host: '127.0.0.1',
    stateDir: dir,
    log: () => undefined,
  });
  // The load function's pool: two connections (WAREHOUSE_POOL_MAX).
  const pool = new pg.Pool({ connectionString: server.url, max: 2 });
  const staging = path.endsWith('COPY staging') ? 'copy' : 'insert';
  return {
    warehouse: new PostgresWarehouse(pool, { staging }),
    close: async () => {
      await pool.end();
      await server.close();
    },
  };
}

function split(lines: readonly string[], size: number): string[] {
  const objects: string[] = [];
  for (let i = 0; i < lines.length; i += size) objects.push(lines.slice(i, i + size).join(''));
  return objects;
}

async function loadAll(path: Path, objects: readonly string[]): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-load-paths-'));
  const opened = await open(path, dir);
  try {
    await migrate(opened.warehouse, postgres);
    const start = performance.now();
    let events = 0;
    for (const [i, body] of objects.entries()) {
      const key = `events/2026/12/08/01/bench-${i}.ndjson`;
      const result = await loadObject(opened.warehouse, {
        key,
        kind: 'events',
        body: async () => body,
      });
      events += result.counts.events;
    }
    const ms = performance.now() - start;
    if (events !== ROWS) throw new Error(`${path}: loaded ${events} events, expected ${ROWS}`);
    return ms;
  } finally {
    await opened.close();
    await rm(dir, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const lines = eventsObject()
    .split(/(?<=\n)/)
    .slice(0, ROWS);
  const sizes = [STACK_OBJECT_LINES, ROWS];
  const results = new Map<string, number>();
  for (const size of sizes)
    for (const path of PATHS)
      results.set(`${path}|${size}`, await loadAll(path, split(lines, size)));
  const reference = ROWS / ((results.get(`in process, memory|${ROWS}`) ?? Number.NaN) / 1000);
  printTable(
    `The same ${fmtInt(ROWS)} events loaded by loadObject, object after object, along each path`,
    [
      { header: 'path', align: 'left' },
      { header: 'lines per object' },
      { header: 'objects' },
      { header: 'time' },
      { header: 'per object' },
      { header: 'rows/s' },
      { header: 'vs the load bench path' },
    ],
    sizes.flatMap((size) =>
      PATHS.map((path) => {
        const ms = results.get(`${path}|${size}`) ?? Number.NaN;
        const objects = Math.ceil(ROWS / size);
        const rate = ROWS / (ms / 1000);
        return [
          path,
          fmtInt(size),
          fmtInt(objects),
          fmtMs(ms),
          fmtMs(ms / objects),
          fmtRate(rate),
          fmtRatio(rate, reference),
        ];
      }),
    ),
  );
  printNotes([
    `the load bench's path: in process, memory, one object (${fmtInt(ROWS)} lines here, 100,000 there)`,
    `${STACK_OBJECT_LINES} lines: the throughput bench's burst objects at OFFLINE_FIREHOSE_FLUSH_SECONDS=0.5`,
    'wire = the local warehouse (PGlite in its worker behind pglite-socket, data on disk) through a pg pool of 2, as the load function reaches it',
  ]);
}
