import { createHash } from 'node:crypto';
import type { ClickstreamEvent, RejectedEvent } from '../event-contract/clickstream-event.ts';
import { checkedProperties } from '../event-contract/validate.ts';
import { isIsoDateTime, isPlainObject } from '../event-contract/field-spec.ts';
import { MAX_MESSAGE_ID_LENGTH } from '../event-contract/limits.ts';
import { parseWithReasons } from '../event-contract/parse-with-reasons.ts';
import {
  isCanonicalMessage,
  messageSchema,
  type SegmentMessage,
} from '../event-contract/segment-schema.ts';
import { isBotUserAgent, isTestTraffic } from './bots.ts';
import { fromInvalidEvent, fromRejectedEvent, isoUtc, toEventRow } from './flatten.ts';
import type { BadEventRow, EventRow } from './event-rows.ts';

/** What one user record (one event on the stream) becomes. */
export type Outcome =
  | { kind: 'event'; row: EventRow }
  | { kind: 'bad_event'; row: BadEventRow }
  | { kind: 'dropped'; why: 'bot' | 'test' }
  | { kind: 'invalid'; reasons: string[]; row: BadEventRow };

// fatal: bytes that are not UTF-8 are a broken record, not text to guess at.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const lenientUtf8 = new TextDecoder('utf-8');

/**
 * Decodes, re-validates and flattens one event. The stream's producer (the ingest API)
 * validated it already; the check is repeated because anything with write access to the
 * stream can put records on it, and the warehouse must hold only what the contract allows.
 * `arrivedAt` (ISO) stands in for receivedAt on an invalid event that has none.
 */
export function classify(bytes: Uint8Array, arrivedAt: string): Outcome {
  let text: string;
  let value: unknown;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return invalid(bytes, ['record data is not UTF-8 text'], lenientUtf8.decode(bytes), arrivedAt);
  }
  try {
    value = JSON.parse(text);
  } catch (error: unknown) {
    const why = error instanceof Error ? error.message : String(error);
    return invalid(bytes, [`record data is not JSON: ${why}`], text, arrivedAt);
  }
  if (!isPlainObject(value)) {
    return invalid(bytes, ['record data must be a JSON object'], value, arrivedAt);
  }
  if (value.type === 'rejected') {
    const reasons = rejectedEventProblems(value);
    if (reasons.length > 0) return invalid(bytes, reasons, value, arrivedAt);
    return { kind: 'bad_event', row: fromRejectedEvent(value as unknown as RejectedEvent) };
  }
  const checked = checkClickstreamEvent(value);
  if (!checked.ok) return invalid(bytes, checked.reasons, value, arrivedAt);
  const event = checked.event;
  const userAgent = event.context.userAgent;
  if (isBotUserAgent(typeof userAgent === 'string' ? userAgent : undefined)) {
    return { kind: 'dropped', why: 'bot' };
  }
  if (isTestTraffic(event)) return { kind: 'dropped', why: 'test' };
  return { kind: 'event', row: toEventRow(event) };
}

type Checked = { ok: true; event: ClickstreamEvent } | { ok: false; reasons: string[] };

/** The shared contract (messageSchema, e-commerce properties) plus what the stream adds. */
export function checkClickstreamEvent(value: Record<string, unknown>): Checked {
  let message: SegmentMessage;
  // A canonical message's timestamp, when present, is a date-time already (messageSchema).
  const canonical = isCanonicalMessage(value);
  if (canonical) message = value;
  else {
    const parsed = parseWithReasons(messageSchema, value);
    if (!parsed.ok) return parsed;
    message = parsed.data;
  }
  const reasons: string[] = [];
  const { messageId, receivedAt, timestamp, context } = value;
  if (typeof messageId !== 'string' || messageId.length === 0)
    reasons.push('messageId is required');
  if (!isDateTime(receivedAt)) reasons.push('receivedAt must be an ISO-8601 date-time');
  if (canonical ? timestamp === undefined : !isDateTime(timestamp))
    reasons.push('timestamp must be an ISO-8601 date-time');
  if (!isPlainObject(context)) reasons.push('context must be an object');
  if (message.anonymousId === undefined && message.userId === undefined) {
    reasons.push('anonymousId or userId is required');
  }
  if (reasons.length > 0) return { ok: false, reasons };

  const checked = checkedProperties(message);
  if (!checked.ok) return checked;
  const properties = checked.data;
  // The checks above stand for the fields the stream adds to a Segment message. The message
  // is only read from here on, so it is copied only when its properties were rewritten.
  const event = (
    properties && properties !== (message as { properties?: unknown }).properties
      ? { ...message, properties }
      : message
  ) as ClickstreamEvent;
  return { ok: true, event };
}

function rejectedEventProblems(value: Record<string, unknown>): string[] {
  const reasons: string[] = [];
  const { messageId, receivedAt, reasons: why } = value;
  if (typeof messageId !== 'string' || messageId.length === 0) {
    reasons.push('rejected event: messageId is required');
  }
  if (!isDateTime(receivedAt))
    reasons.push('rejected event: receivedAt must be an ISO-8601 date-time');
  if (!Array.isArray(why) || !why.every((reason) => typeof reason === 'string')) {
    reasons.push('rejected event: reasons must be a list of strings');
  }
  if (value.anonymousId !== undefined && typeof value.anonymousId !== 'string') {
    reasons.push('rejected event: anonymousId must be a string');
  }
  return reasons;
}

function isDateTime(value: unknown): value is string {
  return typeof value === 'string' && isIsoDateTime(value);
}

function invalid(
  bytes: Uint8Array,
  reasons: string[],
  payload: unknown,
  arrivedAt: string,
): Outcome {
  const fields = isPlainObject(payload) ? payload : {};
  const { messageId, anonymousId, receivedAt } = fields;
  const eventId =
    typeof messageId === 'string' &&
    messageId.length > 0 &&
    messageId.length <= MAX_MESSAGE_ID_LENGTH
      ? messageId
      : `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const row = fromInvalidEvent({
    eventId,
    reasons,
    payload,
    receivedAt: (isDateTime(receivedAt) ? isoUtc(receivedAt) : null) ?? arrivedAt,
    ...(typeof anonymousId === 'string' && anonymousId.length <= 256 ? { anonymousId } : {}),
  });
  return { kind: 'invalid', reasons, row };
}
