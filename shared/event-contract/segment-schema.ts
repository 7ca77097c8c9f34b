import * as z from 'zod';
import { isCanonical, isoDateTime, toZod, type Field, type Spec } from './field-spec.ts';
import { MAX_EVENT_NAME_LENGTH, MAX_MESSAGE_ID_LENGTH } from './limits.ts';

/**
 * The Segment HTTP Tracking API message shapes we accept (all six calls of the Segment Spec:
 * track, page, screen, identify, group, alias), as loose objects: unknown fields pass
 * through, known fields must have the documented type.
 */
export { isoDateTime };

const name: Field = { kind: 'string', max: MAX_EVENT_NAME_LENGTH };
const object: Field = { kind: 'object' };
const long = (max: number): Field => ({ kind: 'string', max });
const short = long(256);
const shape = (fields: Record<string, Field>): Field => ({ kind: 'shape', spec: { fields } });

/**
 * The Spec's context fields (segment.com/docs/connections/spec/common/#context). The mobile
 * ones (app, device, os, network, screen, library, timezone) are what analytics-swift,
 * analytics-kotlin and RudderStack's mobile SDKs fill in; they are typed because the
 * warehouse reads them (platform, app version, device model, OS). Other keys pass through.
 */
const contextSpec: Spec = {
  fields: {
    ip: long(64),
    userAgent: long(2048),
    locale: long(64),
    timezone: long(64),
    page: shape({
      url: long(4096),
      path: long(4096),
      referrer: long(4096),
      title: long(1024),
      search: long(4096),
    }),
    // build is an integer in some SDKs' payloads (a version code): taken and kept as text.
    app: shape({ name: short, version: short, build: { kind: 'id' }, namespace: short }),
    device: shape({
      id: short,
      manufacturer: short,
      model: short,
      name: short,
      type: short,
      advertisingId: short,
    }),
    os: shape({ name: short, version: short }),
    network: shape({
      wifi: { kind: 'boolean' },
      cellular: { kind: 'boolean' },
      bluetooth: { kind: 'boolean' },
      carrier: short,
    }),
    screen: shape({
      width: { kind: 'number' },
      height: { kind: 'number' },
      density: { kind: 'number' },
    }),
    library: shape({ name: short, version: short }),
  },
};

const envelope: Record<string, Field> = {
  messageId: { kind: 'string', min: 1, max: MAX_MESSAGE_ID_LENGTH },
  anonymousId: { kind: 'id' },
  userId: { kind: 'id' },
  timestamp: { kind: 'datetime' },
  sentAt: { kind: 'datetime' },
  context: { kind: 'shape', spec: contextSpec },
  integrations: object,
};

export const MESSAGE_TYPES = ['track', 'page', 'screen', 'identify', 'group', 'alias'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

export const MESSAGE_SPECS: Record<MessageType, Spec> = {
  track: {
    fields: {
      ...envelope,
      type: { kind: 'literal', value: 'track' },
      event: { kind: 'string', min: 1, max: MAX_EVENT_NAME_LENGTH },
      properties: object,
    },
    required: ['type', 'event'],
  },
  page: {
    fields: {
      ...envelope,
      type: { kind: 'literal', value: 'page' },
      name,
      category: name,
      properties: object,
    },
    required: ['type'],
  },
  /** A mobile app's page view: the Spec's Screen call has the Page call's fields. */
  screen: {
    fields: {
      ...envelope,
      type: { kind: 'literal', value: 'screen' },
      name,
      category: name,
      properties: object,
    },
    required: ['type'],
  },
  identify: {
    fields: { ...envelope, type: { kind: 'literal', value: 'identify' }, traits: object },
    required: ['type'],
  },
  group: {
    fields: {
      ...envelope,
      type: { kind: 'literal', value: 'group' },
      groupId: { kind: 'id' },
      traits: object,
    },
    required: ['type', 'groupId'],
  },
  /** Joins two identities: previousId (an anonymousId or an old userId) becomes userId. */
  alias: {
    fields: { ...envelope, type: { kind: 'literal', value: 'alias' }, previousId: { kind: 'id' } },
    required: ['type', 'previousId', 'userId'],
  },
};

export const contextSchema = toZod(contextSpec);

interface Envelope {
  messageId?: string;
  anonymousId?: string;
  userId?: string;
  timestamp?: string;
  sentAt?: string;
  context?: Record<string, unknown>;
  integrations?: Record<string, unknown>;
}

export type SegmentMessage =
  | (Envelope & { type: 'track'; event: string; properties?: Record<string, unknown> })
  | (Envelope & {
      type: 'page';
      name?: string;
      category?: string;
      properties?: Record<string, unknown>;
    })
  | (Envelope & {
      type: 'screen';
      name?: string;
      category?: string;
      properties?: Record<string, unknown>;
    })
  | (Envelope & { type: 'identify'; traits?: Record<string, unknown> })
  | (Envelope & { type: 'group'; groupId: string; traits?: Record<string, unknown> })
  | (Envelope & { type: 'alias'; previousId: string; userId: string });

export const messageSchema = z.discriminatedUnion('type', [
  toZod(MESSAGE_SPECS.track),
  toZod(MESSAGE_SPECS.page),
  toZod(MESSAGE_SPECS.screen),
  toZod(MESSAGE_SPECS.identify),
  toZod(MESSAGE_SPECS.group),
  toZod(MESSAGE_SPECS.alias),
]) as unknown as z.ZodType<SegmentMessage>;

export function isMessageType(value: unknown): value is MessageType {
  return typeof value === 'string' && Object.hasOwn(MESSAGE_SPECS, value);
}

/** True when `messageSchema` accepts the message and returns it unchanged (the fast path). */
export function isCanonicalMessage(value: unknown): value is SegmentMessage {
  const type = (value as { type?: unknown } | null)?.type;
  if (!isMessageType(type)) return false;
  return isCanonical(value, MESSAGE_SPECS[type]);
}

/** Batch-level fields that apply to every message in `batch` unless the message has its own. */
export const batchEnvelopeSchema = z.looseObject({
  sentAt: isoDateTime.optional(),
  context: contextSchema.optional(),
  integrations: z.looseObject({}).optional(),
  writeKey: z.string().optional(),
});
export type BatchEnvelope = z.infer<typeof batchEnvelopeSchema>;
