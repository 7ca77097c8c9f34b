import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';

/** One Kinesis record as stored, its bytes untouched (a KPL aggregate stays packed). */
export interface RawStreamRecord {
  shardId: string;
  partitionKey: string;
  sequenceNumber: string;
  /** ApproximateArrivalTimestamp, in ms: what Lambda's tumbling windows follow. */
  arrivalMs: number;
  data: Uint8Array;
}

/**
 * Every record on every shard, from the trim horizon, with GetShardIterator/GetRecords: the
 * stream as a reconciliation reads it back, whatever producers put on it.
 */
export async function readStreamRecords(
  client: KinesisClient,
  streamName: string,
): Promise<RawStreamRecord[]> {
  const shards =
    (await client.send(new ListShardsCommand({ StreamName: streamName }))).Shards ?? [];
  const out: RawStreamRecord[] = [];
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
    for (let page = 0; iterator && page < 100_000; page += 1) {
      const batch = await client.send(
        new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }),
      );
      for (const record of batch.Records ?? []) {
        out.push({
          shardId,
          partitionKey: record.PartitionKey as string,
          sequenceNumber: record.SequenceNumber as string,
          arrivalMs: record.ApproximateArrivalTimestamp?.getTime() ?? Number.NaN,
          data: record.Data as Uint8Array,
        });
      }
      if ((batch.Records ?? []).length === 0) break;
      iterator = batch.NextShardIterator;
    }
  }
  return out;
}
