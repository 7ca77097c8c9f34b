import { PutRecordsCommand, type KinesisClient } from '@aws-sdk/client-kinesis';
import type {
  CallBounds,
  EntryOutcome,
  StreamEntry,
  StreamWriter,
} from '../stream-writer/stream-writer.ts';

/** StreamWriter over the Kinesis PutRecords API, with an injected client. */
export function kinesisStreamWriter(client: KinesisClient, streamName: string): StreamWriter {
  return {
    async putRecords(
      entries: readonly StreamEntry[],
      bounds?: CallBounds,
    ): Promise<EntryOutcome[]> {
      const response = await client.send(
        new PutRecordsCommand({
          StreamName: streamName,
          Records: entries.map((entry) => ({ PartitionKey: entry.partitionKey, Data: entry.data })),
        }),
        // Smithy's per-request timeout (a TimeoutError, retryable, with throwOnRequestTimeout).
        bounds ? { requestTimeout: bounds.timeoutMs } : {},
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
