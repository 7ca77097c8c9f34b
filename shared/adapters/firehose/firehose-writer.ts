import { PutRecordBatchCommand, type FirehoseClient } from '@aws-sdk/client-firehose';
import { KIB, MIB } from '../../event-contract/limits.ts';
import type { ChunkLimits } from '../stream-writer/chunk.ts';
import type {
  CallBounds,
  EntryOutcome,
  StreamEntry,
  StreamWriter,
} from '../stream-writer/stream-writer.ts';

/** PutRecordBatch: at most 500 records and 4 MiB per call, 1,000 KiB per record. */
export const PUT_RECORD_BATCH_LIMITS: ChunkLimits = {
  maxRecords: 500,
  maxBytes: 4 * MIB,
  maxRecordBytes: 1_000 * KIB,
};

/**
 * A Firehose delivery stream behind the same port as a Kinesis stream, so one retry loop
 * (putRecordsWithRetry) serves both: a 200 answer with FailedPutCount > 0 resends only the
 * failed entries. Firehose has no partition keys; entries carry an empty one.
 */
export function firehoseWriter(client: FirehoseClient, deliveryStreamName: string): StreamWriter {
  return {
    async putRecords(
      entries: readonly StreamEntry[],
      bounds?: CallBounds,
    ): Promise<EntryOutcome[]> {
      const response = await client.send(
        new PutRecordBatchCommand({
          DeliveryStreamName: deliveryStreamName,
          Records: entries.map((entry) => ({ Data: entry.data })),
        }),
        // Smithy's per-request timeout (a TimeoutError, retryable, with throwOnRequestTimeout).
        bounds ? { requestTimeout: bounds.timeoutMs } : {},
      );
      const results = response.RequestResponses ?? [];
      return entries.map((_, i): EntryOutcome => {
        const result = results[i];
        if (result?.RecordId && !result.ErrorCode) return { ok: true };
        return {
          ok: false,
          errorCode: result?.ErrorCode ?? 'ServiceUnavailableException',
          errorMessage: result?.ErrorMessage ?? 'no result for this record',
        };
      });
    },
  };
}
