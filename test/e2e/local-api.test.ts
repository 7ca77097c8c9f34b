import { gzipSync } from 'node:zlib';
import { Analytics } from '@segment/analytics-node';
import RudderAnalytics from '@rudderstack/rudder-sdk-node';
import pg from 'pg';
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { localClientConfig } from '../../offline/local-client-config.ts';
import { readAllRecords } from '../support/kinesis.ts';
import { isListening } from '../support/net.ts';
import { startOfflineStack, type OfflineStack } from '../support/offline-stack.ts';

const PORTS = { httpPort: 3310, lambdaPort: 3312, kinesisPort: 4617, otherPortsFrom: 4618 };
/** Every port the stack listens on: API, Lambda, Kinesis, Firehose, S3, SQS, warehouse. */
const ALL_PORTS = [3310, 3312, 4617, 4618, 4619, 4620, 4621];
const WAREHOUSE = 'postgres://postgres@127.0.0.1:4621/analytics';
const basic = `Basic ${Buffer.from('local-write-key:').toString('base64')}`;

let stack: OfflineStack;
let kinesis: KinesisClient;

beforeAll(async () => {
  stack = await startOfflineStack(PORTS);
  kinesis = new KinesisClient(localClientConfig('us-east-1', stack.kinesisEndpoint));
}, 120_000);

afterAll(async () => {
  kinesis?.destroy();
  await stack?.stop();
});

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const response = await fetch(`${stack.apiUrl}${path}`, {
    method: 'POST',
    headers: { authorization: basic, 'content-type': 'application/json', ...headers },
    body,
  });
  return {
    status: response.status,
    headers: response.headers,
    json: (await response.json()) as Record<string, unknown>,
  };
}

/** The access log lines of the local API (method, path, status, ms). */
const accessLines = () =>
  stack
    .output()
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => /^(GET|POST|PUT|PATCH|DELETE|OPTIONS|HEAD) \/\S* \d{3} \d+ ms /.test(line));

const recordsWith = async (predicate: (json: Record<string, unknown>) => boolean) =>
  (await readAllRecords(kinesis, stack.streamName)).filter((r) => predicate(r.json));

describe('npm start: the local API in front of the Kinesis emulator', () => {
  test('the README example answers 200 and the record is on the local stream', async () => {
    const answer = await post(
      '/v1/track',
      JSON.stringify({
        type: 'track',
        event: 'Product Viewed',
        anonymousId: 'readme-a1',
        properties: { product_id: 'p1', price: 9.5 },
      }),
    );
    expect(answer).toMatchObject({ status: 200, json: { success: true } });
    const records = await recordsWith((json) => json.anonymousId === 'readme-a1');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      partitionKey: 'readme-a1',
      json: {
        event: 'Product Viewed',
        properties: { product_id: 'p1', price: 9.5 },
        context: { ip: '127.0.0.1' },
      },
    });
  });

  test('the Segment Node SDK (@segment/analytics-node, host option) delivers a batch unchanged', async () => {
    const analytics = new Analytics({
      writeKey: 'local-write-key',
      host: stack.apiUrl,
      flushAt: 5,
      maxRetries: 0,
    });
    const errors: unknown[] = [];
    analytics.on('error', (error) => errors.push(error));
    const sent: Array<{ messageId: string; event: string; properties: Record<string, unknown> }> =
      [];
    analytics.on('track', (ctx) => sent.push(ctx as never));
    const products = [
      { product_id: 'sku-1', name: 'Trail Shoe', price: 89.9, quantity: 1, category: 'Shoes' },
      { product_id: 'sku-2', name: 'Socks', price: 7.5, quantity: 3, category: 'Accessories' },
    ];
    analytics.track({ anonymousId: 'sdk-user', event: 'Product Viewed', properties: products[0] });
    analytics.track({ anonymousId: 'sdk-user', event: 'Product Added', properties: products[1] });
    analytics.track({
      anonymousId: 'sdk-user',
      userId: 'u-77',
      event: 'Order Completed',
      properties: { order_id: 'o-1', total: 112.4, revenue: 112.4, currency: 'eur', products },
    });
    analytics.page({
      anonymousId: 'sdk-user',
      name: 'Checkout',
      properties: { url: 'https://shop.example/checkout' },
    });
    analytics.identify({ userId: 'u-77', traits: { email: 'shopper@example.com' } });
    await analytics.closeAndFlush({ timeout: 10_000 });
    expect(errors).toEqual([]);

    const records = await recordsWith(
      (json) => json.anonymousId === 'sdk-user' || json.userId === 'u-77',
    );
    expect(records).toHaveLength(5);
    const order = records.find((r) => r.json.event === 'Order Completed');
    expect(order?.json).toMatchObject({
      type: 'track',
      userId: 'u-77',
      properties: { order_id: 'o-1', total: 112.4, currency: 'EUR', products },
      context: { library: { name: '@segment/analytics-node' } },
    });
    expect(records.map((r) => r.json.type).sort()).toEqual([
      'identify',
      'page',
      'track',
      'track',
      'track',
    ]);
    expect(new Set(records.map((r) => r.json.messageId)).size).toBe(5);
    for (const r of records) expect(String(r.json.messageId)).toMatch(/^node-next-/);
  });

  test('@rudderstack/rudder-sdk-node with its default gzip delivers 1,000 events, each in the warehouse exactly once', async () => {
    const analytics = new RudderAnalytics('local-write-key', {
      dataPlaneUrl: stack.apiUrl,
      flushAt: 100,
      flushInterval: 200,
      logLevel: 'error',
    });
    const sent: string[] = [];
    for (let i = 0; i < 1_000; i += 1) {
      const messageId = `rudder-e2e-${i}`;
      sent.push(messageId);
      analytics.track({
        anonymousId: `rudder-e2e-user-${i % 37}`,
        event: 'Product Viewed',
        properties: { product_id: `p-${i % 11}`, price: 12.5 },
        messageId,
      } as never);
    }
    // flush() sends one batch of flushAt; the rest follow on the SDK's timer or the next call.
    const queued = analytics as unknown as { queue: unknown[] };
    while (queued.queue.length > 0) await analytics.flush();
    await analytics.flush();

    const db = new pg.Pool({ connectionString: WAREHOUSE, max: 1 });
    db.on('error', () => undefined);
    try {
      const landed = async () =>
        (
          await db.query<{ id: string; copies: string }>(
            "SELECT event_id AS id, count(*) AS copies FROM events WHERE event_id LIKE 'rudder-e2e-%' GROUP BY event_id",
          )
        ).rows;
      const deadline = Date.now() + 60_000;
      let rows = await landed().catch(() => []);
      while (rows.length < sent.length && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 1_000));
        rows = await landed().catch(() => []);
      }
      expect(rows.map((r) => r.id).sort()).toEqual([...sent].sort());
      expect(rows.every((r) => r.copies === '1')).toBe(true);
    } finally {
      await db.end();
    }
    // Every batch was a gzip body (the SDK's default) the API answered 200, none refused.
    const batches = accessLines().filter((line) => line.startsWith('POST /v1/batch '));
    expect(batches.length).toBeGreaterThanOrEqual(10); // 1,000 events at flushAt 100
    expect(batches.filter((line) => !line.startsWith('POST /v1/batch 200 '))).toEqual([]);
  }, 120_000);

  test('a corrupt gzip body is a 400 that says so; an unknown encoding a 415', async () => {
    const corrupt = await fetch(`${stack.apiUrl}/v1/track`, {
      method: 'POST',
      headers: {
        authorization: basic,
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
      body: gzipSync('{"type":"track"}').subarray(0, 12),
    });
    expect(corrupt.status).toBe(400);
    expect(await corrupt.text()).toMatch(/not valid gzip data/);
    const unknown = await fetch(`${stack.apiUrl}/v1/track`, {
      method: 'POST',
      headers: {
        authorization: basic,
        'content-type': 'application/json',
        'content-encoding': 'br',
      },
      body: Buffer.from('{}'),
    });
    expect(unknown.status).toBe(415);
  });

  test('CORS preflight from a browser SDK is answered', async () => {
    const response = await fetch(`${stack.apiUrl}/v1/batch`, {
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(response.status).toBeLessThan(300);
    expect(response.headers.get('access-control-allow-origin')).toMatch(
      /\*|https:\/\/shop\.example/,
    );
  });

  test('a browser SDK may send JSON as text/plain with the write key in the body', async () => {
    const body = JSON.stringify({
      writeKey: 'local-write-key',
      batch: [{ type: 'page', anonymousId: 'plain-1', name: 'Home' }],
    });
    const answer = await post('/v1/batch', body, {
      authorization: '',
      'content-type': 'text/plain',
      origin: 'https://shop.example',
    });
    expect(answer).toMatchObject({ status: 200, json: { success: true } });
    expect(answer.headers.get('access-control-allow-origin')).toMatch(/\*|https:\/\/shop\.example/);
  });

  test.each([
    ['no write key', 401, '/v1/track', '{"event":"x","anonymousId":"a"}', { authorization: '' }],
    [
      'a wrong write key',
      401,
      '/v1/track',
      '{"event":"x","anonymousId":"a"}',
      { authorization: `Basic ${btoa('nope:')}` },
    ],
    [
      'a form body',
      415,
      '/v1/track',
      'event=x',
      { 'content-type': 'application/x-www-form-urlencoded' },
    ],
    ['malformed JSON', 400, '/v1/batch', '{"batch": [', {}],
    [
      'a batch over 500 KB',
      413,
      '/v1/batch',
      JSON.stringify({ batch: [{ pad: 'x'.repeat(520_000) }] }),
      {},
    ],
    [
      'an event over 32 KB on /v1/track',
      413,
      '/v1/track',
      JSON.stringify({ event: 'x', pad: 'y'.repeat(40_000) }),
      {},
    ],
  ])(
    '%s is refused with HTTP %i and a clear JSON error',
    async (_name, status, path, body, headers) => {
      const answer = await post(path, body, headers as Record<string, string>);
      expect(answer.status).toBe(status);
      expect(answer.json.success).toBe(false);
      expect(String(answer.json.error).length).toBeGreaterThan(10);
    },
  );

  test('Ctrl-C stops the API, the Lambda endpoint and every stand-in, leaving no port listening', async () => {
    await stack.stop();
    for (const port of ALL_PORTS) expect(await isListening(port)).toBe(false);
  });
});
