import type { KinesisClient } from '@aws-sdk/client-kinesis';
import {
  ensureStreams,
  startKinesisEmulator,
  type KinesisEmulator,
} from '../../offline/kinesis-emulator.ts';
import { isAggregated } from '../../shared/kpl/deaggregate.ts';
import { readStreamRecords } from '../../tools/reconcile/read-stream-records.ts';

export interface StreamedRecord {
  shardId: string;
  partitionKey: string;
  sequenceNumber: string;
  /** ApproximateArrivalTimestamp, in ms: what Lambda's tumbling windows follow. */
  arrivalMs: number;
  /** The record's bytes as stored (a KPL aggregated record stays packed). */
  data: Uint8Array;
  /** The data as JSON; empty for a KPL aggregated record (read those from `data`). */
  json: Record<string, unknown>;
}

let counter = 0;

/** A fresh in-memory kinesalite on an ephemeral loopback port with one stream. */
export async function startStream(
  shardCount = 2,
): Promise<{ emulator: KinesisEmulator; streamName: string }> {
  const emulator = await startKinesisEmulator({ port: 0 });
  const streamName = `test-${process.pid}-${++counter}`;
  await ensureStreams(emulator.client, [{ logicalId: 'Test', name: streamName, shardCount }]);
  return { emulator, streamName };
}

/** Every record on every shard, from the trim horizon, with its data parsed as JSON. */
export async function readAllRecords(
  client: KinesisClient,
  streamName: string,
): Promise<StreamedRecord[]> {
  return (await readStreamRecords(client, streamName)).map((record) => ({
    ...record,
    json: isAggregated(record.data)
      ? {}
      : (JSON.parse(Buffer.from(record.data).toString('utf8')) as Record<string, unknown>),
  }));
}
