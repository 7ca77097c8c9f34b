import { randomUUID } from 'node:crypto';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ShardRecord } from './event.ts';

/**
 * Why Lambda gave up on a batch. AWS's recorded answers (localstack's AWS-validated snapshot
 * `test_kinesis_maximum_record_age_exceeded`) spell the age condition `RecordAgeExceeded`.
 */
export type FailureCondition = 'RetryAttemptsExhausted' | 'RecordAgeExceeded';

/** The invocation record Lambda sends to a stream mapping's on-failure destination. */
export interface OnFailureRecord {
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: FailureCondition;
    approximateInvokeCount: number;
  };
  /** Absent for `RecordAgeExceeded`: AWS sends no response context for expired records. */
  responseContext?: {
    statusCode: number;
    executedVersion: string;
    functionError: string | null;
  };
  version: '1.0';
  timestamp: string;
  KinesisBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
}

/** Where discarded batches are described: an SQS queue on AWS, anything in tests. */
export interface FailureDestination {
  /** `records` are the discarded records: an S3 destination stores their event too. */
  send(record: OnFailureRecord, records: readonly ShardRecord[]): Promise<void>;
}

/** SendMessage with the invocation record as the body, as Lambda does for an SQS target. */
export function sqsFailureDestination(
  sqs: Pick<SQSClient, 'send'>,
  queueUrl: string,
): FailureDestination {
  return {
    async send(record) {
      await sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(record) }),
      );
    },
  };
}

export interface DiscardContext {
  functionArn: string;
  streamArn: string;
  condition: FailureCondition;
  /** Invocations that carried these records; 0 when they aged out before any. */
  invokeCount: number;
  /** The last failed invocation's error, when the function ran. */
  functionError: string | null;
  now: number;
}

export function invocationRecord(
  records: readonly ShardRecord[],
  context: DiscardContext,
): OnFailureRecord {
  const first = records[0];
  const last = records[records.length - 1];
  if (!first || !last) throw new Error('an invocation record needs at least one record');
  const expired = context.condition === 'RecordAgeExceeded';
  return {
    requestContext: {
      requestId: randomUUID(),
      functionArn: context.functionArn,
      condition: context.condition,
      // AWS counts at least 1 even when the records expired before any invocation (recorded
      // answer `expire-before-ingestion`: MaximumRetryAttempts 0, no invocation, count 1).
      approximateInvokeCount: expired ? Math.max(1, context.invokeCount) : context.invokeCount,
    },
    // For RecordAgeExceeded AWS omits responseContext entirely (recorded answers
    // `expire-while-retrying` and `expire-before-ingestion`). Otherwise Lambda reports the
    // Invoke API's status: 200 whenever the function ran, even if it threw.
    ...(expired
      ? {}
      : {
          responseContext: {
            statusCode: 200,
            executedVersion: '$LATEST',
            functionError: context.functionError,
          },
        }),
    version: '1.0',
    timestamp: new Date(context.now).toISOString(),
    KinesisBatchInfo: {
      shardId: first.shardId,
      startSequenceNumber: first.sequenceNumber,
      endSequenceNumber: last.sequenceNumber,
      approximateArrivalOfFirstRecord: new Date(first.arrivalMs).toISOString(),
      approximateArrivalOfLastRecord: new Date(last.arrivalMs).toISOString(),
      batchSize: records.length,
      streamArn: context.streamArn,
    },
  };
}
