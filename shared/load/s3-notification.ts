import type { ObjectKind } from './parse-object.ts';

export interface ObjectRef {
  bucket: string;
  key: string;
  kind: ObjectKind;
}

/** The part of an S3 ObjectCreated notification the loader reads. */
export interface S3Notification {
  Records?: Array<{ s3?: { bucket?: { name?: string }; object?: { key?: string } } }>;
}

/** Which kind of rows an object holds follows from where Firehose delivers it. */
const PREFIXES: ReadonlyArray<[string, ObjectKind]> = [
  ['processing-failed/', 'processing-failed'],
  ['events/', 'events'],
  ['metrics/', 'metrics'],
];

export function kindOfKey(key: string): ObjectKind | undefined {
  return PREFIXES.find(([prefix]) => key.startsWith(prefix))?.[1];
}

/**
 * The objects an S3 notification names. S3 URL-encodes keys in events, with spaces as '+';
 * objects under prefixes the loader does not know are skipped (and said so by the caller).
 */
export function objectsOf(event: S3Notification): { objects: ObjectRef[]; ignored: string[] } {
  const objects: ObjectRef[] = [];
  const ignored: string[] = [];
  for (const record of event.Records ?? []) {
    const bucket = record.s3?.bucket?.name;
    const encoded = record.s3?.object?.key;
    if (!bucket || encoded === undefined) continue;
    const key = decodeURIComponent(encoded.replace(/\+/g, ' '));
    const kind = kindOfKey(key);
    if (kind) objects.push({ bucket, key, kind });
    else ignored.push(key);
  }
  return { objects, ignored };
}
