import type { Page } from 'playwright-core';
import { readHttpApiDefinition } from '../../support/http-api-front.ts';
import {
  harnessPerFile,
  startBrowserSdkHarness,
  waitForRecords,
  WRITE_KEY,
} from '../../support/browser-sdk-harness.ts';

/**
 * @rudderstack/analytics-js (v3), its published "modern bundled" UMD build unchanged, in
 * headless Chromium. It loads offline: the bundled build carries its plugins (the default
 * build fetches them from RudderStack's CDN), and the source configuration is given by the
 * `getSourceConfig` load option instead of being fetched from api.rudderstack.com. By default
 * each call is an XHR to `<dataPlaneUrl>/v1/<type>` as application/json with Authorization,
 * AnonymousId and SentAt headers (so the browser sends a preflight those headers must pass);
 * with `useBeacon` its BeaconQueue plugin sends batches with navigator.sendBeacon as a
 * text/plain Blob to `/beacon/v1/batch?writeKey=…`, and flushes on page leave.
 */
const sdk = harnessPerFile({
  'rudder-analytics.js': '@rudderstack/analytics-js/dist/npm/modern/bundled/umd/index.js',
});

function shopPage(loadOptions: object): string {
  const sourceConfig = {
    source: {
      id: 'shop-source',
      name: 'Outdoor Shop',
      workspaceId: 'local',
      enabled: true,
      config: { statsCollection: { errors: { enabled: false }, metrics: { enabled: false } } },
      destinations: [],
    },
  };
  return `<!doctype html><html><head><title>Outdoor Shop</title>
<script src="/sdk/rudder-analytics.js"></script></head><body><h1>Tents</h1><script>
const sourceConfig = ${JSON.stringify(sourceConfig)};
window.rudder = new rudderanalytics.RudderAnalytics();
window.rudder.load(${JSON.stringify(WRITE_KEY)}, ${JSON.stringify(sdk.current.apiUrl)}, {
  ...${JSON.stringify(loadOptions)}, getSourceConfig: () => sourceConfig, logLevel: 'ERROR' });
</script></body></html>`;
}

/** page, track and identify; the visitor's anonymousId. */
function sendCalls(page: Page, prefix: string): Promise<string> {
  return page.evaluate((prefix) => {
    type Call = (...args: unknown[]) => void;
    const { rudder } = globalThis as unknown as {
      rudder: { page: Call; track: Call; identify: Call; getAnonymousId(): string };
    };
    rudder.page('Shop', `${prefix} Home`, { path: '/' });
    rudder.track('Product Viewed', { product_id: `${prefix}-tent`, price: 129.5 });
    rudder.identify(`${prefix}-user`, { plan: 'pro' });
    return rudder.getAnonymousId();
  }, prefix);
}

async function landedOnce(anonymousId: string) {
  const records = await waitForRecords(sdk.current, (r) => r.json.anonymousId === anonymousId, 3);
  expect(records.map((r) => r.json.type).sort()).toEqual(['identify', 'page', 'track']);
  expect(new Set(records.map((r) => r.json.messageId)).size).toBe(3);
  const ofType = (type: string) => records.find((r) => r.json.type === type)?.json;
  return { page: ofType('page'), track: ofType('track'), identify: ofType('identify') };
}

async function openShop(loadOptions: object): Promise<Page> {
  const context = await sdk.current.newContext();
  const page = await context.newPage();
  sdk.current.setPage(shopPage(loadOptions));
  await page.goto(sdk.current.siteUrl);
  await page.waitForFunction(() =>
    Boolean((globalThis as unknown as { rudder?: { getAnonymousId?: unknown } }).rudder),
  );
  return page;
}

test('loaded offline, page, track and identify (XHR) each land once with their fields, past the preflight', async () => {
  const page = await openShop({});
  const anonymousId = await sendCalls(page, 'xhr');
  const { page: pageCall, track, identify } = await landedOnce(anonymousId);
  expect(pageCall).toMatchObject({
    name: 'xhr Home',
    category: 'Shop',
    properties: { path: '/' },
    context: { library: { name: 'RudderLabs JavaScript SDK' } },
  });
  expect(track).toMatchObject({
    event: 'Product Viewed',
    properties: { product_id: 'xhr-tent', price: 129.5 },
  });
  expect(identify).toMatchObject({ userId: 'xhr-user', context: { traits: { plan: 'pro' } } });

  // The preflight asks for the SDK's own headers, which serverless.yml's CORS must allow.
  const preflight = sdk.current.seen.find((r) => r.method === 'OPTIONS' && r.path === '/v1/track');
  expect(preflight?.statusCode).toBe(204);
  for (const header of ['anonymousid', 'authorization', 'content-type', 'sentat'])
    expect(preflight?.headers['access-control-request-headers']).toContain(header);
  const post = sdk.current.seen.find((r) => r.method === 'POST' && r.path === '/v1/track');
  expect(post).toMatchObject({ statusCode: 200 });
  expect(post?.headers['content-type']).toMatch(/^application\/json/);
  expect(sdk.current.offSite).toEqual([]);
  await page.context().close();
}, 60_000);

test('with useBeacon, leaving the page sends the queued events by sendBeacon (text/plain, key in the query), each once', async () => {
  const page = await openShop({ useBeacon: true });
  const anonymousId = await sendCalls(page, 'beacon');
  await page.waitForTimeout(300);
  expect(sdk.current.seen.filter((r) => r.path === '/beacon/v1/batch')).toEqual([]);

  await page.goto('about:blank'); // visibilitychange + pagehide: the beacon queue flushes
  const { page: pageCall, track, identify } = await landedOnce(anonymousId);
  expect(pageCall).toMatchObject({ name: 'beacon Home' });
  expect(track).toMatchObject({ properties: { product_id: 'beacon-tent' } });
  expect(identify).toMatchObject({ userId: 'beacon-user' });

  const beacons = sdk.current.seen.filter((r) => r.path === '/beacon/v1/batch');
  expect(beacons.length).toBeGreaterThanOrEqual(1);
  for (const beacon of beacons) {
    expect(beacon).toMatchObject({
      method: 'POST',
      statusCode: 200,
      query: `writeKey=${WRITE_KEY}`,
    });
    expect(beacon.headers['content-type']).toMatch(/^text\/plain/);
    expect(beacon.headers.authorization).toBeUndefined();
  }
  expect(sdk.current.offSite).toEqual([]);
}, 60_000);

test('behind the CORS headers serverless.yml allowed before (content-type, authorization only), the browser refuses every XHR', async () => {
  const api = readHttpApiDefinition();
  if (!api.cors) throw new Error('serverless.yml configures no provider.httpApi.cors');
  const narrow = await startBrowserSdkHarness(
    { 'rudder-analytics.js': '@rudderstack/analytics-js/dist/npm/modern/bundled/umd/index.js' },
    { ...api, cors: { ...api.cors, allowedHeaders: ['content-type', 'authorization'] } },
  );
  const saved = sdk.current;
  sdk.current = narrow; // shopPage and sendCalls address the harness in use
  try {
    const page = await openShop({});
    const anonymousId = await sendCalls(page, 'narrow');
    await page.waitForTimeout(2_000);
    expect((await narrow.records()).filter((r) => r.json.anonymousId === anonymousId)).toEqual([]);
    expect(narrow.seen.some((r) => r.method === 'OPTIONS' && r.statusCode === 204)).toBe(true);
    expect(narrow.seen.filter((r) => r.method === 'POST')).toEqual([]);
  } finally {
    sdk.current = saved;
    await narrow.close();
  }
}, 60_000);
