import { S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LambdaInvoker } from '../../../offline/lambda-invoker.ts';
import {
  startS3Server,
  type ObjectCreatedSubscription,
  type S3Server,
} from '../../../offline/s3/s3-server.ts';
import { awsClientConfig } from '../../../shared/runtime/aws-client-config.ts';

export interface S3Fixture {
  server: S3Server;
  client: S3Client;
  stateDir: string;
  errors: string[];
  stop(): Promise<void>;
}

/** A stand-in on an ephemeral loopback port over a fresh folder, and the unchanged SDK client. */
export async function startS3(
  options: { notifications?: ObjectCreatedSubscription[]; invoker?: LambdaInvoker } = {},
): Promise<S3Fixture> {
  const stateDir = await mkdtemp(join(tmpdir(), 's3-contract-'));
  const errors: string[] = [];
  const server = await startS3Server({
    port: 0,
    stateDir: join(stateDir, 'state'),
    log: { info: () => undefined, error: (message) => errors.push(message) },
    notificationRetryDelaysMs: [10, 20],
    ...options,
  });
  const client = new S3Client({
    ...awsClientConfig({ region: 'us-east-1', endpoint: server.endpoint }),
    forcePathStyle: true,
  });
  return {
    server,
    client,
    stateDir: join(stateDir, 'state'),
    errors,
    stop: async () => {
      client.destroy();
      await server.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
