import pg from 'pg';
import { startWarehouse, type Warehouse } from '../../../offline/warehouse/warehouse.ts';
import { freePort, tempStateDir } from './support.ts';

/**
 * pg sends a parameterised query as Parse, Bind, Describe, Execute, Sync, using the unnamed
 * statement and portal of the one PGlite session. pglite-socket queues each message on its
 * own, so another connection's messages could run in between: its Parse replaced this one's
 * statement ("unnamed prepared statement does not exist", "portal \"\" does not exist"),
 * which failed concurrent loads and sent their objects to the failed notifications.
 */
let state: Awaited<ReturnType<typeof tempStateDir>>;
let warehouse: Warehouse;

beforeAll(async () => {
  state = await tempStateDir();
  warehouse = await startWarehouse({
    port: await freePort(),
    stateDir: state.path,
    log: () => undefined,
  });
}, 90_000);
afterAll(async () => {
  await warehouse?.close();
  await state?.remove();
});

test('parameterised queries of six connections at once each run their own statement', async () => {
  const clients = Array.from({ length: 6 }, () => new pg.Client(warehouse.url));
  await Promise.all(clients.map((c) => c.connect()));
  try {
    const loop = async (client: pg.Client, k: number) => {
      const wrong: string[] = [];
      for (let i = 0; i < 60; i += 1) {
        // A different statement per connection (column, type, arity), as the loads' are.
        const sql =
          k % 2 === 0
            ? `SELECT $1::int + ${k} AS v${k}`
            : `SELECT $1::text || '-${k}' AS w${k}, $2::int AS n`;
        const params = k % 2 === 0 ? [i] : [`q${i}`, i];
        const expected = k % 2 === 0 ? { [`v${k}`]: i + k } : { [`w${k}`]: `q${i}-${k}`, n: i };
        try {
          // Half the connections wrap theirs in a transaction: BEGIN and COMMIT are simple
          // queries, which also end another connection's unnamed statement and portal.
          if (k >= 2) await client.query('BEGIN');
          const { rows } = await client.query(sql, params);
          if (k >= 2) await client.query('COMMIT');
          if (JSON.stringify(rows) !== JSON.stringify([expected])) wrong.push(JSON.stringify(rows));
        } catch (error) {
          wrong.push(error instanceof Error ? error.message : String(error));
          if (k >= 2) await client.query('ROLLBACK').catch(() => undefined);
        }
      }
      return wrong;
    };
    const results = await Promise.all(clients.map((client, k) => loop(client, k)));
    expect(results).toEqual([[], [], [], [], [], []]);
  } finally {
    await Promise.all(clients.map((c) => c.end()));
  }
}, 60_000);

test('forty clients connected at once are all served, as a Redshift cluster takes 500 connections', async () => {
  // Each concurrent load function instance holds its own connection (Lambda scales per S3
  // object); the old limit of 16 turned the 17th away with "Too many connections".
  const clients = Array.from({ length: 40 }, () => new pg.Client(warehouse.url));
  try {
    await Promise.all(clients.map((c) => c.connect()));
    const answers = await Promise.all(
      clients.map(async (client, k) => {
        await client.query('BEGIN');
        const { rows } = await client.query('SELECT $1::int AS k', [k]);
        await client.query('COMMIT');
        return rows[0]?.k as number;
      }),
    );
    expect(answers).toEqual(clients.map((_, k) => k));
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
  }
});
