/**
 * The Firehose data-transformation contract, as plain types (no aws-lambda or SDK import):
 * https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html
 * Structurally compatible with FirehoseTransformationEvent/Result from @types/aws-lambda.
 */
export interface FirehoseTransformationEvent {
  invocationId: string;
  deliveryStreamArn: string;
  region: string;
  records: FirehoseInputRecord[];
}

export interface FirehoseInputRecord {
  recordId: string;
  /** base64 */
  data: string;
  /** Milliseconds since the epoch: when the record reached the source stream. */
  approximateArrivalTimestamp: number;
  /** Present when the source is a Kinesis data stream. */
  kinesisRecordMetadata?: {
    shardId?: string;
    partitionKey?: string;
    sequenceNumber?: string;
    subsequenceNumber?: string;
    approximateArrivalTimestamp?: number;
  };
}

export type TransformationResult = 'Ok' | 'Dropped' | 'ProcessingFailed';

export interface FirehoseOutputRecord {
  recordId: string;
  result: TransformationResult;
  /** base64 */
  data: string;
  metadata?: { partitionKeys: Record<string, string> };
}

export interface FirehoseTransformationResponse {
  records: FirehoseOutputRecord[];
}

/** The request and the response of a transformation Lambda are each capped at 6 MB. */
export const MAX_RESPONSE_BYTES = 6 * 1024 * 1024;
