import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import pg from 'pg';
import { runReport, WarehouseUnreachableError } from '../../../scripts/report.ts';
import { DIALECTS } from '../../../shared/warehouse-schema/dialect.ts';
import { loadObject } from '../../../shared/load/load-object.ts';
import { migrate } from '../../../shared/warehouse-schema/migrations.ts';
import { PostgresWarehouse } from '../../../shared/adapters/postgres/postgres-warehouse.ts';
import {
  eventRow,
  eventsObject,
  metricsRow,
  ndjson,
  object,
  productRow,
} from '../warehouse/fixtures.ts';

/**
 * `npm run report` against the machine's PostgreSQL (a schema of its own, reached through the
 * URL's search_path as any WAREHOUSE_URL would be), as a function and as a child process.
 */
const BASE_URL = process.env.PG_TEST_URL ?? 'postgresql://postgres@127.0.0.1:5432/test';
const SCHEMA = `dash_report_${randomBytes(6).toString('hex')}`;
const URL = `${BASE_URL}?options=${encodeURIComponent(`-c search_path=${SCHEMA}`)}`;
const UNREACHABLE = 'postgres://postgres@127.0.0.1:9/analytics'; // the discard port: nothing listens
const ROOT = join(__dirname, '../../..');
const run = promisify(execFile);

let admin: pg.Pool;
beforeAll(async () => {
  admin = new pg.Pool({ connectionString: BASE_URL, max: 1 });
  await admin.query(`CREATE SCHEMA ${SCHEMA}`);
  const pool = new pg.Pool({ connectionString: URL, max: 2 });
  const warehouse = new PostgresWarehouse(pool);
  await migrate(warehouse, DIALECTS.postgres);
  const w = '2026-11-25T10:00:00.000Z';
  await loadObject(
    warehouse,
    object(
      'metrics/1',
      'metrics',
      ndjson([
        metricsRow(w, 'shard-0', 0, {
          events: 7,
          rejectedEvents: 1,
          eventsByType: { track: 6, page: 1 },
          eventsByName: { 'Product Viewed': 4, 'Order Completed': 2 },
          productViews: 4,
          cartAdds: 2,
          checkoutsStarted: 2,
          orders: 2,
          revenueByCurrency: { USD: '39.980000' },
        }),
        productRow(w, 'shard-0', 0, 'p-7', {
          views: 4,
          adds: 2,
          purchases: 2,
          revenueByCurrency: { USD: '39.980000' },
        }),
      ]),
    ),
  );
  await loadObject(
    warehouse,
    eventsObject('events/1', [eventRow('e-1', '2026-11-25T10:00:05.000Z')]),
  );
  await pool.end();
});

afterAll(async () => {
  await admin?.query(`DROP SCHEMA ${SCHEMA} CASCADE`);
  await admin?.end();
});

function capture() {
  let text = '';
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  return { out, text: () => text };
}

describe('npm run report', () => {
  test('prints the figures the dashboard shows, and answers them', async () => {
    const printed = capture();
    const figures = await runReport({ url: URL, out: printed.out });
    expect(figures.totals).toEqual({
      events: 7,
      badEvents: 1,
      orders: 2,
      activeUsers: 1,
      revenue: [{ currency: 'USD', amount: '39.980000' }],
      conversion: 0.5,
    });
    const text = printed.text();
    expect(text).toMatch(/^Clickstream report: 2026-11-25 09:01:00–10:01:00 UTC, 1 window \(/);
    expect(text).toMatch(/\n  revenue +39\.98 USD\n/);
    expect(text).toMatch(/\n  Order completed +2 +100\.0 % +50\.0 %\n/);
    expect(text).toMatch(/\n +1 +Yoga Mat \(p-7\) +4 +2 +2 +39\.98 USD\n/);
    expect(text).toMatch(/\n  10:00 +7 +4 +2 +1 +1\n/); // events, Product Viewed, Order Completed, page, bad
  });

  test('--json prints the figures as the dashboard answers them', async () => {
    const printed = capture();
    const figures = await runReport({ url: URL, out: printed.out, json: true, minutes: 5 });
    expect(JSON.parse(printed.text())).toEqual(figures);
    expect(figures.period.minutes).toBe(5);
  });

  test('an unreachable warehouse says to start the stack', async () => {
    const error = await runReport({ url: UNREACHABLE, out: capture().out }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(WarehouseUnreachableError);
    expect((error as Error).message).toBe(
      'the warehouse at postgres://postgres@127.0.0.1:9/analytics is not reachable (ECONNREFUSED): start the stack with npm start, or set WAREHOUSE_URL',
    );
  });

  test('as a child process: the tables on stdout, exit 1 with the message when unreachable, 2 on a wrong argument', async () => {
    const tsx = join(ROOT, 'node_modules/.bin/tsx');
    const ok = await run(tsx, ['scripts/report.ts', '--top', '1'], {
      cwd: ROOT,
      env: { ...process.env, WAREHOUSE_URL: URL },
    });
    expect(ok.stdout).toContain('Yoga Mat (p-7)');
    const down = await run(tsx, ['scripts/report.ts'], {
      cwd: ROOT,
      env: { ...process.env, WAREHOUSE_URL: UNREACHABLE },
    }).catch((e: { code: number; stderr: string }) => e);
    expect(down).toMatchObject({ code: 1 });
    expect((down as { stderr: string }).stderr).toContain('start the stack with npm start');
    const wrong = await run(tsx, ['scripts/report.ts', '--minutes', 'soon'], { cwd: ROOT }).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(wrong).toMatchObject({ code: 2 });
    expect((wrong as { stderr: string }).stderr).toContain('--minutes must be a whole number');
  }, 30_000);
});
