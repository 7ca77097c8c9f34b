import { SQSClient } from '@aws-sdk/client-sqs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsClientConfig } from '../../../shared/runtime/aws-client-config.ts';
import { startSqsServer, type SqsServer } from '../../../offline/sqs/sqs-server.ts';

export interface SqsFixture {
  server: SqsServer;
  client: SQSClient;
  stateDir: string;
  /** Stops the server and starts it again on the same state folder and port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** The stand-in on an ephemeral loopback port, with the unchanged SDK client pointed at it. */
export async function startSqs(queues: string[]): Promise<SqsFixture> {
  const stateDir = await mkdtemp(join(tmpdir(), 'sqs-contract-'));
  const start = (port: number) => startSqsServer({ port, stateDir, queues, log: () => undefined });
  let server = await start(0);
  const client = new SQSClient(awsClientConfig({ region: 'us-east-1', endpoint: server.endpoint }));
  return {
    get server() {
      return server;
    },
    client,
    stateDir,
    async restart() {
      await server.close();
      server = await start(Number(new URL(server.endpoint).port));
    },
    async close() {
      client.destroy();
      await server.close();
      await rm(stateDir, { recursive: true, force: true });
    },
  };
}
