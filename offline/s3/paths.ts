import { createHash } from 'node:crypto';
import { join, resolve, sep } from 'node:path';

/**
 * Where a bucket's objects live on disk. An object is stored at `<stateDir>/<bucket>/<key>` so a
 * person can open it with any tool; only the path segments a file system cannot hold as names
 * (``, `.`, `..`) and `%` itself are escaped, which also makes path traversal impossible: no
 * escaped segment can name a parent directory. Metadata sits in a flat sidecar folder keyed by a
 * hash of the key, so no key (`a`, `a.json`, `a/b`) can ever collide with another's sidecar.
 * Bucket names cannot start with a dot, so the dot-folders never clash with a bucket.
 */
export const META_DIR = '.s3-meta';
export const TMP_DIR = '.s3-tmp';
export const FAILED_NOTIFICATIONS_DIR = '.failed-notifications';
/** The server's own asynchronous event queue, when the stack does not pass one. */
export const ASYNC_QUEUE_DIR = '.async-invoke';

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const IPV4_LIKE = /^\d+\.\d+\.\d+\.\d+$/;
const MAX_KEY_BYTES = 1024;

/** The S3 naming rules (general purpose buckets); a bad name can never become a path. */
export function isValidBucketName(name: string): boolean {
  return (
    BUCKET_NAME.test(name) &&
    !name.includes('..') &&
    !name.includes('.-') &&
    !name.includes('-.') &&
    !IPV4_LIKE.test(name)
  );
}

export function isValidKey(key: string): boolean {
  const bytes = Buffer.byteLength(key, 'utf8');
  // NUL cannot be part of a file name on any file system we run on.
  return bytes >= 1 && bytes <= MAX_KEY_BYTES && !key.includes('\0');
}

export function escapeSegment(segment: string): string {
  const escaped = segment.replace(/%/g, '%25');
  if (escaped === '') return '%';
  if (escaped === '.') return '%2E';
  if (escaped === '..') return '%2E%2E';
  return escaped;
}

export function unescapeSegment(segment: string): string {
  if (segment === '%') return '';
  return segment.replace(/%(25|2E)/g, (_, code: string) => (code === '25' ? '%' : '.'));
}

export class PathTraversalError extends Error {
  constructor(key: string) {
    super(`key ${JSON.stringify(key)} would leave its bucket folder`);
    this.name = 'PathTraversalError';
  }
}

export function bucketDir(stateDir: string, bucket: string): string {
  if (!isValidBucketName(bucket)) throw new PathTraversalError(bucket);
  return resolve(stateDir, bucket);
}

/** The data file of a key; checked to stay inside the bucket folder even though escaping already ensures it. */
export function objectPath(stateDir: string, bucket: string, key: string): string {
  const root = bucketDir(stateDir, bucket);
  const path = join(root, ...key.split('/').map(escapeSegment));
  if (!path.startsWith(root + sep)) throw new PathTraversalError(key);
  return path;
}

export function metaPath(stateDir: string, bucket: string, key: string): string {
  const hash = createHash('sha256').update(key, 'utf8').digest('hex');
  if (!isValidBucketName(bucket)) throw new PathTraversalError(bucket);
  return join(resolve(stateDir), META_DIR, bucket, `${hash}.json`);
}

/** The key of a file found under the bucket folder (its path relative to that folder). */
export function keyOfRelativePath(relative: string): string {
  return relative.split(sep).map(unescapeSegment).join('/');
}
