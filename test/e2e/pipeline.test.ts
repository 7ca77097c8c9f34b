import pg from 'pg';
import { startOfflineStack, type OfflineStack } from '../support/offline-stack.ts';
import { expectedFromStream, readStream } from '../../tools/reconcile/stream-oracle.ts';

/**
 * The whole local pipeline, as `npm start` runs it: API -> Kinesis (throttling some entries)
 * -> aggregate (tumbling windows) -> Firehose -> S3 -> load -> warehouse, and Kinesis ->
 * Firehose with the transform -> S3 -> load. Exact counts, no tolerance.
 */
const PORTS = { httpPort: 3330, lambdaPort: 3332, kinesisPort: 4637, otherPortsFrom: 4638 };
const WAREHOUSE = 'postgres://postgres@127.0.0.1:4641/analytics';
const WINDOW_SECONDS = 10; // serverless.yml, params.local.windowSeconds
const basic = `Basic ${Buffer.from('local-write-key:').toString('base64')}`;

let stack: OfflineStack;
let db: pg.Pool;

beforeAll(async () => {
  stack = await startOfflineStack({
    ...PORTS,
    throttleRate: 0.2,
    env: { OFFLINE_FIREHOSE_FLUSH_SECONDS: '1' },
  });
  db = new pg.Pool({ connectionString: WAREHOUSE, max: 2 });
  db.on('error', () => undefined);
}, 120_000);

afterAll(async () => {
  await db?.end();
  await stack?.stop();
});

interface Sent {
  valid: Array<Record<string, unknown>>;
  invalid: Array<Record<string, unknown>>;
  /** Everything, in the order a shop would send it: bad events among the good ones. */
  sequence: Array<Record<string, unknown>>;
}

function shoppers(users: number): Sent {
  const valid: Array<Record<string, unknown>> = [];
  const invalid: Array<Record<string, unknown>> = [];
  const sequence: Array<Record<string, unknown>> = [];
  for (let i = 0; i < users; i += 1) {
    const anonymousId = `shopper-${i}`;
    const product = { product_id: `p-${i % 7}`, price: 10 + (i % 7) + 0.99, quantity: 1 + (i % 3) };
    const revenue = Number((product.price * product.quantity).toFixed(2));
    const base = { type: 'track', anonymousId };
    valid.push(
      { type: 'page', anonymousId, name: 'Home', messageId: `${anonymousId}-page` },
      { ...base, event: 'Product Viewed', messageId: `${anonymousId}-view`, properties: product },
      { ...base, event: 'Product Added', messageId: `${anonymousId}-add`, properties: product },
      {
        ...base,
        event: 'Checkout Started',
        messageId: `${anonymousId}-checkout`,
        properties: { revenue, currency: 'USD' },
      },
      {
        ...base,
        event: 'Order Completed',
        messageId: `${anonymousId}-order`,
        properties: { order_id: `o-${i}`, revenue, currency: 'USD', products: [product] },
      },
    );
    sequence.push(...valid.slice(-5));
    if (i % 8 === 0) {
      const bad = {
        ...base,
        event: 'Product Viewed',
        messageId: `${anonymousId}-bad`,
        properties: { product_id: 'p', price: 'free' },
      };
      invalid.push(bad);
      sequence.push(bad);
    }
  }
  return { valid, invalid, sequence };
}

async function postBatch(batch: Array<Record<string, unknown>>): Promise<void> {
  // The client's side of the contract: resend what a 503 says was not written.
  let pending = batch;
  for (let attempt = 0; attempt < 20 && pending.length > 0; attempt += 1) {
    const response = await fetch(`${stack.apiUrl}/v1/batch`, {
      method: 'POST',
      headers: { authorization: basic, 'content-type': 'application/json' },
      body: JSON.stringify({ batch: pending }),
    });
    const answer = (await response.json()) as { notWritten?: Array<{ messageId: string }> };
    if (response.status === 200) return;
    expect(response.status).toBe(503);
    const retry = new Set((answer.notWritten ?? []).map((n) => n.messageId));
    pending = pending.filter((event) => retry.has(String(event.messageId)));
  }
  expect(pending).toEqual([]);
}

async function scalar(sql: string): Promise<string> {
  const result = await db.query<{ value: string }>(sql);
  return String(result.rows[0]?.value ?? '');
}

async function waitFor(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 1_000));
  }
}

describe('the local pipeline end to end', () => {
  test('every valid event is in the warehouse once, every invalid one in bad_events, and the minute metrics agree', async () => {
    const { valid, invalid, sequence } = shoppers(40);
    for (let i = 0; i < sequence.length; i += 50) await postBatch(sequence.slice(i, i + 50));
    // Resent in the next window: the warehouse must not count them twice, the real-time
    // figures count them again there (Lambda's windows know nothing of earlier ones).
    const windowMs = WINDOW_SECONDS * 1000;
    await new Promise((r) => setTimeout(r, windowMs - (Date.now() % windowMs) + 200));
    await postBatch(valid.slice(0, 25));

    // The real-time windows follow arrival time: a resend (or a user's events) that lands in a
    // later window than its first copy counts there too, by design. The stream says which did.
    const stream = expectedFromStream(
      await readStream(stack.kinesisEndpoint, stack.streamName),
      WINDOW_SECONDS,
    );
    const again = stream.laterWindowCopies;
    expect(again.events).toBeGreaterThanOrEqual(25);
    const windows = Object.values(stream.windows);

    const orders = valid.filter((e) => e.event === 'Order Completed');
    const revenue = orders.reduce(
      (sum, e) => sum + Math.round(Number((e.properties as { revenue: number }).revenue) * 100),
      0,
    );
    await waitFor(
      async () =>
        Number(await scalar('SELECT count(*) AS value FROM events')) === valid.length &&
        Number(await scalar('SELECT count(*) AS value FROM bad_events')) === invalid.length &&
        Number(await scalar('SELECT COALESCE(sum(events), 0) AS value FROM metrics_minute')) ===
          valid.length + again.events,
      90_000,
    );

    expect(Number(await scalar('SELECT count(*) AS value FROM events'))).toBe(valid.length);
    expect(Number(await scalar('SELECT count(DISTINCT event_id) AS value FROM events'))).toBe(
      valid.length,
    );
    expect(Number(await scalar('SELECT count(*) AS value FROM bad_events'))).toBe(invalid.length);
    expect(
      await scalar("SELECT string_agg(DISTINCT reasons::text, '') AS value FROM bad_events"),
    ).toContain('properties.price must be a number');
    const cents = await scalar(
      "SELECT (sum(revenue) * 100)::bigint AS value FROM events WHERE event_name = 'Order Completed'",
    );
    expect(Number(cents)).toBe(revenue);

    const minute = (
      await db.query<Record<string, string>>(
        'SELECT sum(events) AS events, sum(views) AS views, sum(add_to_carts) AS adds, sum(checkouts) AS checkouts, sum(orders) AS orders, sum(active_users) AS users FROM metrics_minute',
      )
    ).rows[0];
    const fromEvents = (
      await db.query<Record<string, string>>(
        `SELECT count(*) AS events,
           count(*) FILTER (WHERE event_name = 'Product Viewed') AS views,
           count(*) FILTER (WHERE event_name = 'Product Added') AS adds,
           count(*) FILTER (WHERE event_name = 'Checkout Started') AS checkouts,
           count(*) FILTER (WHERE event_name = 'Order Completed') AS orders,
           count(DISTINCT anonymous_id) AS users
         FROM events`,
      )
    ).rows[0];
    const later = (name: string) => again.byName[name] ?? 0;
    expect(minute).toEqual({
      events: String(Number(fromEvents?.events) + again.events),
      views: String(Number(fromEvents?.views) + later('Product Viewed')),
      adds: String(Number(fromEvents?.adds) + later('Product Added')),
      checkouts: String(Number(fromEvents?.checkouts) + later('Checkout Started')),
      orders: String(Number(fromEvents?.orders) + later('Order Completed')),
      // Distinct per window: a user whose events span two windows is active in both.
      users: String(windows.reduce((sum, w) => sum + w.activeUsers, 0)),
    });
    expect(Number(fromEvents?.users)).toBe(40);
    const usd = await scalar(
      "SELECT (sum(revenue) * 100)::bigint AS value FROM revenue_minute WHERE currency = 'USD'",
    );
    expect(BigInt(usd) * 10_000n).toBe(
      BigInt(revenue) * 10_000n + BigInt(again.revenue.USD ?? '0'),
    );
  }, 150_000);
});
