import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../support/browser-sdk-harness.ts';
import { makeBatchSender } from '../../tools/simulator/batch-sender.ts';
import type { WireMessage } from '../../tools/simulator/corrupt.ts';
import { Ledger, type LedgerSummary } from '../../tools/simulator/ledger.ts';
import { simulate } from '../../tools/simulator/simulate-shop.ts';
import { startOfflineStack, type OfflineStack } from '../support/offline-stack.ts';

/**
 * The dashboard in a real browser: the whole local stack (npm start's), a known set of events
 * through the API plus a simulated shop's, then headless Chromium loads /dashboard?key=...,
 * and every figure on the page must equal the warehouse's, queried here directly, and what
 * was sent. The screenshot goes to docs/dashboard.png.
 */
const PORTS = { httpPort: 3340, lambdaPort: 3342, kinesisPort: 4647, otherPortsFrom: 4648 };
const WAREHOUSE = 'postgres://postgres@127.0.0.1:4651/analytics';
const SCREENSHOT = join(__dirname, '../../docs/dashboard.png');
/** The DOM the page functions touch (they run in the browser; the project has no DOM types). */
interface PageDom {
  document: {
    body: {
      dataset: Record<string, string | undefined>;
      querySelector(selector: string): { dataset: Record<string, string | undefined> } | null;
    };
    querySelectorAll(selector: string): ArrayLike<{ id: string; width: number }>;
  };
  Chart: {
    getChart(canvas: unknown): { data: { labels: unknown[]; datasets: unknown[] } } | undefined;
  };
}
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** One shopper through the whole funnel to a known order, and one bad event. */
const tent = { product_id: 'known-tent', name: 'Known Tent', price: 120, quantity: 2 };
const KNOWN_VALID: WireMessage[] = [
  { type: 'page', anonymousId: 'known-1', name: 'Home', messageId: 'known-page' },
  ...['Product Viewed', 'Product Added', 'Checkout Started'].map((event, i) => ({
    type: 'track',
    event,
    anonymousId: 'known-1',
    messageId: `known-${i}`,
    properties: tent,
  })),
  {
    type: 'track',
    event: 'Order Completed',
    anonymousId: 'known-1',
    messageId: 'known-order',
    properties: { order_id: 'known-o-1', revenue: 240, currency: 'USD', products: [tent] },
  },
];
const KNOWN_BAD: WireMessage = {
  type: 'track',
  event: 'Product Viewed',
  anonymousId: 'known-2',
  messageId: 'known-bad',
  properties: { product_id: 'known-tent', price: 'free' },
};

let stack: OfflineStack;
let db: pg.Pool;
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
  stack = await startOfflineStack({ ...PORTS, env: { OFFLINE_FIREHOSE_FLUSH_SECONDS: '1' } });
  db = new pg.Pool({ connectionString: WAREHOUSE, max: 2 });
  db.on('error', () => undefined);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await db?.end();
  await stack?.stop();
});

/** The simulated shop, sent in 2-second waves as its clock says, so it spans a few windows. */
async function sendShop(): Promise<LedgerSummary> {
  const send = makeBatchSender({
    fetch,
    sleep,
    target: stack.apiUrl,
    writeKey: 'local-write-key',
  });
  const startMs = Date.now();
  const items = [...simulate({ seed: 6, rate: 30, events: 750, startMs, badRate: 0.02 })];
  const ledger = Ledger.of(items);
  const waves = new Map<number, WireMessage[]>();
  for (const item of items) {
    const wave = Math.max(0, Math.floor((item.atMs - startMs) / 2_000));
    waves.set(wave, [...(waves.get(wave) ?? []), item.message]);
  }
  for (const [wave, messages] of [...waves].sort(([a], [b]) => a - b)) {
    await sleep(startMs + wave * 2_000 - Date.now());
    for (let i = 0; i < messages.length; i += 100) await send(messages.slice(i, i + 100));
  }
  return ledger.summary();
}

async function figure(sql: string): Promise<Record<string, string>> {
  const { rows } = await db.query<Record<string, string>>(sql);
  return rows[0] ?? {};
}

async function waitForWarehouse(valid: number, invalid: number): Promise<void> {
  const deadline = Date.now() + 50_000;
  let last: Record<string, string> = {};
  while (Date.now() < deadline) {
    last = await figure(
      `SELECT (SELECT count(*) FROM events) AS events,
         (SELECT count(*) FROM bad_events) AS bad_events,
         (SELECT COALESCE(sum(events), 0) FROM metrics) AS window_events,
         (SELECT COALESCE(sum(rejected_events), 0) FROM metrics) AS window_rejected`,
    ).catch(() => ({}));
    const want = {
      events: valid,
      bad_events: invalid,
      window_events: valid,
      window_rejected: invalid,
    };
    if (Object.entries(want).every(([name, n]) => Number(last[name]) === n)) return;
    await sleep(500);
  }
  throw new Error(
    `the warehouse did not catch up: ${JSON.stringify(last)} (want ${valid} valid, ${invalid} invalid); the stack said:\n${stack.output().slice(-3_000)}`,
  );
}

const tile = (page: Page, id: string) =>
  page
    .locator(`[data-testid="${id}"]`)
    .evaluate(
      (el: { dataset: Record<string, string | undefined>; textContent: string | null }) => ({
        value: el.dataset.value ?? '',
        currency: el.dataset.currency ?? '',
        text: el.textContent ?? '',
      }),
    );

const toCents = (amount: string) => Number(BigInt(amount.replace('.', '')) / 10_000n);

describe('the dashboard in a browser', () => {
  test('without a key the page says to add ?key=', async () => {
    const page = await browser.newPage();
    const response = await page.goto(`${stack.apiUrl}/dashboard`);
    expect(response?.status()).toBe(401);
    expect(await page.textContent('body')).toContain('/dashboard?key=<read key>');
    await page.close();
  });

  test('shows exactly the warehouse figures, with every chart drawn', async () => {
    const send = makeBatchSender({
      fetch,
      sleep,
      target: stack.apiUrl,
      writeKey: 'local-write-key',
    });
    const known = await send([...KNOWN_VALID, KNOWN_BAD]);
    expect(known).toMatchObject({ accepted: KNOWN_VALID.length, rejected: 1 });
    const shop = await sendShop();
    const valid = shop.accepted + KNOWN_VALID.length;
    const invalid = shop.invalid + 1;
    await waitForWarehouse(valid, invalid);

    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const problems: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (error) => problems.push(String(error)));
    await page.goto(`${stack.apiUrl}/dashboard?key=local-read-key`);
    await page.waitForFunction(
      () => (globalThis as unknown as PageDom).document.body.dataset.state === 'ready',
      null,
      {
        timeout: 15_000,
      },
    );

    // The warehouse, read here with SQL of the test's own.
    const counts = await figure(
      `SELECT sum(events) AS events, sum(rejected_events) AS bad, sum(orders) AS orders,
         sum(views) AS views, sum(add_to_carts) AS adds, sum(checkouts) AS checkouts,
         count(*) AS windows
       FROM metrics_minute`,
    );
    const revenue = (
      await db.query<{ currency: string; amount: string }>(
        `SELECT currency, sum(revenue)::text AS amount FROM revenue_minute
         GROUP BY currency ORDER BY sum(revenue) DESC, currency`,
      )
    ).rows;
    const users = await figure(
      'SELECT count(DISTINCT COALESCE(anonymous_id, user_id)) AS n FROM events',
    );
    const top = (
      await db.query<{ product_id: string; purchases: string }>(
        `SELECT product_id, sum(purchases) AS purchases FROM product_metrics_minute
         GROUP BY product_id ORDER BY sum(purchases) DESC, sum(views) DESC, product_id LIMIT 10`,
      )
    ).rows;

    // ... equals what was sent ...
    expect(Number(counts.events)).toBe(valid);
    expect(Number(counts.bad)).toBe(invalid);
    expect(Number(counts.orders)).toBe(shop.orders + 1);
    const usd = revenue.find((r) => r.currency === 'USD');
    expect(toCents(usd?.amount ?? '0')).toBe((shop.revenue.USD?.cents ?? 0) + 24_000);

    // ... and the page shows it.
    expect(await tile(page, 'orders')).toMatchObject({ value: counts.orders });
    expect(await tile(page, 'events')).toMatchObject({ value: counts.events });
    expect(await tile(page, 'bad-events')).toMatchObject({ value: counts.bad });
    expect(await tile(page, 'active-users')).toMatchObject({ value: users.n });
    const main = revenue[0];
    expect(await tile(page, 'revenue')).toMatchObject({
      value: main?.amount,
      currency: main?.currency,
    });
    const shown = await tile(page, 'revenue');
    expect(shown.text.replace(/[^\d.]/g, '')).toBe(Number(main?.amount).toFixed(2));
    expect(await tile(page, 'conversion')).toMatchObject({
      value: String(Number(counts.orders) / Number(counts.views)),
    });
    expect(
      await page
        .locator('#funnel-rows td[data-value]')
        .evaluateAll((cells) =>
          cells.map((c) => (c as unknown as { dataset: { value: string } }).dataset.value),
        ),
    ).toEqual([counts.views, counts.adds, counts.checkouts, counts.orders]);
    expect(
      await page.locator('#product-rows tr').evaluateAll((rows) =>
        rows.map((r) => {
          const row = r as unknown as {
            dataset: { productId: string };
            children: { dataset: { value?: string } }[];
          };
          return { product_id: row.dataset.productId, purchases: row.children[4]?.dataset.value };
        }),
      ),
    ).toEqual(top);

    // Every chart is a Chart.js instance with the windows' data.
    const charts = await page.evaluate(() => {
      const { document, Chart } = globalThis as unknown as PageDom;
      return Array.from(document.querySelectorAll('canvas'), (canvas) => {
        const chart = Chart.getChart(canvas);
        return {
          id: canvas.id,
          labels: chart?.data.labels.length,
          datasets: chart?.data.datasets.length ?? 0,
          width: canvas.width,
        };
      });
    });
    expect(charts.map((c) => c.id)).toEqual([
      'chart-revenue',
      'chart-events',
      'chart-funnel',
      'chart-users',
    ]);
    for (const chart of charts) {
      expect(chart.datasets).toBeGreaterThan(0);
      expect(chart.width).toBeGreaterThan(100);
      expect(chart.labels).toBe(chart.id === 'chart-funnel' ? 4 : Number(counts.windows));
    }
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.waitForTimeout(1_000); // past the charts' first animation (300 ms)
    await page.screenshot({ path: SCREENSHOT, fullPage: true });

    // Live: one more order lands in the warehouse, and the open page shows it by itself.
    const refreshes = Number(await page.getAttribute('body', 'data-refreshes'));
    await send([
      {
        type: 'track',
        event: 'Order Completed',
        anonymousId: 'known-3',
        messageId: 'known-order-2',
        properties: { order_id: 'known-o-2', revenue: 10, currency: 'USD' },
      },
    ]);
    await waitForWarehouse(valid + 1, invalid);
    const orders = (await figure('SELECT sum(orders) AS n FROM metrics_minute')).n;
    expect(Number(orders)).toBe(shop.orders + 2);
    await page.waitForFunction(
      (n) =>
        (globalThis as unknown as PageDom).document.body.querySelector('#orders')?.dataset.value ===
        n,
      orders,
      { timeout: 15_000 },
    );
    expect(Number(await page.getAttribute('body', 'data-refreshes'))).toBeGreaterThan(refreshes);
    expect(problems).toEqual([]); // no script errors, no CSP refusals
    await page.close();
  }, 120_000); // ~55 s on an idle machine: ~25 s of traffic, ~10-15 s for each last window to land
});
