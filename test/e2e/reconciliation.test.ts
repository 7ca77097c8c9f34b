import pg from 'pg';
import { startOfflineStack, type OfflineStack } from '../support/offline-stack.ts';
import { sendSimulatedTraffic, type SentTraffic } from '../support/simulated-traffic.ts';
import {
  decimalToMicros,
  expectedFromStream,
  readStream,
  type StreamExpectations,
} from '../../tools/reconcile/stream-oracle.ts';
import {
  productFigures,
  progress,
  waitForDrain,
  windowFigures,
} from '../../tools/reconcile/warehouse-figures.ts';

/**
 * The reconciliation of the whole local pipeline (issue #6), started as `npm start` starts
 * it: 20,000 simulated shop events with a fixed seed, 2 % invalid and 2 % resent, posted to
 * /v1/batch by the simulator's own sender while the stream refuses a tenth of the PutRecords
 * entries; then the warehouse must hold exactly what the simulator's ledger says, and the
 * real-time figures exactly what arrived on the stream, window by window. No tolerance.
 * The ingest packs events into KPL aggregated records (INGEST_KPL_AGGREGATION), as deployed
 * stages do, so every consumer's de-aggregation is in the reconciliation; the stream oracle
 * unpacks them with aws-kinesis-agg. (test/e2e/pipeline.test.ts runs with it off.)
 */
const PORTS = { httpPort: 3350, lambdaPort: 3352, kinesisPort: 4657, otherPortsFrom: 4658 };
const WAREHOUSE = 'postgres://postgres@127.0.0.1:4661/analytics';
const SEED = 20_261_125;
const EVENTS = 20_000;
const WINDOW_SECONDS = 10; // serverless.yml, params.local.windowSeconds

let stack: OfflineStack;
let db: pg.Pool;

beforeAll(async () => {
  stack = await startOfflineStack({
    ...PORTS,
    throttleRate: 0.1,
    env: { OFFLINE_FIREHOSE_FLUSH_SECONDS: '1', INGEST_KPL_AGGREGATION: 'true' },
  });
  db = new pg.Pool({ connectionString: WAREHOUSE, max: 1 });
  db.on('error', () => undefined);
}, 120_000);

afterAll(async () => {
  await db?.end();
  await stack?.stop();
});

const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);
/** What is in `a` and not in `b`, at most a few, for a failure message a person can read. */
const missing = (a: Set<string>, b: Set<string>) => [...a].filter((x) => !b.has(x)).slice(0, 5);

/** The stack's warnings and errors (the functions log JSON; the stand-ins plain lines), last 40. */
function problems(output: string): string {
  const lines = output.split('\n').filter((line) => /warn|error|fail/i.test(line));
  return (
    lines
      .slice(-40)
      .map((line) => line.slice(0, 500))
      .join('\n') || '(none)'
  );
}

async function rows<T>(sql: string): Promise<T[]> {
  return (await db.query<T & pg.QueryResultRow>(sql)).rows;
}

describe('reconciliation of the local pipeline', () => {
  let sent: SentTraffic;
  let stream: StreamExpectations;

  test('the simulator sends 20,000 events; every one the API accepted is on the stream once or more', async () => {
    sent = await sendSimulatedTraffic({
      target: stack.apiUrl,
      simulator: { seed: SEED, rate: 200, events: EVENTS, badRate: 0.02, duplicateRate: 0.02 },
      batchSize: 100,
      concurrency: 4,
    });
    const { ledger } = sent;
    expect(ledger.sent).toBe(EVENTS);
    expect(ledger.invalid).toBeGreaterThan(200);
    expect(ledger.duplicates).toBeGreaterThan(200);
    expect(sent.server).toEqual({
      accepted: ledger.accepted + ledger.duplicates,
      rejected: ledger.invalid,
      retried: sent.server.retried,
    });

    stream = expectedFromStream(
      await readStream(stack.kinesisEndpoint, stack.streamName),
      WINDOW_SECONDS,
    );
    expect(missing(sent.validIds, stream.validIds)).toEqual([]);
    expect(missing(stream.validIds, sent.validIds)).toEqual([]);
    expect(missing(sent.invalidIds, stream.rejectedIds)).toEqual([]);
    expect(missing(stream.rejectedIds, sent.invalidIds)).toEqual([]);
  }, 180_000);

  test('the warehouse drains to exactly the ledger: events, bad_events, revenue', async () => {
    const { ledger } = sent;
    const windows = Object.values(stream.windows);
    const metricsEvents = sum(windows.map((w) => w.events));
    const metricsRejected = sum(windows.map((w) => w.rejected));
    // The last window closes once the poller has read past its end (WINDOW_SECONDS after its
    // start); Firehose then flushes within a second and the load follows.
    const reached = await waitForDrain(
      () => progress(db),
      (p) =>
        p.events >= ledger.accepted &&
        p.badEvents >= ledger.invalid &&
        p.metricsEvents >= metricsEvents &&
        p.metricsRejected >= metricsRejected,
      {
        timeoutMs: 150_000,
        settleMs: 3_000,
        diagnostics: () =>
          `what the stack logged (warnings and errors):\n${problems(stack.output())}`,
        expected: `events ${ledger.accepted}, bad_events ${ledger.invalid}, metrics events ${metricsEvents}, metrics rejected ${metricsRejected}`,
      },
    );
    expect(reached).toEqual({
      events: ledger.accepted,
      badEvents: ledger.invalid,
      metricsEvents,
      metricsRejected,
      loads: reached.loads,
    });

    const eventIds = new Set(
      (await rows<{ id: string }>('SELECT event_id AS id FROM events')).map((r) => r.id),
    );
    expect(eventIds.size).toBe(ledger.accepted);
    expect(missing(sent.validIds, eventIds)).toEqual([]);

    const bad = await rows<{ id: string; source: string; reasons: unknown }>(
      'SELECT event_id AS id, source, reasons FROM bad_events',
    );
    expect(missing(sent.invalidIds, new Set(bad.map((r) => r.id)))).toEqual([]);
    expect(bad.filter((r) => r.source !== 'ingest')).toEqual([]);
    expect(bad.filter((r) => !Array.isArray(r.reasons) || r.reasons.length === 0)).toEqual([]);

    // As the ledger names them: a track by its event, any other call (screens carry the
    // screen's name in event_name) by its type.
    const byName = await rows<{ name: string; n: string }>(
      `SELECT CASE WHEN event_type = 'track' THEN event_name ELSE '(' || event_type || ')' END AS name,
         count(*) AS n
       FROM events GROUP BY 1 ORDER BY 1`,
    );
    expect(Object.fromEntries(byName.map((r) => [r.name, Number(r.n)]))).toEqual(
      Object.fromEntries(Object.entries(sent.validByName).sort(([a], [b]) => a.localeCompare(b))),
    );

    const revenue = await rows<{ currency: string; orders: string; revenue: string }>(
      `SELECT currency, count(*) AS orders, sum(revenue)::text AS revenue FROM events
       WHERE event_name = 'Order Completed' GROUP BY currency ORDER BY currency`,
    );
    expect(sum(revenue.map((r) => Number(r.orders)))).toBe(ledger.orders);
    expect(
      Object.fromEntries(revenue.map((r) => [r.currency, String(decimalToMicros(r.revenue))])),
    ).toEqual(
      Object.fromEntries(
        Object.entries(ledger.revenue).map(([c, r]) => [c, String(BigInt(r.cents) * 10_000n)]),
      ),
    );
  }, 180_000);

  test('the real-time figures are exactly what arrived in each window, and add up to the warehouse', async () => {
    const metrics = await windowFigures(db);
    expect(metrics.allUsersExact).toBe(true);
    expect(metrics.windows).toEqual(stream.windows);
    expect(await productFigures(db)).toEqual(stream.products);

    // Window-independent totals: the minute views against `events`, plus the copies that a
    // resend put in a later window (counted again there by design, once in `events`).
    const [minute] = await rows<Record<string, string>>(
      `SELECT sum(events) AS events, sum(views) AS views, sum(add_to_carts) AS adds,
         sum(cart_removes) AS removes, sum(checkouts) AS checkouts, sum(orders) AS orders,
         sum(rejected_events) AS rejected FROM metrics_minute`,
    );
    const [fromEvents] = await rows<Record<string, string>>(
      `SELECT count(*) AS events,
         count(*) FILTER (WHERE event_name = 'Product Viewed') AS views,
         count(*) FILTER (WHERE event_name = 'Product Added') AS adds,
         count(*) FILTER (WHERE event_name = 'Product Removed') AS removes,
         count(*) FILTER (WHERE event_name = 'Checkout Started') AS checkouts,
         count(*) FILTER (WHERE event_name = 'Order Completed') AS orders,
         (SELECT count(*) FROM bad_events) AS rejected
       FROM events`,
    );
    const later = stream.laterWindowCopies;
    const again = (name: string) => later.byName[name] ?? 0;
    expect(minute).toBeDefined();
    expect(
      Object.fromEntries(Object.entries(minute ?? {}).map(([k, v]) => [k, Number(v)])),
    ).toEqual({
      events: Number(fromEvents?.events) + later.events,
      views: Number(fromEvents?.views) + again('Product Viewed'),
      adds: Number(fromEvents?.adds) + again('Product Added'),
      removes: Number(fromEvents?.removes) + again('Product Removed'),
      checkouts: Number(fromEvents?.checkouts) + again('Checkout Started'),
      orders: Number(fromEvents?.orders) + again('Order Completed'),
      rejected: Number(fromEvents?.rejected),
    });

    const money = await rows<{ currency: string; minute: string; events: string }>(
      `SELECT m.currency, m.revenue::text AS minute, e.revenue::text AS events
       FROM (SELECT currency, sum(revenue) AS revenue FROM revenue_minute GROUP BY currency) m
       FULL JOIN (SELECT currency, sum(revenue) AS revenue FROM events
                  WHERE event_name = 'Order Completed' GROUP BY currency) e
         ON e.currency = m.currency
       ORDER BY 1`,
    );
    expect(money.length).toBeGreaterThan(1);
    for (const { currency, minute: m, events: e } of money) {
      const copies = BigInt(later.revenue[currency] ?? '0');
      expect([currency, decimalToMicros(m)]).toEqual([currency, decimalToMicros(e) + copies]);
    }
  }, 60_000);
});
