import { BadRequestError } from '../runtime/errors.ts';
import { parseWithReasons } from '../event-contract/parse-with-reasons.ts';
import { describeValue } from '../event-contract/reasons.ts';
import {
  batchEnvelopeSchema,
  type BatchEnvelope,
  type MessageType,
} from '../event-contract/segment-schema.ts';
import type { IngestRoute } from './routes.ts';

export interface RequestMessages {
  messages: unknown[];
  batch?: BatchEnvelope;
  /** The type the route implies for every message, if any. */
  forcedType?: MessageType;
  /** /events: a message with no `type` is a track. */
  defaultType?: MessageType;
}

/** Pulls the messages out of a parsed body, in the shape each route documents. */
export function messagesOf(route: IngestRoute, body: unknown): RequestMessages {
  switch (route.kind) {
    case 'single':
      if (!isPlainObject(body))
        throw new BadRequestError(
          `${route.path} takes one JSON object (got ${describeValue(body)})`,
        );
      return { messages: [body], forcedType: route.type };
    case 'events': {
      const messages = Array.isArray(body) ? body : [body];
      if (messages.length === 0) throw new BadRequestError('the array of events is empty');
      return { messages, defaultType: 'track' };
    }
    case 'batch': {
      if (!isPlainObject(body) || !Array.isArray((body as { batch?: unknown }).batch)) {
        throw new BadRequestError(`${route.path} takes {"batch": [ ...events ]}`);
      }
      const parsed = parseWithReasons(batchEnvelopeSchema, body);
      if (!parsed.ok) throw new BadRequestError(parsed.reasons.join('; '));
      const messages = (body as { batch: unknown[] }).batch;
      if (messages.length === 0)
        throw new BadRequestError('batch is empty: send at least one event');
      return { messages, batch: parsed.data };
    }
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
