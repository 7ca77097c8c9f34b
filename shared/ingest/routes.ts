import { SEGMENT_LIMITS } from '../event-contract/limits.ts';
import type { MessageType } from '../event-contract/segment-schema.ts';

/** The ingest routes: the Segment HTTP Tracking API plus a plain /events for hand-written clients. */
export type IngestRoute =
  | { kind: 'batch'; path: '/v1/batch'; maxBodyBytes: number }
  | { kind: 'single'; path: string; type: MessageType; maxBodyBytes: number }
  | { kind: 'events'; path: '/events'; maxBodyBytes: number };

const ROUTES: Record<string, IngestRoute> = {
  '/v1/batch': { kind: 'batch', path: '/v1/batch', maxBodyBytes: SEGMENT_LIMITS.maxBatchBytes },
  '/v1/track': {
    kind: 'single',
    path: '/v1/track',
    type: 'track',
    maxBodyBytes: SEGMENT_LIMITS.maxEventBytes,
  },
  '/v1/page': {
    kind: 'single',
    path: '/v1/page',
    type: 'page',
    maxBodyBytes: SEGMENT_LIMITS.maxEventBytes,
  },
  '/v1/identify': {
    kind: 'single',
    path: '/v1/identify',
    type: 'identify',
    maxBodyBytes: SEGMENT_LIMITS.maxEventBytes,
  },
  '/events': { kind: 'events', path: '/events', maxBodyBytes: SEGMENT_LIMITS.maxBatchBytes },
};

export const INGEST_PATHS = Object.keys(ROUTES);

export function findRoute(path: string): IngestRoute | undefined {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return ROUTES[trimmed];
}
