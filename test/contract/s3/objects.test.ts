import {
  CreateBucketCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import { createHash } from 'node:crypto';
import { access, readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { startS3, type S3Fixture } from './support.ts';

let s3: S3Fixture;
beforeAll(async () => {
  s3 = await startS3();
  await s3.client.send(new CreateBucketCommand({ Bucket: 'clicks' }));
});
afterAll(() => s3.stop());

const put = (Key: string, Body: string | Buffer = Key) =>
  s3.client.send(new PutObjectCommand({ Bucket: 'clicks', Key, Body }));

function raw(method: string, path: string, headers: Record<string, string> = {}, body?: Buffer) {
  const url = new URL(s3.server.endpoint);
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('put, get and head round-trip the bytes, Content-Type, quoted MD5 ETag and user metadata', async () => {
  const body = 'hello "world"\n';
  const written = await s3.client.send(
    new PutObjectCommand({
      Bucket: 'clicks',
      Key: 'docs/hello.txt',
      Body: body,
      ContentType: 'text/plain',
      Metadata: { source: 'test' },
    }),
  );
  const md5 = createHash('md5').update(body).digest('hex');
  expect(written.ETag).toBe(`"${md5}"`);
  const read = await s3.client.send(
    new GetObjectCommand({ Bucket: 'clicks', Key: 'docs/hello.txt' }),
  );
  expect(await read.Body?.transformToString()).toBe(body);
  expect(read).toMatchObject({
    ETag: `"${md5}"`,
    ContentType: 'text/plain',
    Metadata: { source: 'test' },
  });
  const head = await s3.client.send(
    new HeadObjectCommand({ Bucket: 'clicks', Key: 'docs/hello.txt' }),
  );
  expect(head).toMatchObject({ ContentLength: body.length, ETag: `"${md5}"` });
  expect(head.LastModified).toBeInstanceOf(Date);
  await expect(readFile(join(s3.stateDir, 'clicks', 'docs', 'hello.txt'), 'utf8')).resolves.toBe(
    body,
  );
  await s3.client.send(new HeadBucketCommand({ Bucket: 'clicks' }));
  const buckets = await s3.client.send(new ListBucketsCommand({}));
  expect(buckets.Buckets?.map((b) => b.Name)).toContain('clicks');
});

test('GetObject with a Range answers 206 with that slice and Content-Range', async () => {
  await put('range.bin', '0123456789');
  const part = await s3.client.send(
    new GetObjectCommand({ Bucket: 'clicks', Key: 'range.bin', Range: 'bytes=2-5' }),
  );
  expect(await part.Body?.transformToString()).toBe('2345');
  expect(part.ContentRange).toBe('bytes 2-5/10');
  const tail = await s3.client.send(
    new GetObjectCommand({ Bucket: 'clicks', Key: 'range.bin', Range: 'bytes=-3' }),
  );
  expect(await tail.Body?.transformToString()).toBe('789');
});

test('ListObjectsV2 rolls keys into CommonPrefixes at any depth and pages with max-keys, continuation-token and start-after', async () => {
  const keys = [
    'list/2026/01/01/a',
    'list/2026/01/01/b',
    'list/2026/01/02/c',
    'list/2026/02/d',
    'list/top',
    'list/zz/deep/e',
  ];
  for (const key of keys) await put(key);
  const list = (input: Partial<ConstructorParameters<typeof ListObjectsV2Command>[0]>) =>
    s3.client.send(new ListObjectsV2Command({ Bucket: 'clicks', ...input }));

  const root = await list({ Prefix: 'list/', Delimiter: '/' });
  expect(root.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['list/2026/', 'list/zz/']);
  expect(root.Contents?.map((c) => c.Key)).toEqual(['list/top']);
  expect(root.KeyCount).toBe(3);
  const deeper = await list({ Prefix: 'list/2026/01/', Delimiter: '/' });
  expect(deeper.CommonPrefixes?.map((p) => p.Prefix)).toEqual([
    'list/2026/01/01/',
    'list/2026/01/02/',
  ]);
  expect(deeper.Contents).toBeUndefined();

  // Pages of 2 over keys and prefixes together: every item exactly once, in order.
  const seen: string[] = [];
  let page: ListObjectsV2CommandOutput | undefined;
  do {
    page = await list({
      Prefix: 'list/',
      Delimiter: '/',
      MaxKeys: 2,
      ContinuationToken: page?.NextContinuationToken,
    });
    seen.push(
      ...(page.Contents ?? []).map((c) => c.Key ?? ''),
      ...(page.CommonPrefixes ?? []).map((p) => p.Prefix ?? ''),
    );
    expect(page.KeyCount).toBeLessThanOrEqual(2);
  } while (page.IsTruncated);
  expect(seen.sort()).toEqual(['list/2026/', 'list/top', 'list/zz/']);

  const flat = await list({ Prefix: 'list/', StartAfter: 'list/2026/01/02/c' });
  expect(flat.Contents?.map((c) => c.Key)).toEqual([
    'list/2026/02/d',
    'list/top',
    'list/zz/deep/e',
  ]);
});

test('an aws-chunked streaming upload is stored decoded, and a wrong trailing checksum is refused with BadDigest', async () => {
  const sent: Record<string, string>[] = [];
  s3.client.middlewareStack.add(
    (next) => async (args) => {
      sent.push({ ...(args.request as { headers: Record<string, string> }).headers });
      return next(args);
    },
    { step: 'finalizeRequest', name: 'captureHeaders' },
  );
  const chunks = [Buffer.from('{"a":1}\n'), Buffer.from('{"b":2}\n')];
  try {
    await s3.client.send(
      new PutObjectCommand({
        Bucket: 'clicks',
        Key: 'chunked.ndjson',
        Body: Readable.from(chunks),
        ContentLength: 16,
      }),
    );
  } finally {
    s3.client.middlewareStack.remove('captureHeaders');
  }
  expect(sent[0]).toMatchObject({
    'content-encoding': 'aws-chunked',
    'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
  });
  const read = await s3.client.send(
    new GetObjectCommand({ Bucket: 'clicks', Key: 'chunked.ndjson' }),
  );
  expect(await read.Body?.transformToString()).toBe('{"a":1}\n{"b":2}\n');
  expect(read.ContentEncoding).toBeUndefined();

  const framed = Buffer.from('5\r\nhello\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n');
  const refused = await raw(
    'PUT',
    '/clicks/bad-checksum',
    {
      'content-encoding': 'aws-chunked',
      'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
      'x-amz-decoded-content-length': '5',
      'content-length': String(framed.length),
    },
    framed,
  );
  expect(refused.status).toBe(400);
  expect(refused.body).toContain('<Code>BadDigest</Code>');
});

test('a missing key answers NoSuchKey, a missing bucket NoSuchBucket, HeadObject of a missing key 404', async () => {
  await expect(
    s3.client.send(new GetObjectCommand({ Bucket: 'clicks', Key: 'absent' })),
  ).rejects.toMatchObject({
    name: 'NoSuchKey',
    $metadata: { httpStatusCode: 404 },
  });
  await expect(
    s3.client.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'k' })),
  ).rejects.toMatchObject({
    name: 'NoSuchBucket',
  });
  await expect(
    s3.client.send(new HeadObjectCommand({ Bucket: 'clicks', Key: 'absent' })),
  ).rejects.toMatchObject({
    $metadata: { httpStatusCode: 404 },
  });
  // A folder that holds objects is not itself an object.
  await put('folder/inside');
  await expect(
    s3.client.send(new GetObjectCommand({ Bucket: 'clicks', Key: 'folder' })),
  ).rejects.toMatchObject({ name: 'NoSuchKey' });
});

test('path traversal refused: ../ in a key stays inside the bucket folder, a traversing bucket is refused', async () => {
  await put('../../escaped.txt', 'kept inside');
  await expect(access(join(s3.stateDir, '..', 'escaped.txt'))).rejects.toThrow();
  await expect(access(join(s3.stateDir, 'escaped.txt'))).rejects.toThrow();
  const back = await s3.client.send(
    new GetObjectCommand({ Bucket: 'clicks', Key: '../../escaped.txt' }),
  );
  expect(await back.Body?.transformToString()).toBe('kept inside');
  const listed = await s3.client.send(
    new ListObjectsV2Command({ Bucket: 'clicks', Prefix: '../' }),
  );
  expect(listed.Contents?.map((c) => c.Key)).toEqual(['../../escaped.txt']);

  const viaBucket = await raw('GET', '/../state/clicks/docs/hello.txt');
  expect(viaBucket.status).toBe(404);
  expect(viaBucket.body).toContain('<Code>NoSuchBucket</Code>');
  const encoded = await raw('GET', '/clicks/..%2F..%2F..%2Fetc%2Fpasswd');
  expect(encoded.body).toContain('<Code>NoSuchKey</Code>');
});
