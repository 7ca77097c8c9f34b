import { SEGMENT_LIMITS } from '../event-contract/limits.ts';
import { MESSAGE_TYPES, type MessageType } from '../event-contract/segment-schema.ts';

/** The ingest routes: the Segment HTTP Tracking API plus a plain /events for hand-written clients. */
export type IngestRoute =
  | { kind: 'batch'; path: string; maxBodyBytes: number }
  | { kind: 'single'; path: string; type: MessageType; maxBodyBytes: number }
  | { kind: 'events'; path: string; maxBodyBytes: number };

const single = (type: MessageType): IngestRoute => ({
  kind: 'single',
  path: `/v1/${type}`,
  type,
  maxBodyBytes: SEGMENT_LIMITS.maxEventBytes,
});
const batch = (path: string): IngestRoute => ({
  kind: 'batch',
  path,
  maxBodyBytes: SEGMENT_LIMITS.maxBatchBytes,
});

const ROUTES: Record<string, IngestRoute> = {
  '/v1/batch': batch('/v1/batch'),
  /**
   * Segment's historical import: the batch call under its older name (Segment's docs: "import
   * historical data by adding the timestamp argument to any of your method calls"). Same body
   * and limits as /v1/batch; a past `timestamp` is kept as it is (event-time.ts only moves
   * times in the future), however old.
   */
  '/v1/import': batch('/v1/import'),
  '/events': { kind: 'events', path: '/events', maxBodyBytes: SEGMENT_LIMITS.maxBatchBytes },
};
for (const type of MESSAGE_TYPES) ROUTES[`/v1/${type}`] = single(type);

/**
 * The paths browser SDKs post to, unchanged: analytics.js (@segment/analytics-next) sends
 * each call to `<apiHost>/<first letter of its type>` (t, p, s, i, g, a) and a batch to
 * `/b`, with apiHost `api.segment.io/v1` (its src/plugins/segmentio/index.ts and
 * batched-dispatcher.ts);
 * RudderStack's JavaScript SDK sends its sendBeacon batches to `/beacon/v1/batch?writeKey=…`
 * (its BeaconQueue plugin), since a beacon can carry no Authorization header.
 */
const ALIASES: Record<string, string> = {
  '/v1/b': '/v1/batch',
  '/v1/t': '/v1/track',
  '/v1/p': '/v1/page',
  '/v1/s': '/v1/screen',
  '/v1/i': '/v1/identify',
  '/v1/g': '/v1/group',
  '/v1/a': '/v1/alias',
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
