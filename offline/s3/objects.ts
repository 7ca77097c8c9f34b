import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import {
  ChunkedEncodingError,
  decodeAwsChunked,
  isAwsChunked,
  storedContentEncoding,
} from './chunked.ts';
import {
  header,
  noSuchBucket,
  noSuchKey,
  S3Error,
  userMetadataFrom,
  type S3Answer,
  type S3Request,
} from './http.ts';
import type { Notifier } from './notifications.ts';
import { isValidKey } from './paths.ts';
import type { ObjectMeta, S3Store } from './store.ts';
import { document, el, parseDeleteRequest } from './xml.ts';

const CHECKSUMS = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const;

/** Checksums we can compute here; the others (CRC32C, CRC64NVME) are stored as the client sent them. */
function computeChecksum(algorithm: string, body: Buffer): string | undefined {
  if (algorithm === 'crc32') {
    const out = Buffer.alloc(4);
    out.writeUInt32BE(crc32(body) >>> 0);
    return out.toString('base64');
  }
  if (algorithm === 'sha1' || algorithm === 'sha256')
    return createHash(algorithm).update(body).digest('base64');
  return undefined;
}

function objectHeaders(meta: ObjectMeta): Record<string, string> {
  const headers: Record<string, string> = {
    etag: `"${meta.etag}"`,
    'last-modified': new Date(meta.lastModified).toUTCString(),
    'content-type': meta.contentType,
    'accept-ranges': 'bytes',
  };
  if (meta.contentEncoding) headers['content-encoding'] = meta.contentEncoding;
  if (meta.cacheControl) headers['cache-control'] = meta.cacheControl;
  if (meta.contentDisposition) headers['content-disposition'] = meta.contentDisposition;
  for (const [name, value] of Object.entries(meta.userMetadata))
    headers[`x-amz-meta-${name}`] = value;
  return headers;
}

export interface ObjectContext {
  store: S3Store;
  notifier: Notifier;
}

async function requireBucket(ctx: ObjectContext, bucket: string): Promise<void> {
  if (!(await ctx.store.bucketExists(bucket))) throw noSuchBucket(bucket);
}

function requireKey(key: string): void {
  if (!isValidKey(key))
    throw new S3Error(400, 'KeyTooLongError', 'Your key is too long or not a valid key.');
}

/** The stored bytes of a PUT: aws-chunked decoded, checksums and Content-MD5 verified. */
function payloadOf(request: S3Request): { body: Buffer; checksums: Record<string, string> } {
  let body = request.body;
  const supplied: Record<string, string> = {};
  if (isAwsChunked(request.headers)) {
    let decoded;
    try {
      decoded = decodeAwsChunked(body);
    } catch (error) {
      throw new S3Error(
        400,
        'IncompleteBody',
        error instanceof ChunkedEncodingError ? error.message : String(error),
      );
    }
    body = decoded.body;
    Object.assign(supplied, decoded.trailers);
    const declared = header(request.headers, 'x-amz-decoded-content-length');
    if (declared !== undefined && Number(declared) !== body.length)
      throw new S3Error(
        400,
        'IncompleteBody',
        'You did not provide the number of bytes specified by the Content-Length HTTP header.',
      );
  }
  const checksums: Record<string, string> = {};
  for (const algorithm of CHECKSUMS) {
    const value =
      supplied[`x-amz-checksum-${algorithm}`] ??
      header(request.headers, `x-amz-checksum-${algorithm}`);
    if (value === undefined) continue;
    const actual = computeChecksum(algorithm, body);
    if (actual !== undefined && actual !== value)
      throw new S3Error(
        400,
        'BadDigest',
        `The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`,
      );
    checksums[algorithm] = value;
  }
  const md5 = header(request.headers, 'content-md5');
  if (md5 !== undefined && createHash('md5').update(body).digest('base64') !== md5)
    throw new S3Error(
      400,
      'BadDigest',
      'The Content-MD5 you specified did not match what we received.',
    );
  return { body, checksums };
}

export async function putObject(ctx: ObjectContext, request: S3Request): Promise<S3Answer> {
  await requireBucket(ctx, request.bucket);
  requireKey(request.key);
  if (header(request.headers, 'x-amz-copy-source') !== undefined) return copyObject(ctx, request);
  if (request.query.has('uploadId'))
    throw new S3Error(
      501,
      'NotImplemented',
      'Multipart upload is not implemented by the local S3 stand-in',
    );
  const { body, checksums } = payloadOf(request);
  const contentEncoding = storedContentEncoding(header(request.headers, 'content-encoding'));
  const cacheControl = header(request.headers, 'cache-control');
  const contentDisposition = header(request.headers, 'content-disposition');
  const meta = await ctx.store.putObject(request.bucket, request.key, body, {
    contentType: header(request.headers, 'content-type') ?? 'binary/octet-stream',
    userMetadata: userMetadataFrom(request.headers),
    checksums,
    ...(contentEncoding ? { contentEncoding } : {}),
    ...(cacheControl ? { cacheControl } : {}),
    ...(contentDisposition ? { contentDisposition } : {}),
  });
  await notify(ctx, request, meta, 'ObjectCreated:Put');
  const headers: Record<string, string> = { etag: `"${meta.etag}"` };
  for (const [algorithm, value] of Object.entries(checksums))
    headers[`x-amz-checksum-${algorithm}`] = value;
  return { status: 200, headers };
}

function notify(
  ctx: ObjectContext,
  request: S3Request,
  meta: ObjectMeta,
  eventName: 'ObjectCreated:Put' | 'ObjectCreated:Copy',
): Promise<void> {
  // Queued durably before the PUT is answered: an acknowledged write is never left unnotified.
  return ctx.notifier.objectCreated({
    eventName,
    bucket: request.bucket,
    key: request.key,
    size: meta.size,
    etag: meta.etag,
    requestId: request.requestId,
    sourceIp: request.sourceIp,
  });
}

async function copyObject(ctx: ObjectContext, request: S3Request): Promise<S3Answer> {
  const source = decodeURIComponent(
    (header(request.headers, 'x-amz-copy-source') ?? '').split('?')[0] ?? '',
  ).replace(/^\//, '');
  const slash = source.indexOf('/');
  const sourceBucket = slash >= 0 ? source.slice(0, slash) : source;
  const sourceKey = slash >= 0 ? source.slice(slash + 1) : '';
  await requireBucket(ctx, sourceBucket);
  const original = await ctx.store.headObject(sourceBucket, sourceKey);
  if (!original) throw noSuchKey(sourceKey);
  const body = await readFile(ctx.store.dataPath(sourceBucket, sourceKey));
  const replace = header(request.headers, 'x-amz-metadata-directive') === 'REPLACE';
  const meta = await ctx.store.putObject(request.bucket, request.key, body, {
    contentType: replace
      ? (header(request.headers, 'content-type') ?? 'binary/octet-stream')
      : original.contentType,
    userMetadata: replace ? userMetadataFrom(request.headers) : original.userMetadata,
    checksums: original.checksums,
    ...(original.contentEncoding && !replace ? { contentEncoding: original.contentEncoding } : {}),
  });
  await notify(ctx, request, meta, 'ObjectCreated:Copy');
  const xml = document(
    'CopyObjectResult',
    el('LastModified', meta.lastModified) + el('ETag', `"${meta.etag}"`),
  );
  return { status: 200, headers: { 'content-type': 'application/xml' }, body: xml };
}

/** GetObject and HeadObject, with a single `bytes=` range (S3 ignores multi-range requests). */
export async function getObject(ctx: ObjectContext, request: S3Request): Promise<S3Answer> {
  await requireBucket(ctx, request.bucket);
  const meta = await ctx.store.headObject(request.bucket, request.key);
  if (!meta) throw noSuchKey(request.key);
  const headers = objectHeaders(meta);
  const range = /^bytes=(\d*)-(\d*)$/.exec(header(request.headers, 'range') ?? '');
  let start = 0;
  let end = meta.size - 1;
  let status = 200;
  if (range) {
    const [, from = '', to = ''] = range;
    if (from === '' && to !== '') start = Math.max(0, meta.size - Number(to));
    else if (from !== '') {
      start = Number(from);
      if (to !== '') end = Math.min(end, Number(to));
    }
    if (start >= meta.size || (from !== '' && to !== '' && Number(to) < start)) {
      throw new S3Error(416, 'InvalidRange', 'The requested range is not satisfiable', {
        RangeRequested: header(request.headers, 'range') ?? '',
        ActualObjectSize: String(meta.size),
      });
    }
    status = 206;
    headers['content-range'] = `bytes ${start}-${end}/${meta.size}`;
  } else if (header(request.headers, 'x-amz-checksum-mode') === 'ENABLED') {
    // Full-object checksums only for whole-object reads, as S3 does; the SDK then verifies them.
    for (const [algorithm, value] of Object.entries(meta.checksums))
      headers[`x-amz-checksum-${algorithm}`] = value;
    if (Object.keys(meta.checksums).length > 0) headers['x-amz-checksum-type'] = 'FULL_OBJECT';
  }
  headers['content-length'] = String(Math.max(0, end - start + 1));
  if (request.method === 'HEAD' || meta.size === 0) return { status, headers };
  return {
    status,
    headers,
    file: { path: ctx.store.dataPath(request.bucket, request.key), start, end },
  };
}

export async function deleteObject(ctx: ObjectContext, request: S3Request): Promise<S3Answer> {
  await requireBucket(ctx, request.bucket);
  requireKey(request.key);
  await ctx.store.deleteObject(request.bucket, request.key);
  return { status: 204 };
}

export async function deleteObjects(ctx: ObjectContext, request: S3Request): Promise<S3Answer> {
  await requireBucket(ctx, request.bucket);
  const { keys, quiet } = parseDeleteRequest(request.body.toString('utf8'));
  if (keys.length > 1000)
    throw new S3Error(
      400,
      'MalformedXML',
      'The XML you provided was not well-formed or did not validate against our published schema',
    );
  let inner = '';
  for (const key of keys) {
    if (!isValidKey(key)) {
      inner += `<Error>${el('Key', key)}${el('Code', 'InvalidArgument')}${el('Message', 'Invalid key')}</Error>`;
      continue;
    }
    await ctx.store.deleteObject(request.bucket, key);
    if (!quiet) inner += `<Deleted>${el('Key', key)}</Deleted>`;
  }
  return {
    status: 200,
    headers: { 'content-type': 'application/xml' },
    body: document('DeleteResult', inner),
  };
}
