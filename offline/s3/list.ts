/**
 * ListObjectsV2 over a sorted key list, as S3 pages it: keys after StartAfter and after the
 * continuation point, filtered by Prefix; with a Delimiter, every key whose rest (after the
 * prefix) holds the delimiter rolls up into one CommonPrefix, whatever its depth. MaxKeys
 * counts keys and common prefixes together. The continuation token is opaque to clients: here
 * it carries the last item returned, so the next page starts right after it (after every key
 * under it when it was a common prefix).
 */
export interface ListRequest {
  prefix: string;
  delimiter: string;
  maxKeys: number;
  startAfter: string;
  continuationToken?: string;
}

export interface ListPage {
  keys: string[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextContinuationToken?: string;
}

export class InvalidContinuationTokenError extends Error {
  constructor() {
    super('The continuation token provided is incorrect');
    this.name = 'InvalidContinuationTokenError';
  }
}

export const MAX_KEYS = 1000;

interface Resume {
  last: string;
  /** The last item was a common prefix: skip every key under it. */
  isPrefix: boolean;
}

export function encodeToken(resume: Resume): string {
  return Buffer.from(JSON.stringify(resume), 'utf8').toString('base64');
}

export function decodeToken(token: string): Resume {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as Partial<Resume>;
    if (typeof parsed.last === 'string' && typeof parsed.isPrefix === 'boolean')
      return { last: parsed.last, isPrefix: parsed.isPrefix };
  } catch {
    // answered below
  }
  throw new InvalidContinuationTokenError();
}

const after = (a: string, b: string): boolean => Buffer.compare(Buffer.from(a), Buffer.from(b)) > 0;

export function listPage(sortedKeys: readonly string[], request: ListRequest): ListPage {
  const resume = request.continuationToken ? decodeToken(request.continuationToken) : undefined;
  const resumeAfter = resume?.last;
  const resumedPrefix = resume?.isPrefix ? resume.last : undefined;
  const keys: string[] = [];
  const commonPrefixes: string[] = [];
  let last: Resume | undefined;
  for (const key of sortedKeys) {
    if (!key.startsWith(request.prefix)) continue;
    if (request.startAfter !== '' && !after(key, request.startAfter)) continue;
    if (resumeAfter !== undefined && !after(key, resumeAfter)) continue;
    if (resumedPrefix !== undefined && key.startsWith(resumedPrefix)) continue;
    let item = key;
    let isPrefix = false;
    if (request.delimiter !== '') {
      const at = key.indexOf(request.delimiter, request.prefix.length);
      if (at >= 0) {
        item = key.slice(0, at + request.delimiter.length);
        isPrefix = true;
      }
    }
    if (isPrefix && item === commonPrefixes[commonPrefixes.length - 1]) continue;
    if (keys.length + commonPrefixes.length >= request.maxKeys) {
      return {
        keys,
        commonPrefixes,
        isTruncated: last !== undefined,
        ...(last !== undefined ? { nextContinuationToken: encodeToken(last) } : {}),
      };
    }
    if (isPrefix) commonPrefixes.push(item);
    else keys.push(item);
    last = { last: item, isPrefix };
  }
  return { keys, commonPrefixes, isTruncated: false };
}
