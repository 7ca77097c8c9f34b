/**
 * The `aws-chunked` content encoding the SDK uses for streaming uploads with a trailing
 * checksum (x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER or a signed variant):
 *   <hex size>[;chunk-signature=...]\r\n<bytes>\r\n ... 0\r\n<trailer: value>\r\n...\r\n
 * S3 stores the decoded bytes; the trailer carries the checksum the client computed.
 */
export class ChunkedEncodingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChunkedEncodingError';
  }
}

export interface DecodedChunks {
  body: Buffer;
  trailers: Record<string, string>;
}

const CRLF = Buffer.from('\r\n');

export function isAwsChunked(headers: Record<string, string | string[] | undefined>): boolean {
  const encoding = String(headers['content-encoding'] ?? '');
  const sha = String(headers['x-amz-content-sha256'] ?? '');
  return (
    encoding.split(',').some((part) => part.trim() === 'aws-chunked') ||
    sha.startsWith('STREAMING-')
  );
}

/** Content-Encoding to store: the client's own encodings, without the transport's aws-chunked. */
export function storedContentEncoding(header: string | undefined): string | undefined {
  const rest = (header ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '' && part !== 'aws-chunked');
  return rest.length > 0 ? rest.join(',') : undefined;
}

export function decodeAwsChunked(raw: Buffer): DecodedChunks {
  const parts: Buffer[] = [];
  let offset = 0;
  for (;;) {
    const lineEnd = raw.indexOf(CRLF, offset);
    if (lineEnd < 0) throw new ChunkedEncodingError('chunk header without CRLF');
    const header = raw.subarray(offset, lineEnd).toString('latin1');
    const size = parseInt(header.split(';')[0] ?? '', 16);
    if (!Number.isInteger(size) || size < 0)
      throw new ChunkedEncodingError(`bad chunk size ${JSON.stringify(header)}`);
    offset = lineEnd + 2;
    if (size === 0) break;
    if (offset + size > raw.length) throw new ChunkedEncodingError('chunk longer than the body');
    parts.push(raw.subarray(offset, offset + size));
    offset += size;
    if (!raw.subarray(offset, offset + 2).equals(CRLF))
      throw new ChunkedEncodingError('chunk not followed by CRLF');
    offset += 2;
  }
  const trailers: Record<string, string> = {};
  for (const line of raw.subarray(offset).toString('latin1').split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0)
      trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { body: Buffer.concat(parts), trailers };
}
