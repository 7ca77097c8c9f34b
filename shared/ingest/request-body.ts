import {
  BadRequestError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
} from '../runtime/errors.ts';

export interface RawBody {
  body: string | undefined;
  isBase64Encoded: boolean;
  contentType: string | undefined;
}

/**
 * JSON is accepted as application/json, any application/*+json, and text/plain: browser
 * SDKs send JSON as text/plain so the request needs no CORS preflight. No content type is
 * taken as JSON too, as the Segment API does.
 */
function isJsonContentType(contentType: string | undefined): boolean {
  // Clients send one content type with every request: decided once, as for the write key.
  if (contentType !== undefined && contentType === lastContentType) return lastWasJson;
  const json = decideJsonContentType(contentType);
  lastContentType = contentType;
  lastWasJson = json;
  return json;
}

let lastContentType: string | undefined;
let lastWasJson = false;

function decideJsonContentType(contentType: string | undefined): boolean {
  if (contentType === undefined || contentType.trim() === '') return true;
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  return (
    mediaType === 'application/json' ||
    mediaType === 'text/plain' ||
    /^application\/[\w.+-]+\+json$/.test(mediaType)
  );
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads a request body as JSON, with the errors a client can act on. */
export function readJsonBody(raw: RawBody, maxBytes: number): { value: unknown; bytes: number } {
  if (!isJsonContentType(raw.contentType)) {
    throw new UnsupportedMediaTypeError(
      `content-type ${JSON.stringify(raw.contentType)} is not supported: send JSON as application/json (or text/plain)`,
    );
  }
  if (raw.body === undefined || raw.body.length === 0) {
    throw new BadRequestError('request body is empty: send a JSON object');
  }
  let text: string;
  let bytes: number;
  if (raw.isBase64Encoded) {
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
  return { value: parseJson(text), bytes };
}

function assertWithinLimit(bytes: number, maxBytes: number): void {
  if (bytes > maxBytes) {
    throw new PayloadTooLargeError(
      `request body is ${bytes.toLocaleString('en-US')} bytes; this route takes at most ${maxBytes.toLocaleString('en-US')} bytes${maxBytes % 1024 === 0 ? ` (${maxBytes / 1024} KB)` : ''}`,
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
