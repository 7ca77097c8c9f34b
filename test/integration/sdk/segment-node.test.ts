import { Analytics } from '@segment/analytics-node';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import { makeHandler } from '../../../functions/ingest/handler.ts';
import type { KinesisEmulator } from '../../../offline/kinesis-emulator.ts';
import { WriteKeys } from '../../../shared/ingest/write-keys.ts';
import { kinesisStreamWriter } from '../../../shared/adapters/kinesis/kinesis-stream-writer.ts';
import { startHttpApiFront, type FrontRequest } from '../../support/http-api-front.ts';
import { readAllRecords, startStream } from '../../support/kinesis.ts';

/**
 * @segment/analytics-node, unchanged and with its defaults (batches of 15 to <host>/v1/batch,
 * the write key as the Basic user), through an HTTP API front, the real ingest handler and
 * the Kinesis emulator: every call of the Spec lands once with its fields.
 */
let emulator: KinesisEmulator;
let streamName: string;
let client: KinesisClient;
let front: Awaited<ReturnType<typeof startHttpApiFront>>;
const requests: FrontRequest[] = [];

beforeAll(async () => {
  ({ emulator, streamName } = await startStream(2));
  client = emulator.client;
  const handler = makeHandler({
    writer: kinesisStreamWriter(client, streamName),
    writeKeys: new WriteKeys(['segment-write-key']),
    retry: { budgetMs: 2_000, baseDelayMs: 10, maxDelayMs: 100 },
  });
  front = await startHttpApiFront({ ingest: handler }, undefined, (seen) => requests.push(seen));
});
afterAll(async () => {
  await front?.close();
  await emulator?.close();
});

test('track, page, screen, identify, group and alias at the default batch size each land once with their fields', async () => {
  const analytics = new Analytics({ writeKey: 'segment-write-key', host: front.url });
  const sent = new Map<string, string>();
  for (let i = 0; i < 45; i += 1) {
    const messageId = `segment-${i}`;
    const who = { anonymousId: `anon-${i % 5}`, messageId };
    const kind = ['track', 'page', 'screen', 'identify', 'group', 'alias'][i % 6] as string;
    sent.set(messageId, kind);
    if (kind === 'track')
      analytics.track({
        ...who,
        event: 'Product Viewed',
        properties: { product_id: `p-${i}`, price: 9.5 },
      });
    else if (kind === 'page')
      analytics.page({ ...who, name: 'Home', category: 'Landing', properties: { path: '/' } });
    else if (kind === 'screen')
      analytics.screen({ ...who, name: 'Cart', properties: { items: 3 } });
    else if (kind === 'identify')
      analytics.identify({ ...who, userId: `user-${i % 5}`, traits: { plan: 'pro' } });
    else if (kind === 'group')
      analytics.group({
        ...who,
        userId: `user-${i % 5}`,
        groupId: 'acct-9',
        traits: { employees: 420 },
      });
    else analytics.alias({ messageId, previousId: `anon-${i % 5}`, userId: `user-${i % 5}` });
  }
  await analytics.closeAndFlush();

  const records = await readAllRecords(client, streamName);
  expect(records.map((r) => String(r.json.messageId)).sort()).toEqual([...sent.keys()].sort());
  for (const record of records)
    expect(record.json.type).toBe(sent.get(String(record.json.messageId)));
  // 45 events in batches of 15 (the SDK's default), each to /v1/batch, each answered 200.
  expect(requests.map((r) => `${r.path} ${r.statusCode}`)).toEqual(Array(3).fill('/v1/batch 200'));
  const byId = (i: number) => records.find((r) => r.json.messageId === `segment-${i}`)?.json;
  expect(byId(0)).toMatchObject({
    event: 'Product Viewed',
    properties: { product_id: 'p-0', price: 9.5 },
    context: { library: { name: '@segment/analytics-node' } },
  });
  expect(byId(1)).toMatchObject({ name: 'Home', category: 'Landing' });
  expect(byId(2)).toMatchObject({ name: 'Cart', properties: { items: 3 } });
  expect(byId(3)).toMatchObject({ userId: 'user-3', traits: { plan: 'pro' } });
  expect(byId(4)).toMatchObject({ groupId: 'acct-9', traits: { employees: 420 } });
  expect(byId(5)).toMatchObject({ previousId: 'anon-0', userId: 'user-0' });
}, 60_000);
