import type { LocalNames } from '../../../offline/cfn.ts';
import { readTopology, type FunctionSpec } from '../../../offline/topology.ts';

const names: LocalNames = {
  region: 'us-east-1',
  service: 'svc',
  stage: 'local',
  resources: {},
  functionsByLogicalId: {},
  sqsEndpoint: 'http://127.0.0.1:4576',
};
const STREAM = 'arn:aws:kinesis:us-east-1:000000000000:stream/clicks';
const fn = (events: FunctionSpec['events']): FunctionSpec[] => [
  { key: 'aggregate', name: 'svc-local-aggregate', events },
];

describe('serverless.yml configurations AWS refuses fail npm start', () => {
  test('two mappings of one function on one stream are refused with ResourceConflictException', () => {
    const events = fn([
      { stream: { type: 'kinesis', arn: STREAM, batchSize: 10 } },
      { stream: { type: 'kinesis', arn: STREAM, batchSize: 20 } },
    ]);
    expect(() => readTopology(events, names)).toThrow(
      /ResourceConflictException: functions\.aggregate has two stream events on arn:aws:kinesis:us-east-1:000000000000:stream\/clicks \(events\[0\] and events\[1\]\)/,
    );
  });

  test('one function may map a stream and an enhanced fan-out consumer of it: two event sources', () => {
    const events = fn([
      { stream: { type: 'kinesis', arn: STREAM } },
      { stream: { type: 'kinesis', arn: STREAM, consumer: `${STREAM}/consumer/c:1` } },
    ]);
    expect(readTopology(events, names).mappings).toHaveLength(2);
  });

  test('two functions may map the same stream', () => {
    const events: FunctionSpec[] = [
      { key: 'a', name: 'svc-local-a', events: [{ stream: { type: 'kinesis', arn: STREAM } }] },
      { key: 'b', name: 'svc-local-b', events: [{ stream: { type: 'kinesis', arn: STREAM } }] },
    ];
    expect(readTopology(events, names).mappings).toHaveLength(2);
  });
});

describe('Firehose S3 destination settings the local Firehose cannot honour fail npm start', () => {
  const withDestination = (destination: Record<string, unknown>): LocalNames => ({
    ...names,
    resources: {
      Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: 'b' } },
      Delivery: {
        Type: 'AWS::KinesisFirehose::DeliveryStream',
        Properties: {
          DeliveryStreamName: 'd',
          ExtendedS3DestinationConfiguration: { BucketARN: 'arn:aws:s3:::b', ...destination },
        },
      },
    },
  });

  test.each([
    [{ CompressionFormat: 'Snappy' }, /CompressionFormat Snappy/],
    [{ CompressionFormat: 'ZIP' }, /CompressionFormat ZIP/],
    [{ DataFormatConversionConfiguration: { Enabled: true } }, /record format conversion/],
    [{ CustomTimeZone: 'Europe/Paris' }, /CustomTimeZone Europe\/Paris/],
    [{ S3BackupMode: 'Enabled' }, /S3BackupMode Enabled/],
  ])('%j is refused', (destination, message) => {
    expect(() => readTopology([], withDestination(destination))).toThrow(message);
  });

  test('FileExtension and dynamic partitioning are passed to the local Firehose', () => {
    const [spec] = readTopology(
      [],
      withDestination({
        FileExtension: '.json',
        DynamicPartitioningConfiguration: { Enabled: true },
        CompressionFormat: 'GZIP',
        CustomTimeZone: 'UTC',
      }),
    ).deliveryStreams;
    expect(spec).toMatchObject({
      fileExtension: '.json',
      dynamicPartitioning: true,
      compression: 'GZIP',
    });
  });
});

describe('on-failure destinations: SQS, SNS and S3 as on AWS; anything else fails npm start', () => {
  test('an onFailure ARN of another service is refused, naming the destinations AWS takes', () => {
    const events = fn([
      {
        stream: {
          type: 'kinesis',
          arn: STREAM,
          destinations: { onFailure: 'arn:aws:lambda:us-east-1:000000000000:function:f' },
        },
      },
    ]);
    expect(() => readTopology(events, names)).toThrow(
      /functions\.aggregate\.events\[0\]\.stream\.destinations\.onFailure is arn:aws:lambda:.*SQS queue, an SNS topic or an S3 bucket/,
    );
  });

  test('an SQS queue ARN, plain or as { arn }, or an S3 bucket ARN becomes the mapping destination', () => {
    const queue = 'arn:aws:sqs:us-east-1:000000000000:dlq';
    for (const onFailure of [queue, { arn: queue }]) {
      const events = fn([
        { stream: { type: 'kinesis', arn: STREAM, destinations: { onFailure } } },
      ]);
      expect(readTopology(events, names).mappings[0]?.onFailureQueue).toBe('dlq');
    }
    const bucket = fn([
      {
        stream: { type: 'kinesis', arn: STREAM, destinations: { onFailure: 'arn:aws:s3:::fails' } },
      },
    ]);
    expect(readTopology(bucket, names).mappings[0]?.onFailureBucket).toBe('fails');
    const topic = 'arn:aws:sns:us-east-1:000000000000:failures';
    const sns = fn([
      { stream: { type: 'kinesis', arn: STREAM, destinations: { onFailure: topic } } },
    ]);
    expect(readTopology(sns, names).mappings[0]?.onFailureTopic).toBe(topic);
  });
});

describe('asynchronous invocation settings the local stack cannot honour fail npm start', () => {
  const s3Fn = (settings: Partial<FunctionSpec>): FunctionSpec[] => [
    { key: 'load', name: 'svc-local-load', events: [{ s3: { bucket: 'b' } }], ...settings },
  ];

  test.each([
    [
      { maximumRetryAttempts: 3 },
      /functions\.load\.maximumRetryAttempts must be an integer from 0 to 2 \(got 3\)/,
    ],
    [
      { maximumEventAge: 59 },
      /functions\.load\.maximumEventAge must be an integer from 60 to 21600/,
    ],
    [
      { destinations: { onFailure: 'arn:aws:sns:us-east-1:000000000000:alerts' } },
      /destinations\.onFailure is arn:aws:sns:.*must be an SQS queue/,
    ],
    [
      { destinations: { onFailure: { type: 'lambda', arn: 'otherFunction' } } },
      /destinations\.onFailure is otherFunction/,
    ],
    [
      { destinations: { onSuccess: 'arn:aws:sqs:us-east-1:000000000000:q' } },
      /destinations\.onSuccess: the local stack does not send on-success invocation records/,
    ],
  ])('%j is refused', (settings, message) => {
    expect(() => readTopology(s3Fn(settings), names)).toThrow(message);
  });

  test("AWS's defaults when nothing is set: two retries, six hours, no destination", () => {
    expect(readTopology(s3Fn({}), names).asyncInvoke).toEqual([
      {
        functionKey: 'load',
        functionName: 'svc-local-load',
        maximumRetryAttempts: 2,
        maximumEventAgeSeconds: 21_600,
      },
    ]);
  });
});
