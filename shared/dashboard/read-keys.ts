import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The dashboard's read keys (DASHBOARD_READ_KEYS). A candidate is hashed and compared with
 * every key's hash in constant time, so neither the position of the first wrong character
 * nor the keys' lengths show in the response time, and every key is compared whichever
 * matches.
 */
export class ReadKeys {
  private readonly digests: Buffer[];

  constructor(keys: readonly string[]) {
    if (keys.length === 0) throw new Error('at least one read key is required');
    this.digests = keys.map(digest);
  }

  isValid(candidate: string): boolean {
    const probe = digest(candidate);
    let found = false;
    for (const key of this.digests) found = timingSafeEqual(key, probe) || found;
    return found;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export type KeyLookup = { key: string } | { missing: true } | { malformed: string };

/**
 * The key a request carries: `Authorization: Bearer KEY` (what the page's script sends), else
 * the `key` query parameter (what a person types after the page's address).
 */
export function readKeyOf(
  headers: Record<string, string | undefined>,
  query: Record<string, string | undefined>,
): KeyLookup {
  const authorization = headers.authorization?.trim();
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match?.[1]) return { malformed: 'Authorization must be "Bearer <read key>"' };
    return { key: match[1] };
  }
  const key = query.key?.trim();
  return key ? { key } : { missing: true };
}
