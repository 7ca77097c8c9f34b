import type { ClickstreamEvent } from '../../../shared/event-contract/clickstream-event.ts';
import type { MetricsRow, ProductMetricsRow } from '../../../shared/analytics/metric-rows.ts';
import { fromRejectedEvent, toEventRow } from '../../../shared/transform/flatten.ts';
import { toNdjson, type Row } from '../../../shared/transform/event-rows.ts';
import type { S3Object } from '../../../shared/load/load-object.ts';
import type { ObjectKind } from '../../../shared/load/parse-object.ts';

/** Event rows made by the real transform, so the loader is tested on what Firehose writes. */
export function eventRow(id: string, at: string, overrides: Partial<ClickstreamEvent> = {}): Row {
  return toEventRow({
    messageId: id,
    type: 'track',
    event: 'Product Viewed',
    anonymousId: 'a-1',
    properties: { product_id: 'p-7', name: 'Yoga Mat', price: 19.99, quantity: 1 },
    context: { ip: '203.0.113.220', userAgent: 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0)' },
    timestamp: at,
    receivedAt: at,
    ...overrides,
  });
}

export function badRow(id: string): Row {
  return fromRejectedEvent({
    type: 'rejected',
    messageId: id,
    receivedAt: '2026-11-25T10:00:00.000Z',
    reasons: ['properties.price must be a number'],
    anonymousId: 'a-1',
    payload: { type: 'track', event: 'Product Viewed', properties: { price: 'x' } },
  });
}

export function object(key: string, kind: ObjectKind, body: string): S3Object {
  return { key, kind, body: async () => Buffer.from(body) };
}

export const eventsObject = (key: string, rows: Row[]) => object(key, 'events', toNdjson(rows));

export function metricsRow(
  window: string,
  shard: string,
  part: number,
  figures: Partial<MetricsRow> = {},
): MetricsRow {
  return {
    windowStart: window,
    windowEnd: new Date(Date.parse(window) + 60_000).toISOString(),
    shardId: shard,
    part,
    events: 10,
    rejectedEvents: 1,
    duplicatesDropped: 0,
    eventsByType: { track: 10 },
    eventsByName: { 'Product Viewed': 6, 'Order Completed': 1 },
    eventsByPlatform: { web: 10 },
    viewsByPlatform: {},
    ordersByPlatform: { web: 1 },
    productViews: 6,
    cartAdds: 3,
    cartRemoves: 0,
    checkoutsStarted: 2,
    orders: 1,
    revenueByCurrency: { USD: '19.990000' },
    refunds: 0,
    refundAmountByCurrency: {},
    activeUsers: 4,
    activeUsersExact: true,
    ...figures,
  };
}

export function productRow(
  window: string,
  shard: string,
  part: number,
  productId: string,
  figures: Partial<ProductMetricsRow> = {},
): ProductMetricsRow {
  return {
    windowStart: window,
    windowEnd: new Date(Date.parse(window) + 60_000).toISOString(),
    shardId: shard,
    part,
    productId,
    views: 5,
    adds: 2,
    removes: 0,
    purchases: 1,
    revenueByCurrency: { USD: '19.990000' },
    ...figures,
  };
}

export const ndjson = (rows: readonly unknown[]) =>
  rows.map((r) => `${JSON.stringify(r)}\n`).join('');
