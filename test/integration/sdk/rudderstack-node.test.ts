import Analytics from '@rudderstack/rudder-sdk-node';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { makeHandler } from '../../../functions/ingest/handler.ts';
import type { KinesisEmulator } from '../../../offline/kinesis-emulator.ts';
import { WriteKeys } from '../../../shared/ingest/write-keys.ts';
import { kinesisStreamWriter } from '../../../shared/adapters/kinesis/kinesis-stream-writer.ts';
import { startHttpApiFront } from '../../support/http-api-front.ts';
import { readAllRecords, startStream } from '../../support/kinesis.ts';

/**
 * @rudderstack/rudder-sdk-node, unchanged and with its defaults: it gzips every batch
 * (Content-Encoding: gzip) and posts it to <dataPlaneUrl>/v1/batch with the write key as
 * the Basic user. Through the local HTTP API (offline/http-api: base64 for a compressed
 * body, as API Gateway hands it to Lambda), the real ingest handler and the Kinesis emulator.
 */
let emulator: KinesisEmulator;
let streamName: string;
let client: KinesisClient;
let front: Awaited<ReturnType<typeof startHttpApiFront>>;
const statuses: number[] = [];

beforeAll(async () => {
  ({ emulator, streamName } = await startStream(2));
  client = emulator.client;
  const handler = makeHandler({
    writer: kinesisStreamWriter(client, streamName),
    writeKeys: new WriteKeys(['rudder-write-key']),
    retry: { budgetMs: 2_000, baseDelayMs: 10, maxDelayMs: 100 },
  });
  front = await startHttpApiFront({
    ingest: async (event, context) => {
      const result = (await handler(event, context)) as { statusCode: number };
      statuses.push(result.statusCode);
      return result;
    },
  });
});
afterAll(async () => {
  await front?.close();
  await emulator?.close();
});

test('with its default gzip, every track, page and identify of the SDK lands once on the stream', async () => {
  const analytics = new Analytics('rudder-write-key', {
    dataPlaneUrl: front.url,
    flushAt: 20,
    flushInterval: 100,
    logLevel: 'error',
  });
  const sent: string[] = [];
  for (let i = 0; i < 45; i += 1) {
    const messageId = `rudder-${i}`;
    sent.push(messageId);
    if (i % 15 === 0)
      analytics.identify({ userId: `u-${i}`, traits: { plan: 'pro' }, messageId } as never);
    else if (i % 5 === 0)
      analytics.page({ anonymousId: `a-${i}`, name: 'Home', messageId } as never);
    else
      analytics.track({
        anonymousId: `a-${i}`,
        event: 'Product Viewed',
        properties: { product_id: `p-${i}`, price: 12.5 },
        messageId,
      } as never);
  }
  await analytics.flush();
  const records = await readAllRecords(client, streamName);
  const ids = records.map((r) => String(r.json.messageId));
  expect(ids.sort()).toEqual([...sent].sort());
  expect(statuses.length).toBeGreaterThanOrEqual(3); // 45 events at flushAt 20: three batches
  expect(statuses.every((status) => status === 200)).toBe(true);
  const track = records.find((r) => r.json.messageId === 'rudder-1');
  expect(track?.json).toMatchObject({
    type: 'track',
    event: 'Product Viewed',
    properties: { product_id: 'p-1', price: 12.5 },
    context: { library: { name: 'analytics-node' } },
  });
}, 60_000);

test('every call of the Spec (track, page, screen, identify, group, alias) at the default batch size lands once with its fields', async () => {
  statuses.length = 0;
  // Defaults but the interval: flushAt 20, gzip on.
  const analytics = new Analytics('rudder-write-key', {
    dataPlaneUrl: front.url,
    flushInterval: 100,
    logLevel: 'error',
  });
  const sent = new Map<string, string>();
  const call = (i: number) => {
    const messageId = `rudder-all-${i}`;
    const who = { anonymousId: `anon-${i % 7}`, userId: `user-${i % 7}`, messageId };
    switch (i % 6) {
      case 0:
        analytics.track({
          ...who,
          event: 'Order Completed',
          properties: { order_id: `o-${i}`, revenue: 20, currency: 'usd' },
        } as never);
        return sent.set(messageId, 'track');
      case 1:
        analytics.page({
          ...who,
          name: 'Home',
          properties: { url: 'https://shop.example/' },
        } as never);
        return sent.set(messageId, 'page');
      case 2:
        analytics.screen({ ...who, name: 'Cart', properties: { items: 2 } } as never);
        return sent.set(messageId, 'screen');
      case 3:
        analytics.identify({ ...who, traits: { plan: 'pro' } } as never);
        return sent.set(messageId, 'identify');
      case 4:
        analytics.group({ ...who, groupId: `acct-${i % 3}`, traits: { name: 'Initech' } } as never);
        return sent.set(messageId, 'group');
      default:
        analytics.alias({
          previousId: `anon-${i % 7}`,
          userId: `user-${i % 7}`,
          messageId,
        } as never);
        return sent.set(messageId, 'alias');
    }
  };
  for (let i = 0; i < 60; i += 1) call(i);
  await analytics.flush();

  const records = (await readAllRecords(client, streamName)).filter((r) =>
    String(r.json.messageId).startsWith('rudder-all-'),
  );
  expect(records.map((r) => String(r.json.messageId)).sort()).toEqual([...sent.keys()].sort());
  for (const record of records)
    expect(record.json.type).toBe(sent.get(String(record.json.messageId)));
  expect(statuses.length).toBeGreaterThanOrEqual(3); // 60 events at flushAt 20
  expect(statuses.every((status) => status === 200)).toBe(true);
  const byId = (id: number) => records.find((r) => r.json.messageId === `rudder-all-${id}`)?.json;
  expect(byId(0)).toMatchObject({
    event: 'Order Completed',
    properties: { order_id: 'o-0', currency: 'USD' },
  });
  expect(byId(2)).toMatchObject({ name: 'Cart', properties: { items: 2 } });
  expect(byId(4)).toMatchObject({ groupId: 'acct-1', traits: { name: 'Initech' } });
  expect(byId(5)).toMatchObject({ previousId: 'anon-5', userId: 'user-5' });
}, 60_000);
