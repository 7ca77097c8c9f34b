import { createHash, timingSafeEqual } from 'node:crypto';
import { UnauthorizedError } from '../runtime/errors.ts';

/**
 * Write keys, as the Segment HTTP API takes them: the HTTP Basic user with an empty
 * password, or `writeKey` in the JSON body; or, for beacons, in the query string as
 * RudderStack's API takes it. Compared in constant time.
 */
export class WriteKeys {
  private readonly digests: Buffer[];
  /**
   * Candidates already checked and found valid, so a client's every request does not hash
   * again. Only valid keys are remembered (a wrong guess always takes the constant-time
   * path), and only a few, as a warm function sees few distinct keys.
   */
  private readonly knownValid = new Set<string>();

  constructor(keys: readonly string[]) {
    this.digests = keys.map(digest);
  }

  isValid(candidate: string): boolean {
    if (this.knownValid.has(candidate)) return true;
    const probe = digest(candidate);
    let found = false;
    for (const key of this.digests) found = timingSafeEqual(key, probe) || found;
    if (found && this.knownValid.size < this.digests.length) this.knownValid.add(candidate);
    return found;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

// A client sends the same header with every request: its key, read once.
let lastHeader: string | undefined;
let lastKey: string | undefined;

/** The write key from an Authorization header, or undefined when the header is absent. */
export function writeKeyFromAuthorization(header: string | undefined): string | undefined {
  if (header !== undefined && header === lastHeader) return lastKey;
  const key = readWriteKey(header);
  lastHeader = header;
  lastKey = key;
  return key;
}

function readWriteKey(header: string | undefined): string | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  const match = /^Basic\s+([A-Za-z0-9+/=_-]*)\s*$/i.exec(header);
  if (!match) {
    throw new UnauthorizedError(
      'Authorization must be HTTP Basic with the write key as the user name',
    );
  }
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? decoded : decoded.slice(0, colon);
}

export function writeKeyFromBody(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const key = (body as { writeKey?: unknown }).writeKey;
  return typeof key === 'string' ? key : undefined;
}

/** `writeKey` in the query string, as sendBeacon requests carry it (they cannot set headers). */
export function writeKeyFromQuery(rawQueryString: string | undefined): string | undefined {
  if (rawQueryString === undefined || !rawQueryString.includes('writeKey=')) return undefined;
  return new URLSearchParams(rawQueryString).get('writeKey') ?? undefined;
}

export function assertWriteKey(keys: WriteKeys, candidate: string | undefined): void {
  if (candidate === undefined || candidate === '') {
    throw new UnauthorizedError(
      'a write key is required: send it as the HTTP Basic user name (empty password) or as "writeKey" in the body',
    );
  }
  if (!keys.isValid(candidate)) throw new UnauthorizedError('the write key is not valid');
}
