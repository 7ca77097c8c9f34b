import { FirehoseClient } from '@aws-sdk/client-firehose';
import type { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startFirehoseServer,
  type DeliveryStreamConfig,
  type FirehoseServer,
  type FirehoseServerOptions,
} from '../../../offline/firehose/firehose-server.ts';
import { inProcessInvoker } from '../../../offline/lambda-invoker.ts';
import { startS3Server, type S3Server } from '../../../offline/s3/s3-server.ts';
import type {
  FirehoseTransformationEvent,
  FirehoseTransformationResponse,
} from '../../../shared/transform/firehose-transformation.ts';
import { awsClientConfig } from '../../../shared/runtime/aws-client-config.ts';

export const BUCKET = 'delivery';

export function stream(overrides: Partial<DeliveryStreamConfig> = {}): DeliveryStreamConfig {
  const name = overrides.name ?? 'events';
  return {
    name,
    arn: `arn:aws:firehose:us-east-1:000000000000:deliverystream/${name}`,
    bucket: BUCKET,
    prefix: '',
    errorOutputPrefix: 'errors/',
    bufferingHints: { sizeInMBs: 1, intervalInSeconds: 900 },
    ...overrides,
  };
}

export const processor = (functionName: string, numberOfRetries = 3) => ({
  functionName,
  bufferSizeInMBs: 1,
  bufferIntervalInSeconds: 0,
  numberOfRetries,
});

/**
 * A test transform: each record is JSON {kind, n, group?}; "ok" becomes one NDJSON line (with
 * partition key `group`), "drop" is Dropped, "fail" is ProcessingFailed.
 */
export function kindTransform(event: unknown): FirehoseTransformationResponse {
  return {
    records: (event as FirehoseTransformationEvent).records.map((record) => {
      const input = JSON.parse(Buffer.from(record.data, 'base64').toString('utf8')) as {
        kind: string;
        n: number;
        group?: string;
      };
      if (input.kind === 'drop')
        return { recordId: record.recordId, result: 'Dropped', data: record.data };
      if (input.kind === 'fail')
        return { recordId: record.recordId, result: 'ProcessingFailed', data: record.data };
      const line = `${JSON.stringify({ n: input.n, shard: record.kinesisRecordMetadata?.shardId ?? null })}\n`;
      return {
        recordId: record.recordId,
        result: 'Ok',
        data: Buffer.from(line).toString('base64'),
        ...(input.group ? { metadata: { partitionKeys: { group: input.group } } } : {}),
      };
    }),
  };
}

export interface Stack {
  firehose: FirehoseServer;
  client: FirehoseClient;
  s3: S3Client;
  s3Server: S3Server;
  stateDir: string;
  errors: string[];
  restart(overrides?: Partial<FirehoseServerOptions>): Promise<void>;
  stop(): Promise<void>;
}

export async function startStack(
  options: Partial<FirehoseServerOptions> & {
    functions?: Record<string, (event: unknown) => unknown>;
    kinesis?: KinesisClient;
    createBucket?: boolean;
  },
): Promise<Stack> {
  const stateDir = await mkdtemp(join(tmpdir(), 'firehose-contract-'));
  const errors: string[] = [];
  const log = { info: () => undefined, error: (message: string) => errors.push(message) };
  const s3Server = await startS3Server({ port: 0, stateDir: join(stateDir, 's3'), log });
  const s3 = new S3Client({
    ...awsClientConfig({ region: 'us-east-1', endpoint: s3Server.endpoint }),
    forcePathStyle: true,
  });
  const { functions = { kind: kindTransform }, createBucket = true, ...rest } = options;
  if (createBucket) await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  const start = (overrides: Partial<FirehoseServerOptions> = {}) =>
    startFirehoseServer({
      port: 0,
      deliveryStreams: [stream()],
      s3,
      invoker: inProcessInvoker(functions),
      stateDir: join(stateDir, 'firehose'),
      log,
      ...rest,
      ...overrides,
    });
  let firehose = await start();
  let client = new FirehoseClient(
    awsClientConfig({ region: 'us-east-1', endpoint: firehose.endpoint }),
  );
  const stack: Stack = {
    firehose,
    client,
    s3,
    s3Server,
    stateDir,
    errors,
    restart: async (overrides) => {
      client.destroy();
      await firehose.close();
      firehose = await start(overrides);
      client = new FirehoseClient(
        awsClientConfig({ region: 'us-east-1', endpoint: firehose.endpoint }),
      );
      Object.assign(stack, { firehose, client });
    },
    stop: async () => {
      stack.client.destroy();
      await stack.firehose.close();
      s3.destroy();
      await s3Server.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
  return stack;
}

/** Every object in the bucket (under a prefix), with its body as text. */
export async function objects(s3: S3Client, prefix = ''): Promise<{ key: string; body: string }[]> {
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: prefix }));
  const out = [];
  for (const item of listed.Contents ?? []) {
    const key = item.Key ?? '';
    const got = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    out.push({ key, body: (await got.Body?.transformToString()) ?? '' });
  }
  return out;
}

export const lines = (body: string) => body.split('\n').filter((line) => line !== '');

export const encode = (value: unknown) =>
  new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

export async function waitFor<T>(
  probe: () => Promise<T | undefined>,
  timeoutMs: number,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
