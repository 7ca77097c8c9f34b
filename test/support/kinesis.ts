import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import {
  ensureStreams,
  startKinesisEmulator,
  type KinesisEmulator,
} from '../../offline/kinesis-emulator.ts';
import { isAggregated } from '../../shared/kpl/deaggregate.ts';

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

/** Every record on every shard, from the trim horizon, with GetShardIterator/GetRecords. */
export async function readAllRecords(
  client: KinesisClient,
  streamName: string,
): Promise<StreamedRecord[]> {
  const shards =
    (await client.send(new ListShardsCommand({ StreamName: streamName }))).Shards ?? [];
  const out: StreamedRecord[] = [];
  for (const shard of shards) {
    const shardId = shard.ShardId as string;
    let iterator = (
      await client.send(
        new GetShardIteratorCommand({
          StreamName: streamName,
          ShardId: shardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      )
    ).ShardIterator;
    // Until a page comes back empty: kinesalite says MillisBehindLatest 0 on every page.
    for (let page = 0; iterator && page < 10_000; page += 1) {
      const batch = await client.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }),
      );
      for (const record of batch.Records ?? []) {
        const data = record.Data as Uint8Array;
        out.push({
          shardId,
          partitionKey: record.PartitionKey as string,
          sequenceNumber: record.SequenceNumber as string,
          arrivalMs: record.ApproximateArrivalTimestamp?.getTime() ?? Number.NaN,
          data,
          json: isAggregated(data)
            ? {}
            : (JSON.parse(Buffer.from(data).toString('utf8')) as Record<string, unknown>),
        });
      }
      if ((batch.Records ?? []).length === 0) break;
      iterator = batch.NextShardIterator;
    }
  }
  return out;
}
