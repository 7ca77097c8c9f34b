import type {
  ClickstreamEvent,
  RejectedEvent,
} from '../../../shared/event-contract/clickstream-event.ts';
import type {
  FirehoseInputRecord,
  FirehoseOutputRecord,
  FirehoseTransformationEvent,
} from '../../../shared/transform/firehose-transformation.ts';
import type { Row } from '../../../shared/transform/event-rows.ts';

/** Real user agents, as browsers and crawlers send them. */
export const UA = {
  chromeWindows:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  safariIphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  firefoxLinux: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
  googlebot: 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
  headlessChrome:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36',
} as const;

export const ARRIVAL_MS = Date.parse('2026-11-25T10:00:05.000Z');

/** A "Product Viewed" as the ingest API puts it on the stream. */
export function productViewed(overrides: Partial<ClickstreamEvent> = {}): ClickstreamEvent {
  return {
    messageId: 'm-1',
    type: 'track',
    event: 'Product Viewed',
    anonymousId: 'a-1',
    properties: { product_id: 'p-7', sku: 'SKU-7', name: 'Yoga Mat', price: 19.99, quantity: 1 },
    context: {
      ip: '203.0.113.220',
      userAgent: UA.chromeWindows,
      page: { url: 'https://shop.example.com/p/7', path: '/p/7', title: 'Yoga Mat' },
    },
    timestamp: '2026-11-25T09:59:58.000Z',
    receivedAt: '2026-11-25T10:00:00.000Z',
    ...overrides,
  };
}

export function rejected(overrides: Partial<RejectedEvent> = {}): RejectedEvent {
  return {
    type: 'rejected',
    messageId: 'bad-1',
    receivedAt: '2026-11-25T10:00:00.000Z',
    reasons: ['properties.price must be a number (got string "9.5")'],
    anonymousId: 'a-1',
    payload: { type: 'track', event: 'Product Viewed', properties: { price: '9.5' } },
    ...overrides,
  };
}

export const json = (value: unknown): Uint8Array => Buffer.from(JSON.stringify(value), 'utf8');

export function inputRecord(
  recordId: string,
  data: Uint8Array | string,
  arrivalMs = ARRIVAL_MS,
): FirehoseInputRecord {
  return {
    recordId,
    data: typeof data === 'string' ? data : Buffer.from(data).toString('base64'),
    approximateArrivalTimestamp: arrivalMs,
    kinesisRecordMetadata: { partitionKey: 'a-1', shardId: 'shardId-000000000000' },
  };
}

export function transformationEvent(records: FirehoseInputRecord[]): FirehoseTransformationEvent {
  return {
    invocationId: 'invocation-1',
    deliveryStreamArn: 'arn:aws:firehose:us-east-1:123456789012:deliverystream/events',
    region: 'us-east-1',
    records,
  };
}

/** The NDJSON rows of an output record. */
export function rowsOf(record: FirehoseOutputRecord | undefined): Row[] {
  if (!record) throw new Error('no such output record');
  const text = Buffer.from(record.data, 'base64').toString('utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as Row);
}
