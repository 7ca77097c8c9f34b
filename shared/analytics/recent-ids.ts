/**
 * The dedup memory: the newest messageIds that fit both bounds, oldest first. A resend
 * that arrives after more than `maxIds` newer ids (or `maxBytes` of them) is counted
 * again; the warehouse, which merges on messageId, stays exact regardless.
 */
export function keepRecent(ids: string[], maxIds: number, maxBytes: number): string[] {
  let bytes = 2; // the brackets of the JSON array
  let start = ids.length;
  while (start > 0 && ids.length - start < maxIds) {
    const cost = idBytes(ids[start - 1] ?? '') + 1; // and a comma
    if (bytes + cost > maxBytes) break;
    bytes += cost;
    start -= 1;
  }
  const kept = start === 0 ? ids : ids.slice(start);
  // One comma fewer than ids: the JSON size of what is kept, which the state's size check
  // would otherwise measure again by serialising the largest part of the state.
  measured.set(kept, { length: kept.length, bytes: kept.length === 0 ? 2 : bytes - 1 });
  return kept;
}

/** JSON sizes keepRecent has counted, by the array it returned (states are not mutated). */
const measured = new WeakMap<readonly string[], { length: number; bytes: number }>();

/** UTF-8 bytes of the ids' JSON: counted by keepRecent when it made the array, else measured. */
export function recentIdsJsonBytes(ids: readonly string[]): number {
  const known = measured.get(ids);
  // The length guards against an array that was pushed to after it was counted.
  return known !== undefined && known.length === ids.length ? known.bytes : jsonBytes(ids);
}

/** UTF-8 bytes of a value's JSON (as window-state.ts counts the state). */
function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/** Printable ASCII without " or \ is written as it is; this runs for every remembered id. */
const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/** Bytes of the id as a JSON string, quotes included. */
function idBytes(id: string): number {
  return PLAIN_ASCII.test(id) ? id.length + 2 : jsonBytes(id);
}

/**
 * The dedup key of a record. Rejected records get their own namespace: a client that sent
 * a bad event and then its corrected version under the same messageId sent two things.
 */
export function dedupKey(record: { type: string; messageId?: unknown }): string | undefined {
  const id = record.messageId;
  if (typeof id !== 'string' || id.length === 0) return undefined;
  return record.type === 'rejected' ? `rejected:${id}` : id;
}
