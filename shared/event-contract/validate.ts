import { ecommercePropertySchemas, isCanonicalProperties, isEcommerceEvent } from './ecommerce.ts';
import type { ClickstreamEvent } from './clickstream-event.ts';
import { correctedEventTime } from './event-time.ts';
import { parseWithReasons, type Checked } from './parse-with-reasons.ts';
import { describeValue } from './reasons.ts';
import {
  isCanonicalMessage,
  isMessageType,
  MESSAGE_TYPES,
  messageSchema,
  type BatchEnvelope,
  type MessageType,
  type SegmentMessage,
} from './segment-schema.ts';

/** What the server knows about the request an event came in. */
export interface ReceiptContext {
  receivedAtMs: number;
  /** receivedAtMs as ISO-8601, when the caller has it already (one per request, not per event). */
  receivedAt?: string;
  sourceIp?: string;
  /** Batch-level sentAt/context, applied where the message has none of its own. */
  batch?: BatchEnvelope;
}

export type Validation =
  { ok: true; event: ClickstreamEvent } | { ok: false; messageId: string; reasons: string[] };

const TYPE_LIST = MESSAGE_TYPES.map((type) => JSON.stringify(type)).join(', ');

/**
 * Validates one message and normalises it for the stream. `forcedType` is the type a
 * single-message route implies (/v1/track is always a track); batches carry their own.
 */
export function validateMessage(
  raw: unknown,
  receipt: ReceiptContext,
  newMessageId: () => string,
  forcedType?: MessageType,
): Validation {
  const messageId = clientMessageId(raw) ?? newMessageId();
  const reject = (reasons: string[]): Validation => ({ ok: false, messageId, reasons });

  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return reject([`each event must be a JSON object (got ${describeValue(raw)})`]);
  }
  const candidate = withoutBlankIds(forcedType ? { ...raw, type: forcedType } : raw);
  const type = (candidate as { type?: unknown }).type;
  if (type === undefined) return reject([`type is required: one of ${TYPE_LIST}`]);
  if (!isMessageType(type)) {
    return reject([`type ${JSON.stringify(type)} is not supported: send one of ${TYPE_LIST}`]);
  }

  // Canonical input (nearly all traffic) skips zod; anything else is decided and explained by it.
  let message: SegmentMessage;
  if (isCanonicalMessage(candidate)) message = candidate;
  else {
    const parsed = parseWithReasons(messageSchema, candidate);
    if (!parsed.ok) return reject(parsed.reasons);
    message = parsed.data;
  }
  if (message.anonymousId === undefined && message.userId === undefined) {
    return reject(['anonymousId or userId is required']);
  }

  const properties = checkedProperties(message);
  if (!properties.ok) return reject(properties.reasons);
  return { ok: true, event: normalise(message, properties.data, messageId, receipt) };
}

/**
 * Browser SDKs send an id they do not have yet as a blank: analytics.js `"userId": null`,
 * RudderStack's JavaScript SDK `"userId": ""`, for a visitor not yet identified (both APIs
 * read it as no userId). A null or empty id is an absent one.
 */
const blank = (id: unknown) => id === null || id === '';

function withoutBlankIds(message: object): object {
  const { userId, anonymousId } = message as { userId?: unknown; anonymousId?: unknown };
  if (!blank(userId) && !blank(anonymousId)) return message;
  const copy: Record<string, unknown> = { ...message };
  if (blank(userId)) delete copy.userId;
  if (blank(anonymousId)) delete copy.anonymousId;
  return copy;
}

/**
 * A message's properties, checked against the E-commerce Spec when its event is one of the
 * spec's (and normalised: ids as strings, currency upper case); others pass as they are.
 */
export function checkedProperties(
  message: SegmentMessage,
): Checked<Record<string, unknown> | undefined> {
  const properties =
    message.type === 'track' || message.type === 'page' || message.type === 'screen'
      ? message.properties
      : undefined;
  if (message.type !== 'track' || !isEcommerceEvent(message.event))
    return { ok: true, data: properties };
  const name = message.event;
  if (isCanonicalProperties(name, properties ?? {})) return { ok: true, data: properties };
  const checked = parseWithReasons(ecommercePropertySchemas[name], properties ?? {}, 'properties');
  return checked.ok ? { ok: true, data: checked.data as Record<string, unknown> } : checked;
}

function clientMessageId(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const id = (raw as { messageId?: unknown }).messageId;
  return typeof id === 'string' && id.length > 0 && id.length <= 128 ? id : undefined;
}

function normalise(
  message: SegmentMessage,
  properties: Record<string, unknown> | undefined,
  messageId: string,
  receipt: ReceiptContext,
): ClickstreamEvent {
  // The message is this request's own parse of the body, so its context object can be
  // completed in place; a batch context is merged into a new object, the message's winning.
  const context: Record<string, unknown> = receipt.batch?.context
    ? { ...receipt.batch.context, ...message.context }
    : (message.context ?? {});
  if (context.ip === undefined && receipt.sourceIp) context.ip = receipt.sourceIp;
  const sentAt = message.sentAt ?? receipt.batch?.sentAt;
  const eventTime = correctedEventTime(receipt.receivedAtMs, message.timestamp, sentAt);

  const event: ClickstreamEvent = {
    messageId,
    type: message.type,
    context,
    timestamp: new Date(eventTime).toISOString(),
    receivedAt: receipt.receivedAt ?? new Date(receipt.receivedAtMs).toISOString(),
  };
  copyTypeFields(message, event);
  if (properties) event.properties = properties;
  if (message.anonymousId !== undefined) event.anonymousId = message.anonymousId;
  if (message.userId !== undefined) event.userId = message.userId;
  if (message.timestamp !== undefined) event.originalTimestamp = message.timestamp;
  if (sentAt !== undefined) event.sentAt = sentAt;
  return event;
}

/** The fields each call of the Spec has beyond the common ones. */
function copyTypeFields(message: SegmentMessage, event: ClickstreamEvent): void {
  switch (message.type) {
    case 'track':
      event.event = message.event;
      return;
    case 'page':
    case 'screen':
      if (message.name !== undefined) event.name = message.name;
      if (message.category !== undefined) event.category = message.category;
      return;
    case 'group':
      event.groupId = message.groupId;
      if (message.traits) event.traits = message.traits;
      return;
    case 'identify':
      if (message.traits) event.traits = message.traits;
      return;
    case 'alias':
      event.previousId = message.previousId;
      return;
  }
}
