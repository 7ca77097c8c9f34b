import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createServer, type Server } from 'node:net';
import pg from 'pg';
import { connectWarehouse, type WarehouseClient } from '../../../offline/warehouse/client.ts';
import {
  startWarehouse,
  warehouseDataDir,
  wipeWarehouse,
  type Warehouse,
} from '../../../offline/warehouse/warehouse.ts';
import { isListening } from '../../support/net.ts';
import { freePort, REAL_POSTGRES_URL, tempStateDir, uniqueSchema } from './support.ts';

const quiet = () => undefined;
// initdb in WASM takes several seconds on a busy machine.
const INIT_TIMEOUT = 90_000;

let state: Awaited<ReturnType<typeof tempStateDir>>;
let port: number;
let local: Warehouse;

beforeAll(async () => {
  state = await tempStateDir();
  port = await freePort();
  local = await startWarehouse({ port, stateDir: state.path, log: quiet });
}, INIT_TIMEOUT);
afterAll(async () => {
  await local.close();
  await state.remove();
});

interface Target {
  name: string;
  url: () => string;
  database: string;
  /** PGlite runs one statement at a time: a reader waits for another client's transaction. */
  serialised: boolean;
}

const targets: Target[] = [
  {
    name: 'PGlite through the socket server',
    url: () => local.url,
    database: 'analytics',
    serialised: true,
  },
  {
    name: 'PostgreSQL on this machine',
    url: () => REAL_POSTGRES_URL,
    database: 'test',
    serialised: false,
  },
];

describe.each(targets)('SQL behaviour on $name', (target) => {
  let db: WarehouseClient;
  let schema: string;

  beforeAll(async () => {
    db = connectWarehouse(target.url());
    schema = uniqueSchema('sql');
    await db.query(`CREATE SCHEMA ${schema}`);
  });
  afterAll(async () => {
    await db.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await db.close();
  });

  test('serves the PostgreSQL wire protocol on its port, as the database clients ask for', async () => {
    const client = new pg.Client(target.url());
    await client.connect();
    const { rows } = await client.query<{ db: string; version: string }>(
      'SELECT current_database() AS db, version() AS version',
    );
    await client.end();
    expect(rows[0]?.db).toBe(target.database);
    expect(rows[0]?.version).toMatch(/^PostgreSQL \d+/);
  });

  test('parameterised queries bind text, numbers, nulls and arrays', async () => {
    const { rows } = await db.query<{ t: string; n: string; z: null; a: number[] }>(
      'SELECT $1::text AS t, $2::numeric AS n, $3::text AS z, $4::int[] AS a',
      ["it's; DROP TABLE x --", '12.30', null, [1, 2, 3]],
    );
    expect(rows).toEqual([{ t: "it's; DROP TABLE x --", n: '12.30', z: null, a: [1, 2, 3] }]);
  });

  test('MERGE on the event id is idempotent: running it twice leaves the same rows', async () => {
    await db.query(
      `CREATE TABLE ${schema}.events (event_id text PRIMARY KEY, revenue numeric, seen int)`,
    );
    await db.query(`CREATE TABLE ${schema}.staging (event_id text, revenue numeric)`);
    await db.query(
      `INSERT INTO ${schema}.staging SELECT * FROM unnest($1::text[], $2::numeric[])`,
      [
        ['e1', 'e2', 'e3'],
        ['10.50', '0', '99.99'],
      ],
    );
    const merge = `MERGE INTO ${schema}.events t USING ${schema}.staging s ON t.event_id = s.event_id
      WHEN MATCHED THEN UPDATE SET revenue = s.revenue, seen = t.seen + 1
      WHEN NOT MATCHED THEN INSERT (event_id, revenue, seen) VALUES (s.event_id, s.revenue, 1)`;
    const rowsAfter = async () =>
      (await db.query(`SELECT event_id, revenue FROM ${schema}.events ORDER BY event_id`)).rows;

    expect((await db.query(merge)).rowCount).toBe(3);
    const first = await rowsAfter();
    await db.query(merge);
    expect(await rowsAfter()).toEqual(first);
    expect(first).toEqual([
      { event_id: 'e1', revenue: '10.50' },
      { event_id: 'e2', revenue: '0' },
      { event_id: 'e3', revenue: '99.99' },
    ]);
    const { rows } = await db.query<{ total: string }>(
      `SELECT sum(revenue) AS total FROM ${schema}.events`,
    );
    expect(rows[0]?.total).toBe('110.49');
  });

  test('two clients at once: concurrent queries each get their own answer', async () => {
    const one = new pg.Client(target.url());
    const two = new pg.Client(target.url());
    await Promise.all([one.connect(), two.connect()]);
    try {
      // Each client runs its own loop; the loops overlap, so the server interleaves them.
      const ask = async (client: pg.Client, offset: number) => {
        const answers: Array<number | undefined> = [];
        for (let i = offset; i < 40; i += 2) {
          const result = await client.query<{ v: number }>('SELECT $1::int * 3 AS v', [i]);
          answers.push(result.rows[0]?.v);
        }
        return answers;
      };
      const [odd, even] = await Promise.all([ask(one, 1), ask(two, 0)]);
      expect(odd).toEqual(Array.from({ length: 20 }, (_, i) => (2 * i + 1) * 3));
      expect(even).toEqual(Array.from({ length: 20 }, (_, i) => 2 * i * 3));
    } finally {
      await Promise.all([one.end(), two.end()]);
    }
  });

  test("two clients at once: a reader sees another client's write only once it commits", async () => {
    await db.query(`CREATE TABLE ${schema}.tx (n int)`);
    const writer = new pg.Client(target.url());
    const reader = new pg.Client(target.url());
    await Promise.all([writer.connect(), reader.connect()]);
    try {
      await writer.query('BEGIN');
      await writer.query(`INSERT INTO ${schema}.tx VALUES (1)`);
      // Not awaited yet: on PGlite this read waits for the writer's transaction to end.
      const read = reader.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${schema}.tx`);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await writer.query('COMMIT');
      const seen = (await read).rows[0]?.n;
      expect(seen).toBe(target.serialised ? 1 : 0);
      const after = await reader.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM ${schema}.tx`,
      );
      expect(after.rows[0]?.n).toBe(1);
    } finally {
      await Promise.all([writer.end(), reader.end()]);
    }
  });
});

describe('the local warehouse (PGlite) lifecycle', () => {
  test('WAREHOUSE_URL switches to real PostgreSQL: no PGlite, no local state, same URL back', async () => {
    const otherPort = await freePort();
    const dir = await tempStateDir();
    try {
      const external = await startWarehouse({
        port: otherPort,
        stateDir: dir.path,
        url: REAL_POSTGRES_URL,
        log: quiet,
      });
      expect(external).toMatchObject({ url: REAL_POSTGRES_URL, engine: 'external' });
      expect(await isListening(otherPort)).toBe(false);
      expect(existsSync(warehouseDataDir(dir.path))).toBe(false);
      const db = connectWarehouse(external.url);
      const { rows } = await db.query<{ db: string }>('SELECT current_database() AS db');
      await db.close();
      await external.close();
      expect(rows[0]?.db).toBe('test');
    } finally {
      await dir.remove();
    }
  });

  test('an unreachable WAREHOUSE_URL fails with a clear message that hides the password', async () => {
    const deadPort = await freePort();
    const start = startWarehouse({
      port: 0,
      stateDir: state.path,
      url: `postgres://loader:s3cret@127.0.0.1:${deadPort}/analytics`,
      log: quiet,
    });
    await expect(start).rejects.toThrow(
      /WAREHOUSE_URL .*loader:\*\*\*@.* does not accept connections/,
    );
    await expect(start).rejects.not.toThrow(/s3cret/);
  });

  test('a clear error when the port is taken, before touching the state folder', async () => {
    const blocker: Server = createServer();
    const takenPort = await freePort();
    await new Promise<void>((resolve) => blocker.listen(takenPort, '127.0.0.1', resolve));
    const dir = await tempStateDir();
    try {
      await expect(
        startWarehouse({ port: takenPort, stateDir: dir.path, log: quiet }),
      ).rejects.toThrow(new RegExp(`port ${takenPort} .*already taken`));
      expect(existsSync(warehouseDataDir(dir.path))).toBe(false);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
      await dir.remove();
    }
  });

  test('data persists across a restart on the same state folder', async () => {
    const schema = uniqueSchema('persist');
    const before = connectWarehouse(local.url);
    await before.query(`CREATE TABLE public.${schema} (id text PRIMARY KEY)`);
    await before.query(`INSERT INTO public.${schema} VALUES ('kept')`);
    await before.close();
    await local.close();
    expect(await isListening(port)).toBe(false);

    local = await startWarehouse({ port, stateDir: state.path, log: quiet });
    const after = connectWarehouse(local.url);
    const { rows } = await after.query(`SELECT id FROM public.${schema}`);
    await after.close();
    expect(rows).toEqual([{ id: 'kept' }]);
  });

  test("wipe removes the warehouse's data and nothing else of the state folder", async () => {
    const db = connectWarehouse(local.url);
    await db.query('CREATE TABLE public.before_wipe (n int)');
    await db.close();
    await local.close();
    const deadLetters = join(state.path, 'sqs', 'dead-letters.json');
    await mkdir(dirname(deadLetters), { recursive: true });
    await writeFile(deadLetters, '{}');

    await wipeWarehouse(state.path);
    expect(existsSync(warehouseDataDir(state.path))).toBe(false);
    expect(existsSync(deadLetters)).toBe(true);
    // No restart here: it would run initdb again (seconds under load). A start creates a new
    // database exactly when PG_VERSION is missing, which this file's first start covers.
    local = { url: local.url, engine: 'pglite', close: async () => undefined };
  });
});
