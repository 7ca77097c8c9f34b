import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type GetRecordsCommandOutput,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import type { ShardRangeReader, ShardRecord } from './replay-ports.ts';

export interface RangeReaderOptions {
  /** Records per GetRecords call (at most 10,000). */
  limit?: number;
  /** Waits before retrying a throttled GetRecords (5 calls/s per shard). */
  retryDelaysMs?: readonly number[];
}

/**
 * Reads a shard from the dead batch's first sequence number (AT_SEQUENCE_NUMBER) until past
 * its last, through the Kinesis client. Stops early at the tip of an open shard or the end of
 * a closed one; the caller checks the range came back whole.
 */
export function kinesisRangeReader(
  kinesis: Pick<KinesisClient, 'send'>,
  options: RangeReaderOptions = {},
): ShardRangeReader {
  const delays = options.retryDelaysMs ?? [200, 400, 800, 1_600];
  const getRecords = async (iterator: string): Promise<GetRecordsCommandOutput> => {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await kinesis.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: options.limit ?? 1_000 }),
        );
      } catch (error: unknown) {
        const delay = delays[attempt];
        const throttled =
          error instanceof Error && error.name === 'ProvisionedThroughputExceededException';
        if (!throttled || delay === undefined) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  };
  const toRecord = (record: NonNullable<GetRecordsCommandOutput['Records']>[number]) => ({
    sequenceNumber: record.SequenceNumber ?? '0',
    partitionKey: record.PartitionKey ?? '',
    data: record.Data ?? new Uint8Array(),
    arrivalMs: record.ApproximateArrivalTimestamp?.getTime() ?? 0,
  });
  return {
    /**
     * From the window's start (AT_TIMESTAMP, "the record with an approximate arrival timestamp
     * ... at or just after" it: https://docs.aws.amazon.com/kinesis/latest/APIReference/API_GetShardIterator.html)
     * until a record arrives at or past its end, or the tip of the shard. The caller knows a
     * record of the window exists (kinesalite's AT_TIMESTAMP hangs when none is at or after).
     */
    async readWindow(window) {
      const out: ShardRecord[] = [];
      let iterator = (
        await kinesis.send(
          new GetShardIteratorCommand({
            StreamName: window.streamName,
            ShardId: window.shardId,
            ShardIteratorType: 'AT_TIMESTAMP',
            Timestamp: new Date(window.startMs),
          }),
        )
      ).ShardIterator;
      while (iterator) {
        const page = await getRecords(iterator);
        for (const record of page.Records ?? []) {
          const read = toRecord(record);
          if (read.arrivalMs >= window.endMs) return out;
          if (read.arrivalMs >= window.startMs) out.push(read);
        }
        if ((page.Records ?? []).length === 0 && page.MillisBehindLatest === 0) return out;
        iterator = page.NextShardIterator;
      }
      return out;
    },
    async read(range) {
      const end = BigInt(range.endSequenceNumber);
      const out: ShardRecord[] = [];
      let iterator = (
        await kinesis.send(
          new GetShardIteratorCommand({
            StreamName: range.streamName,
            ShardId: range.shardId,
            ShardIteratorType: 'AT_SEQUENCE_NUMBER',
            StartingSequenceNumber: range.startSequenceNumber,
          }),
        )
      ).ShardIterator;
      while (iterator) {
        const page = await getRecords(iterator);
        for (const record of page.Records ?? []) {
          const sequenceNumber = record.SequenceNumber ?? '0';
          if (BigInt(sequenceNumber) > end) return out;
          out.push(toRecord(record));
        }
        const last = out.at(-1);
        if (last && BigInt(last.sequenceNumber) === end) return out;
        // At the tip of the shard with the end not reached: it will not come.
        if ((page.Records ?? []).length === 0 && page.MillisBehindLatest === 0) return out;
        iterator = page.NextShardIterator;
      }
      return out;
    },
  };
}
