import { createReadStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AsyncInvoker } from '../async-invoke/async-invoker.ts';
import { standaloneAsyncInvoker } from '../async-invoke/stack-async-invoker.ts';
import type { LambdaInvoker } from '../lambda-invoker.ts';
import {
  newRequestId,
  noSuchBucket,
  notImplemented,
  parseTarget,
  S3Error,
  send,
  sendError,
  type S3Answer,
  type S3Request,
} from './http.ts';
import { InvalidContinuationTokenError, listPage, MAX_KEYS } from './list.ts';
import { createNotifier, type ObjectCreatedSubscription } from './notifications.ts';
import {
  deleteObject,
  deleteObjects,
  getObject,
  putObject,
  type ObjectContext,
} from './objects.ts';
import { isValidBucketName, PathTraversalError } from './paths.ts';
import { S3Store } from './store.ts';
import { document, el } from './xml.ts';
import { listenOn } from '../port-check.ts';

export type { ObjectCreatedSubscription } from './notifications.ts';

export interface S3ServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Loopback by default: this stand-in has no authentication. */
  host?: string;
  /** Buckets are folders under it; objects are files at `<stateDir>/<bucket>/<key>`. */
  stateDir: string;
  notifications?: readonly ObjectCreatedSubscription[];
  /**
   * How notified functions are invoked asynchronously; the local stack passes its own (one
   * queue, the functions' settings from serverless.yml). Without it, one over `invoker` with
   * AWS's defaults, queued in `<stateDir>/.async-invoke`, started and closed with the server.
   */
  asyncInvoker?: AsyncInvoker;
  invoker?: LambdaInvoker;
  log: { info(message: string): void; error(message: string): void };
  region?: string;
  /** For the server's own async invoker: waits before the retries (AWS: minutes; tests: ms). */
  notificationRetryDelaysMs?: readonly number[];
}

export interface S3Server {
  endpoint: string;
  /** Resolves once every ObjectCreated notification sent so far was delivered or dead-lettered. */
  notificationsSettled(): Promise<void>;
  close(): Promise<void>;
}

const OWNER_XML = `<Owner>${el('ID', 'local-owner')}${el('DisplayName', 'local')}</Owner>`;

export async function startS3Server(options: S3ServerOptions): Promise<S3Server> {
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? 'us-east-1';
  await mkdir(options.stateDir, { recursive: true });
  const store = new S3Store(options.stateDir);
  const ownsInvoker = options.asyncInvoker === undefined;
  const asyncInvoker =
    options.asyncInvoker ??
    standaloneAsyncInvoker({
      ...options,
      region,
      retryDelaysMs: options.notificationRetryDelaysMs,
    });
  if (ownsInvoker) await asyncInvoker.start();
  const notifier = createNotifier({
    subscriptions: options.notifications ?? [],
    asyncInvoker,
    region,
  });
  const ctx: ObjectContext = { store, notifier };

  async function route(request: S3Request): Promise<S3Answer> {
    const { method, bucket, key, query } = request;
    if (bucket === '') {
      if (method === 'GET') return listBuckets();
      throw new S3Error(
        405,
        'MethodNotAllowed',
        'The specified method is not allowed against this resource.',
      );
    }
    // A name S3 would refuse can never be a folder name either: no `..`, no `/`, no dot-folders.
    if (!isValidBucketName(bucket)) {
      if (method === 'PUT' && key === '')
        throw new S3Error(400, 'InvalidBucketName', 'The specified bucket is not valid.', {
          BucketName: bucket,
        });
      throw noSuchBucket(bucket);
    }
    if (key === '') {
      if (method === 'PUT') return createBucket(bucket);
      if (method === 'HEAD') return headBucket(bucket);
      if (method === 'DELETE') return deleteBucket(bucket);
      if (method === 'POST' && query.has('delete')) return deleteObjects(ctx, request);
      if (method === 'GET' && query.has('location')) return getBucketLocation(bucket);
      if (method === 'GET' && query.get('list-type') === '2') return listObjectsV2(bucket, query);
      if (method === 'GET') throw notImplemented('ListObjects (v1)');
      throw notImplemented(`${method} on a bucket`);
    }
    if (method === 'PUT') return putObject(ctx, request);
    if (method === 'GET' || method === 'HEAD') return getObject(ctx, request);
    if (method === 'DELETE') return deleteObject(ctx, request);
    throw notImplemented(method === 'POST' ? 'Multipart upload' : `${method} on an object`);
  }

  async function listBuckets(): Promise<S3Answer> {
    const buckets = (await store.listBuckets())
      .map(
        (b) =>
          `<Bucket>${el('Name', b.name)}${el('CreationDate', b.created.toISOString())}${el('BucketRegion', region)}</Bucket>`,
      )
      .join('');
    return xml(document('ListAllMyBucketsResult', `${OWNER_XML}<Buckets>${buckets}</Buckets>`));
  }

  async function createBucket(bucket: string): Promise<S3Answer> {
    const created = await store.createBucket(bucket);
    // us-east-1 answers 200 to its owner re-creating a bucket, for legacy reasons; other regions refuse.
    if (!created && region !== 'us-east-1') {
      throw new S3Error(
        409,
        'BucketAlreadyOwnedByYou',
        'Your previous request to create the named bucket succeeded and you already own it.',
        { BucketName: bucket },
      );
    }
    return { status: 200, headers: { location: `/${bucket}` } };
  }

  async function headBucket(bucket: string): Promise<S3Answer> {
    if (!(await store.bucketExists(bucket))) throw noSuchBucket(bucket);
    return { status: 200, headers: { 'x-amz-bucket-region': region } };
  }

  async function deleteBucket(bucket: string): Promise<S3Answer> {
    if (!(await store.bucketExists(bucket))) throw noSuchBucket(bucket);
    if ((await store.deleteBucket(bucket)) === 'not-empty') {
      throw new S3Error(409, 'BucketNotEmpty', 'The bucket you tried to delete is not empty', {
        BucketName: bucket,
      });
    }
    return { status: 204 };
  }

  async function getBucketLocation(bucket: string): Promise<S3Answer> {
    if (!(await store.bucketExists(bucket))) throw noSuchBucket(bucket);
    // us-east-1 is reported as an empty constraint, as S3 does.
    return xml(document('LocationConstraint', region === 'us-east-1' ? '' : region));
  }

  async function listObjectsV2(bucket: string, query: URLSearchParams): Promise<S3Answer> {
    if (!(await store.bucketExists(bucket))) throw noSuchBucket(bucket);
    const rawMax = query.get('max-keys');
    const maxKeys = rawMax === null ? MAX_KEYS : Number(rawMax);
    if (!Number.isInteger(maxKeys) || maxKeys < 0)
      throw new S3Error(
        400,
        'InvalidArgument',
        'Provided max-keys not an integer or within integer range',
        { ArgumentName: 'max-keys', ArgumentValue: rawMax ?? '' },
      );
    const prefix = query.get('prefix') ?? '';
    const delimiter = query.get('delimiter') ?? '';
    const startAfter = query.get('start-after') ?? '';
    const token = query.get('continuation-token') ?? undefined;
    const urlEncoded = query.get('encoding-type') === 'url';
    const enc = (text: string) =>
      urlEncoded ? encodeURIComponent(text).replace(/%2F/g, '/') : text;
    let page;
    try {
      page = listPage(await store.listKeys(bucket), {
        prefix,
        delimiter,
        startAfter,
        maxKeys: Math.min(maxKeys, MAX_KEYS),
        continuationToken: token,
      });
    } catch (error) {
      if (error instanceof InvalidContinuationTokenError)
        throw new S3Error(400, 'InvalidArgument', error.message, {
          ArgumentName: 'continuation-token',
        });
      throw error;
    }
    let contents = '';
    for (const key of page.keys) {
      const meta = await store.headObject(bucket, key);
      if (!meta) continue; // deleted while listing
      contents += `<Contents>${el('Key', enc(key))}${el('LastModified', meta.lastModified)}${el('ETag', `"${meta.etag}"`)}${el('Size', meta.size)}${el('StorageClass', 'STANDARD')}</Contents>`;
    }
    const prefixes = page.commonPrefixes
      .map((p) => `<CommonPrefixes>${el('Prefix', enc(p))}</CommonPrefixes>`)
      .join('');
    const inner =
      el('Name', bucket) +
      el('Prefix', enc(prefix)) +
      (delimiter !== '' ? el('Delimiter', enc(delimiter)) : '') +
      el('MaxKeys', maxKeys) +
      el('KeyCount', page.keys.length + page.commonPrefixes.length) +
      el('IsTruncated', page.isTruncated) +
      (token !== undefined ? el('ContinuationToken', token) : '') +
      el('NextContinuationToken', page.nextContinuationToken) +
      (startAfter !== '' ? el('StartAfter', enc(startAfter)) : '') +
      (urlEncoded ? el('EncodingType', 'url') : '') +
      contents +
      prefixes;
    return xml(document('ListBucketResult', inner));
  }

  const server = createServer((req, res) => void handle(req, res));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = newRequestId();
    const method = req.method ?? 'GET';
    try {
      const { bucket, key, query } = parseTarget(req.url ?? '/');
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const request: S3Request = {
        method,
        bucket,
        key,
        query,
        headers: req.headers,
        body: Buffer.concat(chunks),
        requestId,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      };
      const answer = await route(request);
      send(res, request, answer);
      if (!answer.file) return;
      // The head is written; stream the byte range from disk.
      createReadStream(answer.file.path, { start: answer.file.start, end: answer.file.end }).pipe(
        res,
      );
    } catch (error) {
      const s3Error =
        error instanceof S3Error
          ? error
          : error instanceof PathTraversalError
            ? new S3Error(400, 'InvalidArgument', error.message)
            : new S3Error(
                500,
                'InternalError',
                'We encountered an internal error. Please try again.',
              );
      if (!(error instanceof S3Error))
        options.log.error(
          `S3 stand-in: ${method} ${req.url ?? ''} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
        );
      if (!res.headersSent) sendError(res, { method, requestId }, s3Error);
      else res.destroy();
    }
  }

  const endpoint = await listenOn(server, options.port, host);
  options.log.info(`S3 stand-in on ${endpoint}, buckets in ${options.stateDir}`);
  return {
    endpoint,
    notificationsSettled: () => asyncInvoker.settled(),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
      // After the listener: attempts under way finish; pending events stay queued on disk.
      if (ownsInvoker) await asyncInvoker.close();
    },
  };
}

function xml(body: string): S3Answer {
  return { status: 200, headers: { 'content-type': 'application/xml' }, body };
}
