import { createHash } from 'node:crypto';

/**
 * Where replayed data is written. The key is a function of the failed object's key and of
 * the bytes written, so:
 *  - replaying the same failed object again with the same result names the same key: the
 *    replay sees it exists and writes nothing, and even a rewrite would be skipped by the
 *    warehouse's `loads` audit;
 *  - replaying after the transform was fixed (more records Ok now) names a new key, which is
 *    loaded; rows already loaded from the earlier replay are deduplicated on event_id. A key
 *    of the source alone would be skipped by `loads`, and the newly good rows lost silently.
 * Both prefixes are under events/ or metrics/, so the load function's S3 subscriptions fire.
 */
export function replayKey(target: 'events' | 'metrics', sourceKey: string, body: string): string {
  return `${target}/replay/${sha256(sourceKey).slice(0, 32)}-${sha256(body).slice(0, 16)}.ndjson`;
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
