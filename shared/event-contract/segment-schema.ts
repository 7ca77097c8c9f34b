import * as z from 'zod';
import { isCanonical, isoDateTime, toZod, type Field, type Spec } from './field-spec.ts';
import { MAX_EVENT_NAME_LENGTH, MAX_MESSAGE_ID_LENGTH } from './limits.ts';

/**
 * The Segment HTTP Tracking API message shapes we accept (track, page, identify), as
 * loose objects: unknown fields pass through, known fields must have the documented type.
 */
export { isoDateTime };

const name: Field = { kind: 'string', max: MAX_EVENT_NAME_LENGTH };
const object: Field = { kind: 'object' };
const long = (max: number): Field => ({ kind: 'string', max });

const contextSpec: Spec = {
  fields: {
    ip: long(64),
    userAgent: long(2048),
    locale: long(64),
    page: {
      kind: 'shape',
      spec: {
        fields: {
          url: long(4096),
          path: long(4096),
          referrer: long(4096),
          title: long(1024),
          search: long(4096),
        },
      },
    },
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

export const MESSAGE_TYPES = ['track', 'page', 'identify'] as const;
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
  identify: {
    fields: { ...envelope, type: { kind: 'literal', value: 'identify' }, traits: object },
    required: ['type'],
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
  | (Envelope & { type: 'identify'; traits?: Record<string, unknown> });

export const messageSchema = z.discriminatedUnion('type', [
  toZod(MESSAGE_SPECS.track),
  toZod(MESSAGE_SPECS.page),
  toZod(MESSAGE_SPECS.identify),
]) as unknown as z.ZodType<SegmentMessage>;

/** True when `messageSchema` accepts the message and returns it unchanged (the fast path). */
export function isCanonicalMessage(value: unknown): value is SegmentMessage {
  const type = (value as { type?: unknown } | null)?.type;
  if (type !== 'track' && type !== 'page' && type !== 'identify') return false;
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
