import { asyncInvokeSpec, type AsyncInvokeSpec } from './async-invoke/async-config.ts';
import { isCreated, resolve, type CfnResource, type LocalNames } from './cfn.ts';
import type { KinesisMappingConfig } from './event-source-mapping/mapping-config.ts';
import type { DeliveryStreamConfig } from './firehose/delivery-stream-config.ts';
import { readSnsTopics, type TopicSpec } from './sns-topics.ts';

/**
 * What serverless.yml asks of the local stand-ins, read from the functions' events and the
 * CloudFormation Resources, with every intrinsic resolved to local names.
 */
/** An event source mapping as the stand-in takes it, with the function's key and queue name. */
export type StreamMapping = Omit<KinesisMappingConfig, 'onFailureDestination'> & {
  functionKey: string;
  /** The on-failure destination's queue name (an SQS ARN on AWS; a URL once SQS is up). */
  onFailureQueue?: string;
};

export interface BucketNotification {
  bucket: string;
  functionName: string;
  prefix?: string;
  suffix?: string;
}

export type DeliveryStreamSpec = DeliveryStreamConfig;

export interface Topology {
  mappings: StreamMapping[];
  notifications: BucketNotification[];
  /** Asynchronous invocation settings of each function S3 invokes. */
  asyncInvoke: AsyncInvokeSpec[];
  deliveryStreams: DeliveryStreamSpec[];
  buckets: string[];
  queues: string[];
  /** SNS topics with their SQS subscriptions (and topics only an on-failure ARN names). */
  topics: TopicSpec[];
}

export interface ServerlessEvent {
  stream?: Record<string, unknown>;
  s3?: Record<string, unknown> | string;
}

export interface FunctionSpec {
  key: string;
  /** The deployed name, which serverless-offline's Lambda Invoke API answers to. */
  name: string;
  events: ServerlessEvent[];
  /** Asynchronous invocation settings (osls function keys). */
  maximumRetryAttempts?: unknown;
  maximumEventAge?: unknown;
  destinations?: unknown;
}

const lastSegment = (arn: string, marker: string) =>
  arn.slice(arn.lastIndexOf(marker) + marker.length);
const num = (value: unknown, fallback: number) =>
  value === undefined || value === null ? fallback : Number(value);

export function readTopology(functions: readonly FunctionSpec[], names: LocalNames): Topology {
  const resources = names.resources;
  const ofType = (type: string) =>
    Object.entries(resources).filter(
      ([, r]) => (r as CfnResource).Type === type && isCreated(names, r as CfnResource),
    );
  const mappings: StreamMapping[] = [];
  const notifications: BucketNotification[] = [];
  const asyncInvoke: AsyncInvokeSpec[] = [];

  for (const fn of functions) {
    const before = notifications.length;
    fn.events.forEach((event, index) => {
      if (event.stream)
        mappings.push(
          streamMapping(fn, index, resolve(names, event.stream) as Record<string, unknown>),
        );
      if (event.s3) notifications.push(...bucketNotifications(fn, resolve(names, event.s3)));
    });
    // Only S3 invokes functions asynchronously locally; others' settings are not used here.
    if (notifications.length > before)
      asyncInvoke.push(asyncInvokeSpec({ ...fn, destinations: resolve(names, fn.destinations) }));
  }

  refuseDuplicateMappings(mappings);

  const deliveryStreams = ofType('AWS::KinesisFirehose::DeliveryStream').map(
    ([logicalId, resource]) =>
      deliveryStream(
        resolve(names, resource.Properties ?? {}) as Record<string, unknown>,
        names,
        logicalId,
      ),
  );
  const buckets = ofType('AWS::S3::Bucket').map(([id]) => String(resolve(names, { Ref: id })));
  const queues = ofType('AWS::SQS::Queue').map(([id]) =>
    String(resolve(names, { 'Fn::GetAtt': [id, 'QueueName'] })),
  );
  const topics = readSnsTopics(
    names,
    queues,
    mappings.flatMap((m) => (m.onFailureTopic ? [m.onFailureTopic] : [])),
  );
  return { mappings, notifications, asyncInvoke, deliveryStreams, buckets, queues, topics };
}

/**
 * CreateEventSourceMapping refuses a second mapping of one function on one event source
 * (ResourceConflictException, 409: "The event source arn (…) and function (…) provided mapping
 * already exists"; AWS's recorded answer in localstack's AWS-validated snapshot
 * test_duplicate_event_source_mappings). The event source is the consumer ARN for an enhanced
 * fan-out mapping, the stream ARN otherwise. Locally both would run and process every record
 * twice, so `npm start` fails instead.
 */
function refuseDuplicateMappings(mappings: readonly StreamMapping[]): void {
  const seen = new Map<string, StreamMapping>();
  for (const mapping of mappings) {
    const source = mapping.consumerArn ?? mapping.streamArn;
    const key = `${mapping.functionName}\n${source}`;
    const earlier = seen.get(key);
    if (earlier) {
      throw new Error(
        `ResourceConflictException: functions.${mapping.functionKey} has two stream events on ${source} ` +
          `(events[${eventIndex(earlier)}] and events[${eventIndex(mapping)}]); AWS refuses a second ` +
          'mapping of one function on one event source. Merge them into one stream event.',
      );
    }
    seen.set(key, mapping);
  }
}

const eventIndex = (mapping: StreamMapping) =>
  mapping.uuid.slice(mapping.uuid.lastIndexOf('-') + 1);

function streamMapping(
  fn: FunctionSpec,
  index: number,
  stream: Record<string, unknown>,
): StreamMapping {
  const streamArn = String(typeof stream.arn === 'object' ? '' : stream.arn);
  if (!streamArn.startsWith('arn:aws:kinesis:')) {
    throw new Error(
      `functions.${fn.key}.events[${index}].stream.arn must be a Kinesis stream ARN (got ${streamArn || 'nothing'})`,
    );
  }
  const onFailure = (stream.destinations as { onFailure?: unknown } | undefined)?.onFailure;
  const onFailureArn =
    typeof onFailure === 'string' ? onFailure : (onFailure as { arn?: unknown } | undefined)?.arn;
  const mapping: StreamMapping = {
    uuid: `${fn.key}-${index}`,
    functionKey: fn.key,
    functionName: fn.name,
    streamName: lastSegment(streamArn, ':stream/'),
    streamArn,
    batchSize: num(stream.batchSize, 100),
    maximumBatchingWindowInSeconds: num(stream.batchWindow, 0),
    parallelizationFactor: num(stream.parallelizationFactor, 1),
    startingPosition:
      (stream.startingPosition as StreamMapping['startingPosition']) ?? 'TRIM_HORIZON',
    maximumRetryAttempts: num(stream.maximumRetryAttempts, -1),
    maximumRecordAgeInSeconds: num(stream.maximumRecordAgeInSeconds, -1),
    bisectBatchOnFunctionError: stream.bisectBatchOnFunctionError === true,
    functionResponseTypes:
      stream.functionResponseType === 'ReportBatchItemFailures' ? ['ReportBatchItemFailures'] : [],
    tumblingWindowInSeconds: num(stream.tumblingWindowInSeconds, 0),
    enabled: stream.enabled !== false,
  };
  if (typeof stream.consumer === 'string') mapping.consumerArn = stream.consumer;
  if (stream.startingPositionTimestamp !== undefined)
    mapping.startingPositionTimestamp = Number(stream.startingPositionTimestamp);
  if (Array.isArray(stream.filterPatterns)) {
    mapping.filterCriteria = {
      Filters: stream.filterPatterns.map((pattern) => ({ Pattern: JSON.stringify(pattern) })),
    };
  }
  if (typeof onFailureArn === 'string' && onFailureArn.startsWith('arn:aws:sqs:')) {
    mapping.onFailureQueue = lastSegment(onFailureArn, ':');
  } else if (typeof onFailureArn === 'string' && onFailureArn.startsWith('arn:aws:s3:::')) {
    mapping.onFailureBucket = lastSegment(onFailureArn, ':::');
  } else if (typeof onFailureArn === 'string' && onFailureArn.startsWith('arn:aws:sns:')) {
    mapping.onFailureTopic = onFailureArn;
  } else if (onFailure !== undefined) {
    throw new Error(
      `functions.${fn.key}.events[${index}].stream.destinations.onFailure is ${String(onFailureArn)}: ` +
        'an on-failure destination is the ARN of an SQS queue, an SNS topic or an S3 bucket',
    );
  }
  return mapping;
}

function bucketNotifications(fn: FunctionSpec, s3: unknown): BucketNotification[] {
  const spec = typeof s3 === 'string' ? { bucket: s3 } : (s3 as Record<string, unknown>);
  const event = String(spec.event ?? 's3:ObjectCreated:*');
  if (!event.startsWith('s3:ObjectCreated:')) return [];
  const rules = Array.isArray(spec.rules) ? (spec.rules as Array<Record<string, unknown>>) : [];
  const notification: BucketNotification = { bucket: String(spec.bucket), functionName: fn.name };
  for (const rule of rules) {
    if (typeof rule.prefix === 'string') notification.prefix = rule.prefix;
    if (typeof rule.suffix === 'string') notification.suffix = rule.suffix;
  }
  return [notification];
}

/**
 * What the local Firehose cannot do fails `npm start` rather than doing less than AWS:
 * objects would otherwise differ in name, encoding or timing from the deployed ones.
 */
function refuseUnsupportedDestination(logicalId: string, s3: Record<string, unknown>): void {
  const at = `Resources.${logicalId}.Properties.ExtendedS3DestinationConfiguration`;
  const problems: string[] = [];
  const compression = s3.CompressionFormat;
  if (compression !== undefined && compression !== 'UNCOMPRESSED' && compression !== 'GZIP')
    problems.push(
      `CompressionFormat ${String(compression)}: the local Firehose writes UNCOMPRESSED or GZIP only`,
    );
  const conversion = s3.DataFormatConversionConfiguration as { Enabled?: unknown } | undefined;
  if (conversion && conversion.Enabled !== false)
    problems.push(
      'DataFormatConversionConfiguration: record format conversion is not done locally',
    );
  if (s3.CustomTimeZone !== undefined && s3.CustomTimeZone !== 'UTC')
    problems.push(
      `CustomTimeZone ${String(s3.CustomTimeZone)}: prefixes are evaluated in UTC locally`,
    );
  if (s3.S3BackupMode === 'Enabled')
    problems.push('S3BackupMode Enabled: the source record backup is not written locally');
  if (problems.length > 0)
    throw new Error(
      `${at} asks what the local Firehose cannot do:\n  - ${problems.join('\n  - ')}`,
    );
}

function deliveryStream(
  props: Record<string, unknown>,
  names: LocalNames,
  logicalId: string,
): DeliveryStreamSpec {
  const name = String(props.DeliveryStreamName ?? `${names.service}-${names.stage}-${logicalId}`);
  const s3 = (props.ExtendedS3DestinationConfiguration ??
    props.S3DestinationConfiguration ??
    {}) as Record<string, unknown>;
  const hints = (s3.BufferingHints ?? {}) as Record<string, unknown>;
  const spec: DeliveryStreamSpec = {
    name,
    arn: String(resolve(names, { 'Fn::GetAtt': [logicalId, 'Arn'] })),
    bucket: lastSegment(String(s3.BucketARN ?? ''), ':::'),
    prefix: String(s3.Prefix ?? ''),
    errorOutputPrefix: String(s3.ErrorOutputPrefix ?? ''),
    bufferingHints: {
      sizeInMBs: num(hints.SizeInMBs, 5),
      intervalInSeconds: num(hints.IntervalInSeconds, 300),
    },
    compression: s3.CompressionFormat === 'GZIP' ? 'GZIP' : 'UNCOMPRESSED',
  };
  refuseUnsupportedDestination(logicalId, s3);
  if (typeof s3.FileExtension === 'string') spec.fileExtension = s3.FileExtension;
  const partitioning = s3.DynamicPartitioningConfiguration as { Enabled?: unknown } | undefined;
  if (partitioning?.Enabled === true) spec.dynamicPartitioning = true;
  const source = (
    props.KinesisStreamSourceConfiguration as { KinesisStreamARN?: string } | undefined
  )?.KinesisStreamARN;
  if (source) spec.source = { streamArn: source, streamName: lastSegment(source, ':stream/') };
  const processing = s3.ProcessingConfiguration as
    { Enabled?: boolean; Processors?: Array<Record<string, unknown>> } | undefined;
  const lambda =
    processing?.Enabled === false
      ? undefined
      : processing?.Processors?.find((p) => p.Type === 'Lambda');
  if (lambda) {
    const params = new Map(
      ((lambda.Parameters ?? []) as Array<{ ParameterName: string; ParameterValue: unknown }>).map(
        (p) => [p.ParameterName, p.ParameterValue],
      ),
    );
    spec.processor = {
      functionName: lastSegment(String(params.get('LambdaArn') ?? ''), ':function:'),
      bufferSizeInMBs: num(params.get('BufferSizeInMBs'), 1),
      bufferIntervalInSeconds: num(params.get('BufferIntervalInSeconds'), 60),
      numberOfRetries: num(params.get('NumberOfRetries'), 3),
    };
  }
  return spec;
}
