import * as z from 'zod';
import { MAX_EVENT_NAME_LENGTH, MAX_ID_LENGTH, MAX_MESSAGE_ID_LENGTH } from './limits.ts';

/**
 * The Segment HTTP Tracking API message shapes we accept (track, page, identify), as
 * loose objects: unknown fields pass through, known fields must have the documented type.
 */

/** ISO-8601 date-time with a time zone or UTC; no bare dates, no locale strings. */
const ISO_DATE_TIME =
  /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/i;

export const isoDateTime = z
  .string()
  .refine((value) => ISO_DATE_TIME.test(value) && isRealDate(value), {
    error: 'must be an ISO-8601 date-time such as "2026-11-25T10:00:00.000Z"',
  });

/** A calendar date that exists: Date.parse would roll 2026-02-30 over to 2 March. */
function isRealDate(value: string): boolean {
  if (Number.isNaN(Date.parse(value))) return false;
  const [year, month, day] = value.slice(0, 10).split('-').map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

/** anonymousId and userId: strings (numbers kept as their string form), used as partition keys. */
const identifier = z
  .union([z.string().min(1).max(MAX_ID_LENGTH), z.number().finite()])
  .transform((value) => String(value));

const plainObject = z.looseObject({});

export const contextSchema = z.looseObject({
  ip: z.string().max(64).optional(),
  userAgent: z.string().max(2048).optional(),
  locale: z.string().max(64).optional(),
  page: z
    .looseObject({
      url: z.string().max(4096).optional(),
      path: z.string().max(4096).optional(),
      referrer: z.string().max(4096).optional(),
      title: z.string().max(1024).optional(),
      search: z.string().max(4096).optional(),
    })
    .optional(),
});

const envelope = {
  messageId: z.string().min(1).max(MAX_MESSAGE_ID_LENGTH).optional(),
  anonymousId: identifier.optional(),
  userId: identifier.optional(),
  timestamp: isoDateTime.optional(),
  sentAt: isoDateTime.optional(),
  context: contextSchema.optional(),
  integrations: plainObject.optional(),
};

export const trackSchema = z.looseObject({
  ...envelope,
  type: z.literal('track'),
  event: z.string().min(1).max(MAX_EVENT_NAME_LENGTH),
  properties: plainObject.optional(),
});

export const pageSchema = z.looseObject({
  ...envelope,
  type: z.literal('page'),
  name: z.string().max(MAX_EVENT_NAME_LENGTH).optional(),
  category: z.string().max(MAX_EVENT_NAME_LENGTH).optional(),
  properties: plainObject.optional(),
});

export const identifySchema = z.looseObject({
  ...envelope,
  type: z.literal('identify'),
  traits: plainObject.optional(),
});

export const messageSchema = z.discriminatedUnion('type', [
  trackSchema,
  pageSchema,
  identifySchema,
]);

export type SegmentMessage = z.infer<typeof messageSchema>;
export const MESSAGE_TYPES = ['track', 'page', 'identify'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** Batch-level fields that apply to every message in `batch` unless the message has its own. */
export const batchEnvelopeSchema = z.looseObject({
  sentAt: isoDateTime.optional(),
  context: contextSchema.optional(),
  integrations: plainObject.optional(),
  writeKey: z.string().optional(),
});
export type BatchEnvelope = z.infer<typeof batchEnvelopeSchema>;
