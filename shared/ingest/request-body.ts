import { gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import {
  BadRequestError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from '../runtime/errors.ts';

export interface RawBody {
  body: string | undefined;
  isBase64Encoded: boolean;
  contentType: string | undefined;
  /** The Content-Encoding header: gzip and deflate are inflated, identity or none is read as is. */
  contentEncoding?: string | undefined;
}

/** What a client may compress with, as the Segment and RudderStack APIs accept. */
export const ACCEPTED_ENCODINGS = ['gzip', 'deflate'] as const;
type Coding = (typeof ACCEPTED_ENCODINGS)[number];

/**
 * The codings in the order they were applied (Content-Encoding lists them so, RFC 9110
 * 8.4); identity is no coding. An unknown one is a 415 naming those accepted.
 */
function codingsOf(contentEncoding: string | undefined): Coding[] {
  if (contentEncoding === undefined) return [];
  const codings: Coding[] = [];
  for (const part of contentEncoding.split(',')) {
    const coding = part.trim().toLowerCase();
    if (coding === '' || coding === 'identity') continue;
    if (coding === 'gzip' || coding === 'x-gzip') codings.push('gzip');
    else if (coding === 'deflate') codings.push('deflate');
    else
      throw new UnsupportedMediaTypeError(
        `content-encoding ${JSON.stringify(part.trim())} is not supported: send the body uncompressed, or with ${ACCEPTED_ENCODINGS.join(' or ')}`,
      );
  }
  return codings;
}

/**
 * Inflates with a hard cap on what comes out: zlib stops at maxOutputLength, so a
 * decompression bomb costs at most the route's limit in memory and time, never more. The
 * cap is the route's own limit, which applies to the inflated body as to a plain one.
 */
function inflate(compressed: Buffer, codings: readonly Coding[], maxBytes: number): Buffer {
  let bytes = compressed;
  for (const coding of [...codings].reverse()) {
    const options = { maxOutputLength: maxBytes + 1 };
    try {
      bytes = coding === 'gzip' ? gunzipSync(bytes, options) : inflateDeflate(bytes, options);
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE')
        throw inflatedTooLarge(maxBytes);
      const reason = error instanceof Error ? error.message : String(error);
      throw new BadRequestError(
        `request body is not valid ${coding} data (${reason}): it is corrupt or truncated`,
      );
    }
    if (bytes.length > maxBytes) throw inflatedTooLarge(maxBytes);
  }
  return bytes;
}

function inflatedTooLarge(maxBytes: number): PayloadTooLargeError {
  return new PayloadTooLargeError(
    `request body inflates to more than ${describeLimit(maxBytes)}, the most this route takes`,
  );
}

/** HTTP's deflate is the zlib format (RFC 9110 8.4.1.2); some clients send raw deflate. */
function inflateDeflate(bytes: Buffer, options: { maxOutputLength: number }): Buffer {
  // A zlib stream starts with CMF 0x?8 and a header whose 16-bit value is a multiple of 31.
  const first = bytes[0] ?? 0;
  const second = bytes[1] ?? 0;
  const zlibHeader = (first & 0x0f) === 8 && ((first << 8) | second) % 31 === 0;
  return zlibHeader ? inflateSync(bytes, options) : inflateRawSync(bytes, options);
}

/**
 * JSON is accepted as application/json, any application/*+json, and text/plain: browser
 * SDKs send JSON as text/plain so the request needs no CORS preflight. No content type is
 * taken as JSON too, as the Segment API does. A form type is JSON mislabelled when the body
 * is a JSON object: @rudderstack/rudder-sdk-node posts its gzipped JSON batches with axios's
 * default `application/x-www-form-urlencoded`, and RudderStack's own server reads them as
 * JSON; a real form body is still refused.
 */
type BodyKind = 'json' | 'form' | 'other';

function bodyKindOf(contentType: string | undefined): BodyKind {
  // Clients send one content type with every request: decided once, as for the write key.
  if (contentType !== undefined && contentType === lastContentType) return lastKind;
  const kind = decideBodyKind(contentType);
  lastContentType = contentType;
  lastKind = kind;
  return kind;
}

let lastContentType: string | undefined;
let lastKind: BodyKind = 'other';

function decideBodyKind(contentType: string | undefined): BodyKind {
  if (contentType === undefined || contentType.trim() === '') return 'json';
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if (
    mediaType === 'application/json' ||
    mediaType === 'text/plain' ||
    /^application\/[\w.+-]+\+json$/.test(mediaType)
  )
    return 'json';
  return mediaType === 'application/x-www-form-urlencoded' ? 'form' : 'other';
}

function unsupportedContentType(contentType: string | undefined): UnsupportedMediaTypeError {
  return new UnsupportedMediaTypeError(
    `content-type ${JSON.stringify(contentType)} is not supported: send JSON as application/json (or text/plain)`,
  );
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads a request body as JSON, with the errors a client can act on. */
export function readJsonBody(raw: RawBody, maxBytes: number): { value: unknown; bytes: number } {
  const kind = bodyKindOf(raw.contentType);
  if (kind === 'other') throw unsupportedContentType(raw.contentType);
  if (raw.body === undefined || raw.body.length === 0) {
    throw new BadRequestError('request body is empty: send a JSON object');
  }
  let text: string;
  let bytes: number;
  const codings = codingsOf(raw.contentEncoding);
  if (codings.length > 0) {
    // API Gateway hands a compressed body to Lambda base64-encoded; a text body that claims
    // a coding can only have been decoded as text on the way, and fails to inflate (400).
    const compressed = Buffer.from(raw.body, raw.isBase64Encoded ? 'base64' : 'latin1');
    const buffer = inflate(compressed, codings, maxBytes);
    bytes = buffer.length;
    try {
      text = utf8.decode(buffer);
    } catch {
      throw new BadRequestError('request body is not valid UTF-8 once inflated');
    }
  } else if (raw.isBase64Encoded) {
    const buffer = Buffer.from(raw.body, 'base64');
    bytes = buffer.length;
    assertWithinLimit(bytes, maxBytes);
    try {
      text = utf8.decode(buffer);
    } catch {
      throw new BadRequestError('request body is not valid UTF-8');
    }
  } else {
    text = raw.body;
    bytes = Buffer.byteLength(text, 'utf8');
    assertWithinLimit(bytes, maxBytes);
  }
  if (kind === 'form' && !/^\s*\{/.test(text)) throw unsupportedContentType(raw.contentType);
  return { value: parseJson(text), bytes };
}

function describeLimit(maxBytes: number): string {
  return `${maxBytes.toLocaleString('en-US')} bytes${maxBytes % 1024 === 0 ? ` (${maxBytes / 1024} KB)` : ''}`;
}

function assertWithinLimit(bytes: number, maxBytes: number): void {
  if (bytes > maxBytes) {
    throw new PayloadTooLargeError(
      `request body is ${bytes.toLocaleString('en-US')} bytes; this route takes at most ${describeLimit(maxBytes)}`,
    );
  }
}

/** Drops "__proto__" keys, so no parsed object can be given another prototype later. */
function withoutProtoKeys(key: string, value: unknown): unknown {
  return key === '__proto__' ? undefined : value;
}

export function parseJson(text: string): unknown {
  try {
    // The reviver costs a second pass, so it runs only when the text could need it: when it
    // names __proto__, or has \u escapes that could spell it.
    const suspect = text.includes('__proto__') || text.includes('\\u');
    return suspect ? JSON.parse(text, withoutProtoKeys) : JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new BadRequestError(`request body is not valid JSON: ${reason}`);
  }
}
