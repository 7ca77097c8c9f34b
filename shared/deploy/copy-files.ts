import { jsonPathsFor } from '../load/redshift-load-sql.ts';
import type { ObjectKind } from '../load/parse-object.ts';
import type { ObjectWriter } from '../adapters/s3/s3-object-writer.ts';

const KINDS: readonly ObjectKind[] = ['events', 'metrics', 'processing-failed'];

/**
 * The JSONPaths files COPY maps columns with, written where the load function's
 * REDSHIFT_JSONPATHS_PREFIX points (`<prefix><kind>.jsonpaths`): by the stack, so a deploy
 * leaves no upload to do by hand, and rewritten on every update so they follow the code.
 */
export async function writeJsonPathsFiles(
  write: ObjectWriter,
  location: { bucket: string; prefix: string },
): Promise<string[]> {
  const written: string[] = [];
  for (const kind of KINDS) {
    const key = `${location.prefix}${kind}.jsonpaths`;
    await write(location.bucket, key, JSON.stringify(jsonPathsFor(kind)));
    written.push(`s3://${location.bucket}/${key}`);
  }
  return written;
}
