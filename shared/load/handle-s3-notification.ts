import { objectsOf, type S3Notification } from './s3-notification.ts';
import type { LoadResult, ObjectLoader } from './load-object.ts';
import type { ObjectReader } from '../adapters/s3/s3-object-reader.ts';

export interface LoadNotificationDeps {
  /** The loader for objects of `bucket` (Redshift's COPY names the bucket it reads from). */
  loaderFor(bucket: string): ObjectLoader;
  /** The object's bytes; read only by a loader that stages rows itself, and only when needed. */
  read: ObjectReader;
  /** Told of every key the notification names that is not ours to load. */
  onIgnored?: (key: string) => void;
  /** Told of every object loaded or skipped (already in). */
  onLoaded?: (result: LoadResult) => void;
}

/**
 * The load function's use case: each object an S3 notification names goes into the
 * warehouse exactly once, one after another. A failure throws, so Lambda's asynchronous
 * retries and its on-failure destination keep the object key.
 */
export async function handleS3Notification(
  event: S3Notification,
  deps: LoadNotificationDeps,
): Promise<{ loaded: LoadResult[] }> {
  const { objects, ignored } = objectsOf(event);
  for (const key of ignored) deps.onIgnored?.(key);
  const loaded: LoadResult[] = [];
  for (const object of objects) {
    const result = await deps.loaderFor(object.bucket).load({
      key: object.key,
      kind: object.kind,
      body: () => deps.read(object.bucket, object.key),
    });
    deps.onLoaded?.(result);
    loaded.push(result);
  }
  return { loaded };
}
