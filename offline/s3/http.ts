import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorDocument } from './xml.ts';

/** One request as the handlers see it: path-style addressing, body read whole. */
export interface S3Request {
  method: string;
  bucket: string;
  key: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: Buffer;
  requestId: string;
  sourceIp: string;
}

export interface S3Answer {
  status: number;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** A file to stream as the body (GetObject), with an inclusive byte range. */
  file?: { path: string; start: number; end: number };
}

/** An S3 error answer: the code is what the SDK turns into the exception's name. */
export class S3Error extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'S3Error';
  }
}

export const noSuchBucket = (bucket: string) =>
  new S3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
export const noSuchKey = (key: string) =>
  new S3Error(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
export const notImplemented = (what: string) =>
  new S3Error(501, 'NotImplemented', `${what} is not implemented by the local S3 stand-in`);

export function newRequestId(): string {
  return randomBytes(8).toString('hex').toUpperCase();
}

/**
 * Splits a path-style URL. The key is the rest of the path after the bucket, percent-decoded
 * once (the SDK encodes each segment and keeps `/`); Node does not normalise `..` in the path,
 * so a key is exactly what the client sent.
 */
export function parseTarget(url: string): { bucket: string; key: string; query: URLSearchParams } {
  const queryAt = url.indexOf('?');
  const path = queryAt >= 0 ? url.slice(0, queryAt) : url;
  const query = new URLSearchParams(queryAt >= 0 ? url.slice(queryAt + 1) : '');
  const rest = path.replace(/^\/+/, '');
  const slash = rest.indexOf('/');
  const rawBucket = slash >= 0 ? rest.slice(0, slash) : rest;
  const rawKey = slash >= 0 ? rest.slice(slash + 1) : '';
  try {
    return { bucket: decodeURIComponent(rawBucket), key: decodeURIComponent(rawKey), query };
  } catch {
    throw new S3Error(400, 'InvalidURI', "Couldn't parse the specified URI.");
  }
}

export function send(
  res: ServerResponse,
  request: Pick<S3Request, 'method' | 'requestId'>,
  answer: S3Answer,
): void {
  const headers: Record<string, string> = {
    'x-amz-request-id': request.requestId,
    'x-amz-id-2': request.requestId,
    server: 'AmazonS3',
    ...answer.headers,
  };
  const body = typeof answer.body === 'string' ? Buffer.from(answer.body, 'utf8') : answer.body;
  if (body && !answer.file) headers['content-length'] ??= String(body.length);
  res.writeHead(answer.status, headers);
  // A file body is streamed by the caller once the head is written.
  if (answer.file && request.method !== 'HEAD') return;
  // HEAD answers carry the headers of the GET they stand for, never a body (errors included).
  if (request.method === 'HEAD') return void res.end();
  res.end(body);
}

export function sendError(
  res: ServerResponse,
  request: Pick<S3Request, 'method' | 'requestId'>,
  error: S3Error,
): void {
  const body = errorDocument({
    code: error.code,
    message: error.message,
    requestId: request.requestId,
    extra: error.extra,
  });
  send(res, request, {
    status: error.status,
    headers: { 'content-type': 'application/xml' },
    body,
  });
}

export function header(headers: IncomingMessage['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

export function userMetadataFrom(headers: IncomingMessage['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (name.startsWith('x-amz-meta-') && value !== undefined)
      out[name.slice(11)] = Array.isArray(value) ? value.join(',') : value;
  }
  return out;
}
