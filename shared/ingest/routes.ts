import { SEGMENT_LIMITS } from '../event-contract/limits.ts';
import type { MessageType } from '../event-contract/segment-schema.ts';

/** The ingest routes: the Segment HTTP Tracking API plus a plain /events for hand-written clients. */
export type IngestRoute =
  | { kind: 'batch'; path: string; maxBodyBytes: number }
  | { kind: 'single'; path: string; type: MessageType; maxBodyBytes: number }
  | { kind: 'events'; path: string; maxBodyBytes: number };

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

/**
 * The paths browser SDKs post to, unchanged: analytics.js (@segment/analytics-next) sends
 * each call to `<apiHost>/<first letter of its type>` and a batch to `/b`, with apiHost
 * `api.segment.io/v1` (its src/plugins/segmentio/index.ts and batched-dispatcher.ts);
 * RudderStack's JavaScript SDK sends its sendBeacon batches to `/beacon/v1/batch?writeKey=…`
 * (its BeaconQueue plugin), since a beacon can carry no Authorization header.
 */
const ALIASES: Record<string, string> = {
  '/v1/b': '/v1/batch',
  '/v1/t': '/v1/track',
  '/v1/p': '/v1/page',
  '/v1/i': '/v1/identify',
  '/beacon/v1/batch': '/v1/batch',
};
for (const [alias, path] of Object.entries(ALIASES)) {
  const route = ROUTES[path];
  if (route) ROUTES[alias] = { ...route, path: alias };
}

export const INGEST_PATHS = Object.keys(ROUTES);

export function findRoute(path: string): IngestRoute | undefined {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return ROUTES[trimmed];
}
