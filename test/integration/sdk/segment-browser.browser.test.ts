import type { Page } from 'playwright-core';
import { harnessPerFile, waitForRecords, WRITE_KEY } from '../../support/browser-sdk-harness.ts';

/**
 * @segment/analytics-next (analytics.js 2.0), its published UMD bundle unchanged, in headless
 * Chromium: settings given inline (cdnSettings), so nothing is fetched from Segment's CDN, and
 * apiHost pointed at the HTTP API front (serverless.yml's routes and CORS), the real ingest
 * handler and kinesalite. analytics.js posts each call to `<apiHost>/<t|p|i>` and a batch to
 * `/b` as text/plain JSON with the write key as the Basic user — the Authorization header
 * makes the browser send a CORS preflight first, which API Gateway answers itself. On page
 * unload its batching dispatcher sends what it holds with `fetch(…, { keepalive: true })`
 * (its batched-dispatcher.ts, on `pagehide`); it never uses navigator.sendBeacon.
 */
const sdk = harnessPerFile({
  'analytics-next.js': '@segment/analytics-next/dist/umd/index.js',
});

/** The shop's page: analytics.js loaded from the site, settings inline, the API on loopback. */
function shopPage(deliveryStrategy: object): string {
  const settings = {
    writeKey: WRITE_KEY,
    cdnSettings: {
      integrations: { 'Segment.io': { apiKey: WRITE_KEY } },
      metrics: { sampleRate: 0 }, // no /m telemetry
    },
  };
  const options = {
    integrations: {
      'Segment.io': {
        apiHost: `${sdk.current.apiUrl.replace('http://', '')}/v1`,
        protocol: 'http',
        deliveryStrategy,
      },
    },
  };
  return `<!doctype html><html><head><title>Outdoor Shop</title>
<script src="/sdk/analytics-next.js"></script></head><body><h1>Tents</h1><script>
window.analytics = AnalyticsNext.AnalyticsBrowser.load(${JSON.stringify(settings)}, ${JSON.stringify(options)});
</script></body></html>`;
}

interface Sent {
  messageIds: string[];
  anonymousId: string;
}

/** page, track and identify through the SDK's public API; their messageIds as the SDK made them. */
function sendCalls(page: Page, prefix: string): Promise<Sent> {
  return page.evaluate(async (prefix) => {
    type Ctx = { event: { messageId: string; anonymousId: string } };
    type Call = (...args: unknown[]) => Promise<Ctx>;
    const { analytics } = globalThis as unknown as {
      analytics: { page: Call; track: Call; identify: Call };
    };
    const contexts = [
      await analytics.page('Shop', `${prefix} Home`, { path: '/' }),
      await analytics.track('Product Viewed', {
        product_id: `${prefix}-tent`,
        price: 129.5,
        currency: 'EUR',
      }),
      await analytics.identify(`${prefix}-user`, { plan: 'pro', email: `${prefix}@example.com` }),
    ];
    return {
      messageIds: contexts.map((c) => c.event.messageId),
      anonymousId: contexts[0]?.event.anonymousId ?? '',
    };
  }, prefix);
}

async function landedOnce(sent: Sent) {
  const ids = new Set(sent.messageIds);
  const records = await waitForRecords(
    sdk.current,
    (r) => ids.has(String(r.json.messageId)),
    ids.size,
  );
  expect(records.map((r) => r.json.messageId).sort()).toEqual([...ids].sort());
  const ofType = (type: string) => records.find((r) => r.json.type === type)?.json;
  return { page: ofType('page'), track: ofType('track'), identify: ofType('identify') };
}

test('page, track and identify each land once on the stream with their fields; the preflight is answered as API Gateway does', async () => {
  const context = await sdk.current.newContext();
  const page = await context.newPage();
  sdk.current.setPage(shopPage({ strategy: 'standard', config: {} }));
  await page.goto(sdk.current.siteUrl);
  const sent = await sendCalls(page, 'std');
  const { page: pageCall, track, identify } = await landedOnce(sent);

  expect(pageCall).toMatchObject({
    type: 'page',
    name: 'std Home',
    category: 'Shop',
    anonymousId: sent.anonymousId,
    properties: { path: '/' },
    context: {
      library: { name: 'analytics.js' },
      page: { url: `${sdk.current.siteUrl}/`, title: 'Outdoor Shop' },
    },
  });
  expect(track).toMatchObject({
    type: 'track',
    event: 'Product Viewed',
    anonymousId: sent.anonymousId,
    properties: { product_id: 'std-tent', price: 129.5, currency: 'EUR' },
  });
  expect(identify).toMatchObject({
    type: 'identify',
    userId: 'std-user',
    anonymousId: sent.anonymousId,
    traits: { plan: 'pro', email: 'std@example.com' },
  });
  expect(typeof track?.receivedAt).toBe('string');

  // How it got there: a preflight for the Authorization header, then text/plain POSTs.
  const preflights = sdk.current.seen.filter((r) => r.method === 'OPTIONS' && r.path === '/v1/t');
  expect(preflights[0]).toMatchObject({
    statusCode: 204,
    headers: { 'access-control-request-headers': expect.stringMatching(/authorization/) },
  });
  for (const path of ['/v1/p', '/v1/t', '/v1/i']) {
    const post = sdk.current.seen.find((r) => r.method === 'POST' && r.path === path);
    expect(post).toMatchObject({ statusCode: 200, headers: { 'content-type': 'text/plain' } });
  }
  expect(sdk.current.offSite).toEqual([]);
  await context.close();
}, 60_000);

test('on page unload the batching dispatcher delivers what it holds (fetch keepalive, text/plain, /v1/b), each event once', async () => {
  const context = await sdk.current.newContext();
  const page = await context.newPage();
  // A batch waits for 50 events or a minute: only the unload can send it within this test.
  sdk.current.setPage(shopPage({ strategy: 'batching', config: { size: 50, timeout: 60_000 } }));
  await page.goto(sdk.current.siteUrl);
  const sent = await sendCalls(page, 'unload');
  expect(sdk.current.seen.filter((r) => r.method === 'POST' && r.path === '/v1/b')).toEqual([]);

  await page.goto('about:blank'); // pagehide
  const { page: pageCall, track, identify } = await landedOnce(sent);
  expect(pageCall).toMatchObject({ type: 'page', name: 'unload Home' });
  expect(track).toMatchObject({ type: 'track', properties: { product_id: 'unload-tent' } });
  expect(identify).toMatchObject({ type: 'identify', userId: 'unload-user' });
  // The batch's sentAt applies to each event, whose own sentAt the dispatcher removed.
  expect(typeof track?.sentAt).toBe('string');

  const batches = sdk.current.seen.filter((r) => r.method === 'POST' && r.path === '/v1/b');
  expect(batches).toHaveLength(1);
  expect(batches[0]).toMatchObject({ statusCode: 200, headers: { 'content-type': 'text/plain' } });
  expect(sdk.current.offSite).toEqual([]);
  await context.close();
}, 60_000);
