import type { KinesisClient } from '@aws-sdk/client-kinesis';
import type { S3Client } from '@aws-sdk/client-s3';
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { mulberry32 } from '../../tools/random.ts';
import type { LambdaInvoker } from '../lambda-invoker.ts';
import { FirehoseApiError, handleOperation, type ApiBackend, type PutResult } from './api.ts';
import {
  validateDeliveryStreams,
  type DeliveryStreamConfig,
  type Log,
} from './delivery-stream-config.ts';
import { DeliveryStream, type DeliveryStats } from './delivery.ts';
import { startKinesisSource, type KinesisSource } from './kinesis-source.ts';
import { newRecordId } from './record.ts';
import { createObjectWriter } from './writer.ts';
import { PutJournal, type AcceptedRecord } from './put-journal.ts';
import type { Hold } from '../faults/fault-switches.ts';
import { listenOn } from '../port-check.ts';

export type { DeliveryStreamConfig } from './delivery-stream-config.ts';

export interface FirehoseServerOptions {
  /** 0 picks a free port. */
  port: number;
  /** Loopback by default: this stand-in has no authentication. */
  host?: string;
  deliveryStreams: readonly DeliveryStreamConfig[];
  /** The real S3 client, pointed at the S3 stand-in: writes fire its ObjectCreated notifications. */
  s3: S3Client;
  /** Needed when a delivery stream reads a Kinesis stream. */
  kinesis?: KinesisClient;
  invoker: LambdaInvoker;
  /** Checkpoints of Kinesis sources, and objects that could not be written at shutdown. */
  stateDir: string;
  log: Log;
  /** ms since the epoch; arrival times and object names follow it. */
  clock?: () => number;
  region?: string;
  /**
   * Local override of every buffer interval, processor and S3 alike: AWS waits up to 900 s
   * per buffer, which is no feedback loop on a laptop. Unset keeps each stream's own hints.
   */
  intervalOverrideSeconds?: number;
  /** Share of PutRecord(Batch) records refused with ServiceUnavailableException, 0..1: exercises producers' retries. */
  failureRate?: number;
  /** Seed of the deterministic choice of refused records. */
  seed?: number;
  /** How often each shard of a source stream is polled (Firehose reads about once a second). */
  kinesisPollIntervalMs?: number;
  /** When the delivery streams were created (epoch ms): a Kinesis source starts there (LATEST). */
  createdAt?: number;
  /** Fault switches' holds (offline/faults), for crash tests. */
  hold?: Hold;
}

export interface FirehoseServer {
  endpoint: string;
  /** Processes and writes every buffered record now; resolves when all of it is in S3. */
  flush(): Promise<void>;
  stats(deliveryStreamName: string): DeliveryStats | undefined;
  setFailureRate(rate: number): void;
  /**
   * Share of PutRecord / PutRecordBatch calls refused whole with ServiceUnavailableException
   * (HTTP 503), as Firehose answers when it is unavailable or over its limits: nothing of the
   * call is accepted and the producer backs off and resends it.
   */
  setUnavailableCallRate(rate: number): void;
  /** Calls refused so far by setUnavailableCallRate, and PutRecord(Batch) calls seen. */
  unavailableStats(): { putCalls: number; refusedCalls: number; refusedRecords: number };
  /** Stops reading sources and accepting records, flushes every buffer, saves checkpoints. */
  close(): Promise<void>;
}

export async function startFirehoseServer(options: FirehoseServerOptions): Promise<FirehoseServer> {
  validateDeliveryStreams(options.deliveryStreams, options.kinesis !== undefined);
  const host = options.host ?? '127.0.0.1';
  const region = options.region ?? 'us-east-1';
  const clock = options.clock ?? Date.now;
  const random = mulberry32(options.seed ?? 1);
  let failureRate = options.failureRate ?? 0;
  let unavailableCallRate = 0;
  const unavailable = { putCalls: 0, refusedCalls: 0, refusedRecords: 0 };
  const writer = createObjectWriter({
    s3: options.s3,
    stateDir: options.stateDir,
    log: options.log,
  });
  const deliveries = new Map<string, DeliveryStream>();
  for (const config of options.deliveryStreams) {
    deliveries.set(
      config.name,
      new DeliveryStream({
        config,
        invoker: options.invoker,
        writer,
        region,
        clock,
        log: options.log,
        ...(options.intervalOverrideSeconds !== undefined
          ? { intervalOverrideSeconds: options.intervalOverrideSeconds }
          : {}),
        ...(options.hold ? { hold: options.hold } : {}),
      }),
    );
  }
  // Direct PUT records accepted by an earlier run and not yet in S3 (put-journal.ts).
  const journal = new PutJournal(join(options.stateDir, 'accepted'), options.log);
  for (const config of options.deliveryStreams) {
    if (config.source) continue;
    const recovered = await journal.recover(config.name);
    if (recovered.length === 0) continue;
    (options.log.warn ?? options.log.info)(
      `Firehose ${config.name}: ${recovered.length} records accepted before the last stop and not yet in S3 are delivered now`,
    );
    deliveries.get(config.name)?.accept(recovered);
  }
  await writer.redeliverSpilled();
  /** The journal write of the PutRecord(Batch) call being answered: awaited before the answer. */
  let journalWrite: Promise<void> | undefined;

  const backend: ApiBackend = {
    streams: options.deliveryStreams,
    region,
    createdAt: clock(),
    put(stream, entries): PutResult[] {
      const delivery = deliveries.get(stream.name);
      const now = clock();
      const accepted: AcceptedRecord[] = [];
      const results: PutResult[] = [];
      for (const entry of entries) {
        if (failureRate > 0 && random() < failureRate) {
          results.push({ errorCode: 'ServiceUnavailableException', errorMessage: 'Slow down.' });
          continue;
        }
        const recordId = newRecordId(now);
        accepted.push({ recordId, data: entry.data, arrival: now });
        results.push({ recordId });
      }
      // Answered once on disk, buffered once answered: a kill -9 loses nothing acknowledged.
      journalWrite = journal
        .append(stream.name, accepted)
        .then((records) => delivery?.accept(records));
      return results;
    },
  };

  const sources: KinesisSource[] = [];
  for (const config of options.deliveryStreams) {
    if (!config.source || !options.kinesis) continue;
    const delivery = deliveries.get(config.name);
    sources.push(
      await startKinesisSource({
        client: options.kinesis,
        streamName: config.source.streamName,
        checkpointFile: join(options.stateDir, 'checkpoints', `${config.name}.json`),
        deliver: (records) => delivery?.accept(records),
        log: options.log,
        pollIntervalMs: options.kinesisPollIntervalMs ?? 1_000,
        ...(options.createdAt !== undefined ? { createdAt: options.createdAt } : {}),
        clock,
      }),
    );
  }

  let closing = false;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => void answer(req.headers, chunks, res));
  });
  const answer = async (
    headers: IncomingHttpHeaders,
    chunks: Buffer[],
    res: ServerResponse,
  ): Promise<void> => {
    {
      const requestId = randomUUID();
      const operation = String(headers['x-amz-target'] ?? '').replace(/^Firehose_20150804\./, '');
      let status = 200;
      let payload: unknown;
      try {
        if (closing)
          throw new FirehoseApiError(
            'ServiceUnavailableException',
            'The local Firehose is shutting down.',
            503,
          );
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<
            string,
            unknown
          >;
        } catch {
          throw new FirehoseApiError(
            'SerializationException',
            'The request body is not valid JSON',
          );
        }
        if (operation === 'PutRecordBatch' || operation === 'PutRecord') {
          unavailable.putCalls += 1;
          if (unavailableCallRate > 0 && random() < unavailableCallRate) {
            unavailable.refusedCalls += 1;
            unavailable.refusedRecords += Array.isArray(body.Records) ? body.Records.length : 1;
            // PutRecordBatch's documented error: "ServiceUnavailableException: The service is
            // unavailable. Back off and retry the operation." HTTP Status Code: 503.
            // https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html
            throw new FirehoseApiError('ServiceUnavailableException', 'Slow down.', 503);
          }
        }
        journalWrite = undefined;
        payload = handleOperation(backend, operation, body);
        const write = journalWrite as Promise<void> | undefined;
        journalWrite = undefined;
        if (write) {
          await write.catch((error: unknown) => {
            options.log.error(
              `Firehose could not keep the records of ${operation}: ${String(error)}`,
            );
            throw new FirehoseApiError(
              'ServiceUnavailableException',
              'The records could not be stored; retry.',
              503,
            );
          });
        }
      } catch (error) {
        const apiError =
          error instanceof FirehoseApiError
            ? error
            : new FirehoseApiError('InternalFailure', 'An internal error occurred', 500);
        if (!(error instanceof FirehoseApiError))
          options.log.error(`Firehose ${operation} failed: ${String(error)}`);
        status = apiError.status;
        payload = { __type: apiError.type, message: apiError.message };
      }
      const text = JSON.stringify(payload);
      res.writeHead(status, {
        'content-type': 'application/x-amz-json-1.1',
        'x-amzn-requestid': requestId,
        'content-length': String(Buffer.byteLength(text)),
      });
      res.end(text);
    }
  };
  const endpoint = await listenOn(server, options.port, host);
  options.log.info(
    `Firehose stand-in on ${endpoint}: ${options.deliveryStreams.map((s) => s.name).join(', ')}`,
  );

  const flushAll = async () => {
    await Promise.all([...deliveries.values()].map((d) => d.flush()));
  };
  return {
    endpoint,
    flush: flushAll,
    stats: (name) => deliveries.get(name)?.stats,
    setFailureRate: (rate) => {
      failureRate = rate;
    },
    setUnavailableCallRate: (rate) => {
      unavailableCallRate = rate;
    },
    unavailableStats: () => ({ ...unavailable }),
    close: async () => {
      closing = true;
      await Promise.all(sources.map((s) => s.stop()));
      writer.closing();
      await flushAll();
      await Promise.all(sources.map((s) => s.saved()));
      await new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      });
    },
  };
}
