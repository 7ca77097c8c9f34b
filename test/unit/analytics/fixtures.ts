import type {
  ClickstreamEvent,
  RejectedEvent,
  StreamRecord,
} from '../../../shared/event-contract/clickstream-event.ts';
import { accumulate } from '../../../shared/analytics/accumulate.ts';
import {
  emitRows,
  type EmittedRows,
  type WindowKey,
} from '../../../shared/analytics/metric-rows.ts';
import { emptyState } from '../../../shared/analytics/window-state.ts';

/** Records for the analytics tests: minimal envelopes, as the ingest API writes them. */

export const WINDOW: WindowKey = {
  windowStart: '2026-11-25T10:00:00.000Z',
  windowEnd: '2026-11-25T10:01:00.000Z',
  shardId: 'shardId-000000000000',
};

const RECEIVED = '2026-11-25T10:00:05.000Z';
let counter = 0;
const nextId = () => `msg-${++counter}`;

interface Envelope {
  messageId?: string;
  anonymousId?: string;
  userId?: string;
}

/** anonymousId "anon-1" unless the envelope says otherwise (pass undefined to leave it out). */
function envelope(type: ClickstreamEvent['type'], options: Envelope): ClickstreamEvent {
  const event: ClickstreamEvent = {
    messageId: options.messageId ?? nextId(),
    type,
    context: {},
    timestamp: RECEIVED,
    receivedAt: RECEIVED,
  };
  const anonymousId = 'anonymousId' in options ? options.anonymousId : 'anon-1';
  if (anonymousId !== undefined) event.anonymousId = anonymousId;
  if (options.userId !== undefined) event.userId = options.userId;
  return event;
}

export function track(
  name: string,
  properties: Record<string, unknown> = {},
  options: Envelope = {},
): ClickstreamEvent {
  return { ...envelope('track', options), event: name, properties };
}

export function page(options: Envelope = {}): ClickstreamEvent {
  return { ...envelope('page', options), name: 'Home', properties: {} };
}

export function identify(options: Envelope = {}): ClickstreamEvent {
  return { ...envelope('identify', options), traits: { plan: 'pro' } };
}

export function rejected(options: Envelope = {}): RejectedEvent {
  const row: RejectedEvent = {
    type: 'rejected',
    messageId: options.messageId ?? nextId(),
    receivedAt: RECEIVED,
    reasons: ['properties.price: must be a number'],
    payload: { event: 'Product Viewed' },
  };
  if (options.anonymousId !== undefined) row.anonymousId = options.anonymousId;
  return row;
}

/** The rows of one window, one part, from these records. */
export function rowsOf(records: StreamRecord[]): EmittedRows {
  return emitRows(accumulate(emptyState(), records), WINDOW);
}

export const metricsOf = (records: StreamRecord[]) => rowsOf(records).metrics;

export function productRow(records: StreamRecord[], productId: string) {
  return rowsOf(records).products.find((row) => row.productId === productId);
}
