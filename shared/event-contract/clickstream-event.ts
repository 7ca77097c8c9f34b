import type { MessageType } from './segment-schema.ts';

/**
 * One record on the clickstream stream: a Segment message, validated and normalised on
 * receipt. `messageId` is the dedup key for everything downstream.
 */
export interface ClickstreamEvent {
  messageId: string;
  type: MessageType;
  /** track: the event name, e.g. "Product Viewed". */
  event?: string;
  /** page, screen: the page's or screen's name. */
  name?: string;
  category?: string;
  anonymousId?: string;
  userId?: string;
  /** group: the account, company or team the user joins. */
  groupId?: string;
  /** alias: the identity (an anonymousId or an earlier userId) that becomes `userId`. */
  previousId?: string;
  properties?: Record<string, unknown>;
  /** identify: the user's traits; group: the group's. */
  traits?: Record<string, unknown>;
  context: Record<string, unknown>;
  /** Event time, corrected for the client's clock skew (ISO-8601, UTC). */
  timestamp: string;
  /** The client's own timestamp, as sent. */
  originalTimestamp?: string;
  sentAt?: string;
  /** When the API received the request (server clock). */
  receivedAt: string;
}

/**
 * A rejected event kept as a bad row on the same stream, marked by `type: "rejected"` so
 * consumers can tell it apart (and filter it out with event source mapping filter criteria).
 */
export interface RejectedEvent {
  type: 'rejected';
  messageId: string;
  receivedAt: string;
  reasons: string[];
  anonymousId?: string;
  /** The event as the client sent it, or a prefix of its JSON when it was too large. */
  payload: unknown;
  payloadTruncated?: boolean;
}

export type StreamRecord = ClickstreamEvent | RejectedEvent;

export function isRejected(record: StreamRecord): record is RejectedEvent {
  return record.type === 'rejected';
}
