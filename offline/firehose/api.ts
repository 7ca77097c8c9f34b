import {
  ACCOUNT_ID,
  lambdaArn,
  MAX_BATCH_BYTES,
  MAX_BATCH_RECORDS,
  MAX_RECORD_BYTES,
  type DeliveryStreamConfig,
} from './delivery-stream-config.ts';

/**
 * The Firehose JSON API (x-amz-target Firehose_20150804.<Operation>, awsJson1_1) as far as the
 * app uses it, with the validation Firehose applies before accepting anything: an invalid call
 * is refused whole with a 400 and an error type; a valid one can still fail per record
 * (FailedPutCount > 0 on a 200), which producers must resend.
 */
export class FirehoseApiError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = type;
  }
}

export interface PutEntry {
  data: Buffer;
}

export type PutResult = { recordId: string } | { errorCode: string; errorMessage: string };

export interface ApiBackend {
  streams: readonly DeliveryStreamConfig[];
  region: string;
  createdAt: number;
  put(stream: DeliveryStreamConfig, entries: PutEntry[], single: boolean): PutResult[];
}

type Body = Record<string, unknown>;

function streamNamed(backend: ApiBackend, body: Body): DeliveryStreamConfig {
  const name = body.DeliveryStreamName;
  if (typeof name !== 'string' || name === '')
    throw new FirehoseApiError(
      'ValidationException',
      "1 validation error detected: Value null at 'deliveryStreamName' failed to satisfy constraint: Member must not be null",
    );
  const stream = backend.streams.find((s) => s.name === name);
  if (!stream)
    throw new FirehoseApiError(
      'ResourceNotFoundException',
      `Firehose ${name} under account ${ACCOUNT_ID} not found.`,
    );
  return stream;
}

function directPutOnly(stream: DeliveryStreamConfig): void {
  if (stream.source)
    throw new FirehoseApiError(
      'InvalidArgumentException',
      'This operation is not permitted on KinesisStreamAsSource delivery stream type.',
    );
}

function decodeData(record: unknown, field: string): Buffer {
  const data = (record as { Data?: unknown } | null)?.Data;
  if (typeof data !== 'string')
    throw new FirehoseApiError(
      'ValidationException',
      `1 validation error detected: Value null at '${field}.data' failed to satisfy constraint: Member must not be null`,
    );
  const bytes = Buffer.from(data, 'base64');
  if (bytes.length > MAX_RECORD_BYTES)
    throw new FirehoseApiError(
      'ValidationException',
      `1 validation error detected: Value at '${field}.data' failed to satisfy constraint: Member must have length less than or equal to ${MAX_RECORD_BYTES}`,
    );
  return bytes;
}

export function handleOperation(backend: ApiBackend, operation: string, body: Body): unknown {
  switch (operation) {
    case 'PutRecord': {
      const stream = streamNamed(backend, body);
      directPutOnly(stream);
      const [result] = backend.put(stream, [{ data: decodeData(body.Record, 'record') }], true);
      if (!result || 'errorCode' in result)
        throw new FirehoseApiError(
          'ServiceUnavailableException',
          result && 'errorMessage' in result ? result.errorMessage : 'Slow down.',
          503,
        );
      return { RecordId: result.recordId, Encrypted: false };
    }
    case 'PutRecordBatch': {
      const stream = streamNamed(backend, body);
      directPutOnly(stream);
      const records = Array.isArray(body.Records) ? body.Records : [];
      if (records.length < 1 || records.length > MAX_BATCH_RECORDS)
        throw new FirehoseApiError(
          'ValidationException',
          `1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length ${records.length < 1 ? 'greater than or equal to 1' : `less than or equal to ${MAX_BATCH_RECORDS}`}`,
        );
      const entries = records.map((record, i) => ({
        data: decodeData(record, `records.${i + 1}.member`),
      }));
      const total = entries.reduce((sum, e) => sum + e.data.length, 0);
      if (total > MAX_BATCH_BYTES)
        throw new FirehoseApiError(
          'InvalidArgumentException',
          `Records size exceeds ${MAX_BATCH_BYTES / 1024 / 1024} MB limit (got ${total} bytes)`,
        );
      const results = backend.put(stream, entries, false);
      return {
        FailedPutCount: results.filter((r) => 'errorCode' in r).length,
        Encrypted: false,
        RequestResponses: results.map((r) =>
          'errorCode' in r
            ? { ErrorCode: r.errorCode, ErrorMessage: r.errorMessage }
            : { RecordId: r.recordId },
        ),
      };
    }
    case 'DescribeDeliveryStream':
      return { DeliveryStreamDescription: describe(backend, streamNamed(backend, body)) };
    case 'ListDeliveryStreams': {
      const type = body.DeliveryStreamType;
      const limit = typeof body.Limit === 'number' ? Math.min(Math.max(body.Limit, 1), 10_000) : 10;
      const start =
        typeof body.ExclusiveStartDeliveryStreamName === 'string'
          ? body.ExclusiveStartDeliveryStreamName
          : '';
      const names = backend.streams
        .filter(
          (s) => type === undefined || type === (s.source ? 'KinesisStreamAsSource' : 'DirectPut'),
        )
        .map((s) => s.name)
        .sort()
        .filter((name) => name > start);
      return {
        DeliveryStreamNames: names.slice(0, limit),
        HasMoreDeliveryStreams: names.length > limit,
      };
    }
    default:
      throw new FirehoseApiError(
        'UnknownOperationException',
        `Operation ${operation} is not supported by the local Firehose stand-in`,
      );
  }
}

function describe(backend: ApiBackend, s: DeliveryStreamConfig) {
  const created = backend.createdAt / 1000;
  const processing = s.processor
    ? {
        Enabled: true,
        Processors: [
          {
            Type: 'Lambda',
            Parameters: [
              {
                ParameterName: 'LambdaArn',
                ParameterValue: lambdaArn(backend.region, s.processor.functionName),
              },
              {
                ParameterName: 'NumberOfRetries',
                ParameterValue: String(s.processor.numberOfRetries),
              },
              {
                ParameterName: 'BufferSizeInMBs',
                ParameterValue: String(s.processor.bufferSizeInMBs),
              },
              {
                ParameterName: 'BufferIntervalInSeconds',
                ParameterValue: String(s.processor.bufferIntervalInSeconds),
              },
            ],
          },
        ],
      }
    : { Enabled: false };
  const roleArn = `arn:aws:iam::${ACCOUNT_ID}:role/firehose-local`;
  return {
    DeliveryStreamName: s.name,
    DeliveryStreamARN: s.arn,
    DeliveryStreamStatus: 'ACTIVE',
    DeliveryStreamType: s.source ? 'KinesisStreamAsSource' : 'DirectPut',
    VersionId: '1',
    CreateTimestamp: created,
    ...(s.source
      ? {
          Source: {
            KinesisStreamSourceDescription: {
              KinesisStreamARN: s.source.streamArn,
              RoleARN: roleArn,
              DeliveryStartTimestamp: created,
            },
          },
        }
      : {}),
    Destinations: [
      {
        DestinationId: 'destinationId-000000000001',
        ExtendedS3DestinationDescription: {
          RoleARN: roleArn,
          BucketARN: `arn:aws:s3:::${s.bucket}`,
          Prefix: s.prefix,
          ErrorOutputPrefix: s.errorOutputPrefix,
          BufferingHints: {
            SizeInMBs: s.bufferingHints.sizeInMBs,
            IntervalInSeconds: s.bufferingHints.intervalInSeconds,
          },
          CompressionFormat: s.compression ?? 'UNCOMPRESSED',
          EncryptionConfiguration: { NoEncryptionConfig: 'NoEncryption' },
          ProcessingConfiguration: processing,
          S3BackupMode: 'Disabled',
          DynamicPartitioningConfiguration: { Enabled: s.dynamicPartitioning ?? false },
        },
      },
    ],
    HasMoreDestinations: false,
  };
}
