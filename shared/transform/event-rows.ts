import type { Platform } from '../event-contract/platform.ts';
import type { MessageType } from '../event-contract/segment-schema.ts';

/**
 * The rows the transform writes: one JSON object per line, newline-terminated. Both kinds
 * share one file because one Kinesis record (KPL-aggregated) can hold good and bad events,
 * and Firehose keeps a record's output together. `row_kind` tells the loader which table a
 * line belongs to: COPY ... FORMAT JSON 'auto' into a staging table with the union of the
 * columns, then MERGE `row_kind = 'event'` into events and `'bad_event'` into bad_events.
 *
 * Types in the file: amounts are decimal strings (see decimal.ts), quantity a JSON integer,
 * times ISO-8601 UTC strings, properties/traits/context/reasons/payload nested JSON (SUPER
 * in Redshift, jsonb in PostgreSQL; COPY stores nested JSON as text in a VARCHAR column).
 * Absent values are null, never missing, so every line has every column of its kind.
 */
export interface EventRow {
  row_kind: 'event';
  /** The messageId: the MERGE key that makes the warehouse exactly-once. */
  event_id: string;
  event_type: MessageType;
  /** track: the event ("Product Viewed"); page, screen: the page's or screen's name; else null. */
  event_name: string | null;
  anonymous_id: string | null;
  user_id: string | null;
  /** When it happened, corrected for the client's clock by the ingest API. */
  event_time: string;
  received_at: string;
  sent_at: string | null;
  product_id: string | null;
  sku: string | null;
  /** track: the product category; page: the page category (Segment uses one word for both). */
  category: string | null;
  product_name: string | null;
  brand: string | null;
  variant: string | null;
  price: string | null;
  quantity: number | null;
  order_id: string | null;
  revenue: string | null;
  total: string | null;
  currency: string | null;
  url: string | null;
  path: string | null;
  referrer: string | null;
  page_title: string | null;
  browser: string | null;
  browser_version: string | null;
  /** context.os (mobile SDKs send it), else parsed from the user agent. */
  os: string | null;
  os_version: string | null;
  /** context.device.type (mobile SDKs), else parsed from the user agent. */
  device_type: string | null;
  ip_anonymised: string | null;
  user_agent: string | null;
  properties: Record<string, unknown> | null;
  traits: Record<string, unknown> | null;
  /** The event's context with `ip` replaced by its anonymised form (removed when invalid). */
  context: Record<string, unknown>;
  /** web / ios / android / server, from the context (event-contract/platform.ts). */
  platform: Platform;
  /** screen: its name (event_name too); else null. */
  screen_name: string | null;
  /** context.app.version and context.device.model: mobile apps send them. */
  app_version: string | null;
  device_model: string | null;
  /** group: the group joined. */
  group_id: string | null;
  /** alias: the earlier identity that becomes user_id. */
  previous_id: string | null;
}

/**
 * A bad event: refused by the ingest API (a `type: "rejected"` stream record, source
 * "ingest") or found invalid here inside a record that also held storable events (source
 * "transform"). A record whose events are all invalid is answered ProcessingFailed instead
 * and reaches bad_events through Firehose's processing-failed/ output.
 */
export interface BadEventRow {
  row_kind: 'bad_event';
  /** The messageId when there is one, else "sha256:<hex of the raw bytes>": stable across redeliveries. */
  event_id: string;
  source: 'ingest' | 'transform';
  anonymous_id: string | null;
  received_at: string;
  reasons: string[];
  /** The event as sent (IP anonymised), or a string when truncated or not JSON. */
  payload: unknown;
  payload_truncated: boolean;
}

export type Row = EventRow | BadEventRow;

/** Added in migration 004_identity (the Spec's screen, group and alias calls). */
const IDENTITY_COLUMNS = [
  'platform',
  'screen_name',
  'app_version',
  'device_model',
  'group_id',
  'previous_id',
] as const;

/** Column order of each kind; the warehouse DDL and the loader's column lists follow these. */
export const EVENT_COLUMNS = [
  'row_kind',
  'event_id',
  'event_type',
  'event_name',
  'anonymous_id',
  'user_id',
  'event_time',
  'received_at',
  'sent_at',
  'product_id',
  'sku',
  'category',
  'product_name',
  'brand',
  'variant',
  'price',
  'quantity',
  'order_id',
  'revenue',
  'total',
  'currency',
  'url',
  'path',
  'referrer',
  'page_title',
  'browser',
  'browser_version',
  'os',
  'os_version',
  'device_type',
  'ip_anonymised',
  'user_agent',
  'properties',
  'traits',
  'context',
  ...IDENTITY_COLUMNS,
] as const satisfies readonly (keyof EventRow)[];

/** The event columns migration 004 added to `events` (001 created the table without them). */
export const EVENT_COLUMNS_SINCE_004: ReadonlySet<string> = new Set(IDENTITY_COLUMNS);

export const BAD_EVENT_COLUMNS = [
  'row_kind',
  'event_id',
  'source',
  'anonymous_id',
  'received_at',
  'reasons',
  'payload',
  'payload_truncated',
] as const satisfies readonly (keyof BadEventRow)[];

/** NDJSON: every line, the last included, ends with "\n" so files concatenate safely. */
export function toNdjson(rows: readonly Row[]): string {
  let out = '';
  for (const row of rows) out += `${JSON.stringify(row)}\n`;
  return out;
}
