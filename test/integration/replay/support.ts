import {
  CreateBucketCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LambdaInvoker } from '../../../offline/lambda-invoker.ts';
import { startS3Server, type S3Server } from '../../../offline/s3/s3-server.ts';
import { awsClientConfig } from '../../../shared/runtime/aws-client-config.ts';
import { s3ObjectStore } from '../../../tools/replay/s3-object-store.ts';
import type { ObjectStore } from '../../../tools/replay/replay-ports.ts';

export const BUCKET = 'clickstream-test-analytics';

export interface Bucket {
  server: S3Server;
  client: S3Client;
  store: ObjectStore;
  /** The stand-in's state folder (failed notifications are saved under it). */
  stateDir: string;
  put(key: string, body: string): Promise<void>;
  get(key: string): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The S3 stand-in over a fresh folder, subscribed as serverless.yml subscribes the load
 * function (events/, metrics/, processing-failed/), with `invoker` as the Lambda service.
 */
export async function startBucket(invoker: LambdaInvoker): Promise<Bucket> {
  const root = await mkdtemp(join(tmpdir(), 'replay-s3-'));
  const stateDir = join(root, 's3');
  const server = await startS3Server({
    port: 0,
    stateDir,
    notifications: ['events/', 'metrics/', 'processing-failed/'].map((prefix) => ({
      bucket: BUCKET,
      prefix,
      functionName: 'load',
    })),
    invoker,
    log: { info: () => undefined, error: () => undefined },
    notificationRetryDelaysMs: [10, 20],
  });
  const client = new S3Client({
    ...awsClientConfig({ region: 'us-east-1', endpoint: server.endpoint }),
    forcePathStyle: true,
  });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  return {
    server,
    client,
    store: s3ObjectStore(client, BUCKET),
    stateDir,
    async put(key, body) {
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    },
    async get(key) {
      const object = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      return (await object.Body?.transformToString('utf-8')) ?? '';
    },
    async stop() {
      client.destroy();
      await server.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** One line of Firehose's processing-failed output for the original record `data`. */
export function errorLine(data: string | Uint8Array, arrivalMs: number): string {
  return `${JSON.stringify({
    attemptsMade: 4,
    arrivalTimestamp: arrivalMs,
    errorCode: 'Lambda.ProcessingFailedStatus',
    errorMessage: 'ProcessingFailed status set for record',
    attemptEndingTimestamp: arrivalMs + 1_000,
    rawData: Buffer.from(data).toString('base64'),
    lambdaArn: 'arn:aws:lambda:us-east-1:000000000000:function:transform',
  })}\n`;
}
