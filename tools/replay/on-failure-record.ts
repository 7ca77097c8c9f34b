import * as z from 'zod';
import { FUNCTION_ARN, functionNameOf, parseInvocationRecord } from './parse-invocation-record.ts';

/**
 * The invocation record Lambda sends to a stream mapping's on-failure destination. It names
 * the batch (stream, shard, first and last sequence number), not its records: those are read
 * back from the stream, which works while they are within the stream's retention.
 */
export interface DeadBatch {
  functionName: string;
  streamArn: string;
  streamName: string;
  shardId: string;
  startSequenceNumber: string;
  endSequenceNumber: string;
  batchSize: number;
}

const SEQUENCE = z.string().regex(/^\d{1,128}$/, { error: 'a Kinesis sequence number' });

const schema = z.object({
  requestContext: z.object({
    functionArn: FUNCTION_ARN,
  }),
  KinesisBatchInfo: z.object({
    shardId: z.string().min(1),
    startSequenceNumber: SEQUENCE,
    endSequenceNumber: SEQUENCE,
    batchSize: z.number().int().min(1),
    streamArn: z.string().regex(/^arn:aws[\w-]*:kinesis:[^:]*:\d*:stream\/.+/, {
      error: 'a Kinesis stream ARN',
    }),
  }),
});

export function parseOnFailureRecord(body: string): DeadBatch | { reason: string } {
  const parsed = parseInvocationRecord(body, schema, 'a Kinesis on-failure record');
  if (!parsed.ok) return { reason: parsed.reason };
  const { requestContext, KinesisBatchInfo: batch } = parsed.value;
  if (BigInt(batch.startSequenceNumber) > BigInt(batch.endSequenceNumber))
    return { reason: 'startSequenceNumber is after endSequenceNumber' };
  return {
    functionName: functionNameOf(requestContext.functionArn),
    streamArn: batch.streamArn,
    streamName: batch.streamArn.slice(batch.streamArn.indexOf(':stream/') + ':stream/'.length),
    shardId: batch.shardId,
    startSequenceNumber: batch.startSequenceNumber,
    endSequenceNumber: batch.endSequenceNumber,
    batchSize: batch.batchSize,
  };
}
