import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type { EntryOutcome, StreamEntry, StreamWriter } from '../stream-writer/stream-writer.ts';

/** StreamWriter over the Kinesis PutRecords API, with an injected client. */
export function kinesisStreamWriter(client: KinesisClient, streamName: string): StreamWriter {
  return {
    async putRecords(entries: readonly StreamEntry[]): Promise<EntryOutcome[]> {
      const response = await client.send(
        new PutRecordsCommand({
          StreamName: streamName,
          Records: entries.map((entry) => ({ PartitionKey: entry.partitionKey, Data: entry.data })),
        }),
      );
      const records = response.Records ?? [];
      return entries.map((_, i): EntryOutcome => {
        const record = records[i];
        if (record?.SequenceNumber) {
          return { ok: true, shardId: record.ShardId, sequenceNumber: record.SequenceNumber };
        }
        return {
          ok: false,
          errorCode: record?.ErrorCode ?? 'InternalFailure',
          errorMessage: record?.ErrorMessage ?? 'no sequence number returned',
        };
      });
    },
  };
}
