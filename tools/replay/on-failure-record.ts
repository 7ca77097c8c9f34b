import * as z from 'zod';

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
    functionArn: z.string().regex(/:function:[^:]+/, { error: 'a Lambda function ARN' }),
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
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return { reason: 'the message is not JSON' };
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    return { reason: `not a Kinesis on-failure record (${issues.join('; ')})` };
  }
  const { requestContext, KinesisBatchInfo: batch } = result.data;
  if (BigInt(batch.startSequenceNumber) > BigInt(batch.endSequenceNumber))
    return { reason: 'startSequenceNumber is after endSequenceNumber' };
  return {
    // A qualifier (`:$LATEST`, an alias) is dropped: the replay runs the current function.
    functionName: requestContext.functionArn.split(':function:')[1]?.split(':')[0] ?? '',
    streamArn: batch.streamArn,
    streamName: batch.streamArn.slice(batch.streamArn.indexOf(':stream/') + ':stream/'.length),
    shardId: batch.shardId,
    startSequenceNumber: batch.startSequenceNumber,
    endSequenceNumber: batch.endSequenceNumber,
    batchSize: batch.batchSize,
  };
}
