import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { PostgresWarehouse } from '../../../shared/adapters/postgres/postgres-warehouse.ts';
import { loadObject } from '../../../shared/load/load-object.ts';
import { DIALECTS } from '../../../shared/warehouse-schema/dialect.ts';
import { migrate } from '../../../shared/warehouse-schema/migrations.ts';
import { startWarehouse, type Warehouse } from '../../../offline/warehouse/warehouse.ts';
import { badRow, eventRow, eventsObject } from '../../integration/warehouse/fixtures.ts';
import { freePort, tempStateDir } from './support.ts';

/**
 * PostgreSQL's copy-in sub-protocol (protocol-flow.html#PROTOCOL-COPY) on the local
 * warehouse's port: the load function streams COPY FROM STDIN to it as it does to any
 * PostgreSQL, instead of sending its rows as JSON parameters.
 */
let state: Awaited<ReturnType<typeof tempStateDir>>;
let warehouse: Warehouse;
let pool: pg.Pool;

beforeAll(async () => {
  state = await tempStateDir();
  warehouse = await startWarehouse({
    port: await freePort(),
    stateDir: state.path,
    log: () => undefined,
  });
  pool = new pg.Pool({ connectionString: warehouse.url, max: 4 });
  await pool.query('CREATE TABLE copied (id int PRIMARY KEY, name text, note text)');
}, 90_000);
afterAll(async () => {
  await pool?.end();
  await warehouse?.close();
  await state?.remove();
});

async function copyIn(client: pg.PoolClient, sql: string, chunks: string[]): Promise<number> {
  const sink = client.query(copyFrom(sql));
  await pipeline(Readable.from(chunks), sink);
  return sink.rowCount ?? -1;
}

async function withClient<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await work(client);
  } finally {
    client.release();
  }
}

test('COPY FROM STDIN takes text-format rows in several CopyData messages and answers COPY n', async () => {
  const rows = await withClient((client) =>
    copyIn(client, 'COPY copied (id, name, note) FROM STDIN', [
      '1\tfirst\t\\N\n2\tsec',
      'ond\ttab\\there\n',
      '3\tthird\tline\\nbreak\n',
    ]),
  );
  expect(rows).toBe(3);
  const { rows: stored } = await pool.query('SELECT id, name, note FROM copied ORDER BY id');
  expect(stored).toEqual([
    { id: 1, name: 'first', note: null },
    { id: 2, name: 'second', note: 'tab\there' },
    { id: 3, name: 'third', note: 'line\nbreak' },
  ]);
});

test('a COPY inside a transaction is rolled back with it, and committed with it', async () => {
  await withClient(async (client) => {
    await client.query('BEGIN');
    await copyIn(client, 'COPY copied (id, name) FROM STDIN', ['10\trolled back\n']);
    await client.query('ROLLBACK');
    await client.query('BEGIN');
    await copyIn(client, 'COPY copied (id, name) FROM STDIN', ['11\tcommitted\n']);
    await client.query('COMMIT');
  });
  const { rows } = await pool.query('SELECT id FROM copied WHERE id IN (10, 11) ORDER BY id');
  expect(rows).toEqual([{ id: 11 }]);
});

test('a bad row fails the COPY with PostgreSQL error, the transaction aborts, the connection stays usable', async () => {
  await withClient(async (client) => {
    await client.query('BEGIN');
    await expect(
      copyIn(client, 'COPY copied (id, name) FROM STDIN', ['20\tok\nnot-a-number\tbad\n']),
    ).rejects.toThrow(/invalid input syntax for type integer/);
    await expect(client.query('SELECT 1')).rejects.toThrow(/current transaction is aborted/);
    await client.query('ROLLBACK');
    expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });
  expect((await pool.query('SELECT count(*)::int AS n FROM copied WHERE id = 20')).rows).toEqual([
    { n: 0 },
  ]);
});

test('CopyFail from the client ends the COPY with "COPY from stdin failed" and nothing is written', async () => {
  await withClient(async (client) => {
    const source = new Readable({ read() {} });
    const sink = client.query(copyFrom('COPY copied (id, name) FROM STDIN'));
    const done = pipeline(source, sink);
    source.push('30\tnever\n');
    setTimeout(() => source.destroy(new Error('the producer gave up')), 50);
    await expect(done).rejects.toThrow();
    // pg-copy-streams sends CopyFail; the backend answers with the error and ReadyForQuery.
    expect(
      (await client.query('SELECT count(*)::int AS n FROM copied WHERE id = 30')).rows,
    ).toEqual([{ n: 0 }]);
  });
});

test("other connections' queries wait for a COPY under way and never interleave with it", async () => {
  const copying = withClient((client) =>
    copyIn(
      client,
      'COPY copied (id, name) FROM STDIN',
      Array.from({ length: 50 }, (_, i) => `${100 + i}\trow ${i}\n`),
    ),
  );
  const reads = Array.from({ length: 10 }, () =>
    pool.query('SELECT count(*)::int AS n FROM copied WHERE id >= 100'),
  );
  const [copied, ...counts] = await Promise.all([copying, ...reads]);
  expect(copied).toBe(50);
  for (const { rows } of counts) expect([0, 50]).toContain(rows[0]?.n);
});

test('the load stages its events with COPY FROM STDIN on the local warehouse: the same rows, exactly once', async () => {
  const copying = new PostgresWarehouse(pool, { staging: 'copy' });
  await migrate(copying, DIALECTS.postgres);
  const at = '2026-11-25T10:00:00.000Z';
  const object = eventsObject('copy/1', [
    eventRow('c-1', at),
    eventRow('c-2', at),
    eventRow('c-2', at),
    badRow('c-bad'),
  ]);
  const first = await loadObject(copying, object);
  const again = await loadObject(copying, object);
  expect(first).toMatchObject({
    status: 'loaded',
    counts: { lines: 4, events: 2, bad_events: 1 },
  });
  expect(again.status).toBe('skipped');
  const { rows } = await pool.query(
    `SELECT event_id, price::text AS price FROM events ORDER BY event_id`,
  );
  expect(rows).toEqual([
    { event_id: 'c-1', price: '19.990000' },
    { event_id: 'c-2', price: '19.990000' },
  ]);
});
