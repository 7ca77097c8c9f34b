import { mkdirSync } from 'node:fs';
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  KinesisClient,
  ResourceInUseException,
} from '@aws-sdk/client-kinesis';
import type { Server } from 'node:http';
import { localClientConfig } from './local-client-config.ts';
import type { StreamSpec } from './resources.ts';
import { listenOn } from './port-check.ts';

// kinesalite has no type declarations: this is the part of its factory we use.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const kinesalite = require('kinesalite') as (options: Record<string, unknown>) => Server;

export interface KinesisEmulator {
  endpoint: string;
  client: KinesisClient;
  close(): Promise<void>;
}

export interface KinesisEmulatorOptions {
  port: number;
  host?: string;
  /** A folder for LevelDB; in memory when absent. */
  path?: string;
}

/** kinesalite in this process: Kinesis's JSON API over HTTP/1.1 (see README for the choice). */
export async function startKinesisEmulator(
  options: KinesisEmulatorOptions,
): Promise<KinesisEmulator> {
  const host = options.host ?? '127.0.0.1';
  // LevelDB makes its own folder but not the parents: a fresh OFFLINE_STATE_DIR has none.
  if (options.path) mkdirSync(options.path, { recursive: true });
  const server = kinesalite({
    createStreamMs: 20,
    deleteStreamMs: 20,
    updateStreamMs: 20,
    shardLimit: 100,
    ...(options.path ? { path: options.path } : {}),
  });
  const endpoint = await listenOn(server, options.port, host);
  const client = new KinesisClient(localClientConfig('us-east-1', endpoint));
  return {
    endpoint,
    client,
    close: () =>
      new Promise<void>((resolve) => {
        client.destroy();
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** Creates each stream (keeping one that exists) and waits until all are ACTIVE. */
export async function ensureStreams(
  client: KinesisClient,
  streams: readonly StreamSpec[],
): Promise<void> {
  await Promise.all(
    streams.map(async (stream) => {
      try {
        await client.send(
          new CreateStreamCommand({ StreamName: stream.name, ShardCount: stream.shardCount }),
        );
      } catch (error) {
        if (!(error instanceof ResourceInUseException)) throw error;
      }
      await waitForActive(client, stream.name);
    }),
  );
}

async function waitForActive(
  client: KinesisClient,
  name: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const summary = await client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
    if (summary.StreamDescriptionSummary?.StreamStatus === 'ACTIVE') return;
    if (Date.now() > deadline)
      throw new Error(`stream ${name} did not become ACTIVE within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
