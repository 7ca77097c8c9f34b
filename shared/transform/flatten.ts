import type { ClickstreamEvent, RejectedEvent } from '../event-contract/clickstream-event.ts';
import { isPlainUtcMillis, parseTimestamp } from '../event-contract/event-time.ts';
import { isPlainObject } from '../event-contract/field-spec.ts';
import { SEGMENT_LIMITS } from '../event-contract/limits.ts';
import { platformOf } from '../event-contract/platform.ts';
import { amountColumn } from './decimal.ts';
import { anonymiseIp, parseUserAgent } from './enrich.ts';
import type { BadEventRow, EventRow } from './event-rows.ts';

/** One event, one row: the warehouse's grain is the event, keyed by its messageId. */
export function toEventRow(event: ClickstreamEvent): EventRow {
  const props = event.properties ?? {};
  // Product and order columns come from a track's properties. A page's properties hold the
  // page's own url/title/name, which must not pass for a product's.
  const product = event.type === 'track' ? props : {};
  const page = isPlainObject(event.context.page) ? event.context.page : {};
  const pageProps = event.type === 'page' ? props : {};
  const userAgent = text(event.context.userAgent);
  const agent = parseUserAgent(userAgent ?? undefined);
  const ip = anonymiseIp(event.context.ip);
  const quantity = product.quantity;
  const { app, device, os } = event.context;

  return {
    row_kind: 'event',
    event_id: event.messageId,
    event_type: event.type,
    event_name: event.type === 'track' ? (event.event ?? null) : (event.name ?? null),
    anonymous_id: event.anonymousId ?? null,
    user_id: event.userId ?? null,
    event_time: isoUtc(event.timestamp) ?? event.receivedAt,
    received_at: isoUtc(event.receivedAt) ?? event.receivedAt,
    sent_at: isoUtc(event.sentAt),
    product_id: id(product.product_id),
    sku: text(product.sku),
    category: event.type === 'track' ? text(product.category) : (event.category ?? null),
    product_name: text(product.name),
    brand: text(product.brand),
    variant: text(product.variant),
    price: amountColumn(product.price),
    quantity: typeof quantity === 'number' && Number.isSafeInteger(quantity) ? quantity : null,
    order_id: id(product.order_id),
    revenue: amountColumn(product.revenue),
    total: amountColumn(product.total),
    currency: text(product.currency),
    url: text(pageProps.url) ?? text(page.url),
    path: text(pageProps.path) ?? text(page.path),
    referrer: text(pageProps.referrer) ?? text(page.referrer),
    page_title: text(pageProps.title) ?? text(page.title),
    browser: agent.browser,
    browser_version: agent.browser_version,
    os: textAt(os, 'name') ?? agent.os,
    os_version: textAt(os, 'version') ?? agent.os_version,
    device_type: textAt(device, 'type') ?? agent.device_type,
    ip_anonymised: ip,
    user_agent: userAgent,
    properties: event.properties ?? null,
    traits: event.traits ?? null,
    context: withAnonymisedIp(event.context, ip),
    platform: platformOf(event.context),
    screen_name: event.type === 'screen' ? (event.name ?? null) : null,
    app_version: textAt(app, 'version'),
    device_model: textAt(device, 'model'),
    group_id: event.groupId ?? null,
    previous_id: event.previousId ?? null,
  };
}

function textAt(value: unknown, key: string): string | null {
  return isPlainObject(value) ? text(value[key]) : null;
}

/** A bad row from the ingest API, made safe to store. */
export function fromRejectedEvent(rejected: RejectedEvent): BadEventRow {
  return {
    row_kind: 'bad_event',
    event_id: rejected.messageId,
    source: 'ingest',
    anonymous_id: rejected.anonymousId ?? null,
    received_at: isoUtc(rejected.receivedAt) ?? rejected.receivedAt,
    reasons: rejected.reasons,
    payload: scrubPayload(rejected.payload),
    payload_truncated: rejected.payloadTruncated === true,
  };
}

export interface InvalidEvent {
  eventId: string;
  reasons: string[];
  /** The parsed JSON when the bytes were JSON, else the bytes as text. */
  payload: unknown;
  anonymousId?: string;
  receivedAt: string;
}

/** An event this transform refused, kept beside the good events of the same record. */
export function fromInvalidEvent(invalid: InvalidEvent): BadEventRow {
  let payload = scrubPayload(invalid.payload);
  let truncated = false;
  const json = typeof payload === 'string' ? payload : safeStringify(payload);
  // Same bound as the ingest's bad rows: what was sent, up to 32 KB, is enough to diagnose.
  if (json === undefined || json.length > SEGMENT_LIMITS.maxEventBytes) {
    payload = (json ?? '').slice(0, SEGMENT_LIMITS.maxEventBytes);
    truncated = true;
  }
  return {
    row_kind: 'bad_event',
    event_id: invalid.eventId,
    source: 'transform',
    anonymous_id: invalid.anonymousId ?? null,
    received_at: invalid.receivedAt,
    reasons: invalid.reasons,
    payload,
    payload_truncated: truncated,
  };
}

function withAnonymisedIp(
  context: Record<string, unknown>,
  anonymised: string | null = anonymiseIp(context.ip),
): Record<string, unknown> {
  if (!('ip' in context)) return context;
  // The context without its ip, then the anonymised ip last: as `{ ...rest, ip }` would,
  // without the rest-destructuring. "__proto__" must be defined, not assigned, to stay a key.
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(context)) {
    if (key === 'ip') continue;
    if (key === '__proto__') {
      Object.defineProperty(out, key, {
        value: context[key],
        writable: true,
        enumerable: true,
        configurable: true,
      });
    } else out[key] = context[key];
  }
  if (anonymised !== null) out.ip = anonymised;
  return out;
}

// A JSON "ip" member inside text that cannot be parsed (a truncated payload): best effort,
// because a raw client address must not reach bad_events either.
const IP_MEMBER = /("ip"\s*:\s*)"((?:[^"\\]|\\.)*)"/g;

/** Bad payloads are stored too, so the client's IP in them is anonymised like any other. */
function scrubPayload(payload: unknown): unknown {
  if (typeof payload === 'string') {
    return payload.replace(IP_MEMBER, (_all, prefix: string, ip: string) => {
      const anonymised = anonymiseIp(ip);
      return `${prefix}${anonymised === null ? 'null' : JSON.stringify(anonymised)}`;
    });
  }
  if (!isPlainObject(payload) || !isPlainObject(payload.context)) return payload;
  return { ...payload, context: withAnonymisedIp(payload.context) };
}

function safeStringify(value: unknown): string | undefined {
  try {
    return JSON.stringify(value);
  } catch {
    return undefined; // nesting deeper than the stack allows
  }
}

function text(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** Ids are strings in the spec; a number a shop sends is kept as its string form. */
function id(value: unknown): string | null {
  if (typeof value === 'string') return value;
  return typeof value === 'number' && Number.isFinite(value) ? String(value) : null;
}

/** One spelling of time in the warehouse: ISO-8601 in UTC with milliseconds. */
export function isoUtc(value: string | undefined): string | null {
  if (value === undefined) return null;
  if (isCanonicalUtc(value)) return value;
  const ms = parseTimestamp(value);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

// Already the one spelling (hours 00-23, no leap second): the time is its own ISO text
// when the date exists. Date.parse would roll 2026-02-30 over to 2 March, so that is checked.
const CANONICAL_UTC =
  /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])T([01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isCanonicalUtc(value: string): boolean {
  if (isPlainUtcMillis(value)) return true;
  if (value.length !== 24 || !CANONICAL_UTC.test(value)) return false;
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  if (day <= 28) return true;
  if (month !== 2) return day <= (DAYS_IN_MONTH[month - 1] ?? 0);
  return day === 29 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
}
