import { specProblems } from './support/cfn-spec.ts';
import { packageStage, type Packaged } from './support/package-stage.ts';
import { PACKAGE_TIMEOUT_MS, PROD_ENV } from './support/prod-env.ts';
import {
  at,
  createdBefore,
  evaluate,
  list,
  ofType,
  onlyOfType,
  resource,
  type Template,
} from './support/template.ts';

let packaged: Packaged | undefined;
let template: Template;

beforeAll(() => {
  packaged = packageStage('prod', PROD_ENV);
  template = packaged.template;
}, PACKAGE_TIMEOUT_MS);
afterAll(() => packaged?.cleanup());

const props = (logicalId: string) => resource(template, logicalId).Properties ?? {};

describe('sls package --stage prod, checked offline', () => {
  test('every resource type and property exists in the CloudFormation specification', () => {
    expect(Object.keys(template.Resources).length).toBeGreaterThan(40);
    expect(specProblems(template)).toEqual([]);
  });

  test('the HTTP API has the ingest and dashboard routes, stage throttling and JSON access logs', () => {
    const routes = ofType(template, 'AWS::ApiGatewayV2::Route').map(
      ([, r]) => r.Properties?.RouteKey,
    );
    expect(routes.sort()).toEqual(
      [
        'GET /dashboard',
        'GET /dashboard/data',
        'POST /beacon/v1/batch',
        'POST /events',
        'POST /v1/b',
        'POST /v1/a',
        'POST /v1/alias',
        'POST /v1/batch',
        'POST /v1/g',
        'POST /v1/group',
        'POST /v1/i',
        'POST /v1/identify',
        'POST /v1/import',
        'POST /v1/p',
        'POST /v1/page',
        'POST /v1/s',
        'POST /v1/screen',
        'POST /v1/t',
        'POST /v1/track',
      ].sort(),
    );
    const [, stage] = onlyOfType(template, 'AWS::ApiGatewayV2::Stage');
    const settings = stage.Properties?.DefaultRouteSettings;
    expect(at(settings, 'ThrottlingRateLimit')).toBe(2000);
    expect(at(settings, 'ThrottlingBurstLimit')).toBe(4000);
    const logGroupId = at(stage.Properties, 'AccessLogSettings.DestinationArn.Fn::GetAtt.0');
    expect(resource(template, String(logGroupId)).Type).toBe('AWS::Logs::LogGroup');
    expect(resource(template, String(logGroupId)).Properties?.RetentionInDays).toBe(14);
    const format = JSON.parse(String(at(stage.Properties, 'AccessLogSettings.Format')));
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    // The write key travels in the Authorization header: it must never be logged.
    expect(JSON.stringify(format)).not.toMatch(/authorization|header/i);
  });

  test('the stream is on-demand in prod with no shard count, a week of retention and KMS encryption', () => {
    const [, stream] = onlyOfType(template, 'AWS::Kinesis::Stream');
    const p = evaluate(template, stream.Properties) as Record<string, unknown>;
    expect(p.StreamModeDetails).toEqual({ StreamMode: 'ON_DEMAND' });
    expect(p).not.toHaveProperty('ShardCount');
    expect(p.RetentionPeriodHours).toBe(168);
    expect(Number(p.RetentionPeriodHours)).toBeGreaterThanOrEqual(24);
    expect(Number(p.RetentionPeriodHours)).toBeLessThanOrEqual(8760);
    expect(p.StreamEncryption).toEqual({ EncryptionType: 'KMS', KeyId: 'alias/aws/kinesis' });
  });

  test('every event source mapping sets batching, retries, bisect, record age, partial failures and an SQS on-failure destination', () => {
    const mappings = ofType(template, 'AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(1);
    const queues = ofType(template, 'AWS::SQS::Queue').map(([id]) => id);
    for (const [, mapping] of mappings) {
      const p = mapping.Properties ?? {};
      expect(p).toMatchObject({
        BatchSize: 1000,
        MaximumBatchingWindowInSeconds: 1,
        ParallelizationFactor: 1,
        BisectBatchOnFunctionError: true,
        MaximumRetryAttempts: 5,
        MaximumRecordAgeInSeconds: 3600,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        TumblingWindowInSeconds: 60,
        StartingPosition: 'TRIM_HORIZON',
      });
      const destination = at(p, 'DestinationConfig.OnFailure.Destination.Fn::GetAtt');
      expect(queues).toContain(list(destination as string[])[0]);
      // Enhanced fan-out: the mapping reads through the registered consumer.
      const consumer = at(p, 'EventSourceArn.Fn::GetAtt.0');
      expect(resource(template, String(consumer)).Type).toBe('AWS::Kinesis::StreamConsumer');
    }
  });

  test('the events delivery stream reads the stream through the transform, with error output, logging and KMS', () => {
    const p = props('EventsDeliveryStream');
    expect(p.DeliveryStreamType).toBe('KinesisStreamAsSource');
    expect(at(p, 'KinesisStreamSourceConfiguration.KinesisStreamARN.Fn::GetAtt.0')).toBe(
      'ClickstreamStream',
    );
    expect(p).not.toHaveProperty('DeliveryStreamEncryptionConfigurationInput');
    const s3 = p.ExtendedS3DestinationConfiguration as Record<string, unknown>;
    const processor = list(at(s3, 'ProcessingConfiguration.Processors') as unknown[])[0];
    expect(at(s3, 'ProcessingConfiguration.Enabled')).toBe(true);
    expect(at(processor, 'Type')).toBe('Lambda');
    const parameters = Object.fromEntries(
      (
        at(processor, 'Parameters') as Array<{ ParameterName: string; ParameterValue: unknown }>
      ).map((x) => [x.ParameterName, x.ParameterValue]),
    );
    expect(parameters.LambdaArn).toEqual({ 'Fn::GetAtt': ['TransformLambdaFunction', 'Arn'] });
    expect(parameters.NumberOfRetries).toBe('3');
    expect(s3.Prefix).toBe('events/!{timestamp:yyyy/MM/dd/HH}/');
    expect(String(s3.ErrorOutputPrefix)).toMatch(
      /^processing-failed\/events\/!\{firehose:error-output-type\}/,
    );
    expect(s3.BufferingHints).toEqual({ SizeInMBs: 64, IntervalInSeconds: 300 });
    expect(at(s3, 'EncryptionConfiguration.KMSEncryptionConfig.AWSKMSKeyARN')).toEqual({
      'Fn::GetAtt': ['DataKey', 'Arn'],
    });
    expectLogging(s3.CloudWatchLoggingOptions);
  });

  test('the metrics delivery stream is direct put, encrypted at rest, with error output and logging', () => {
    const p = props('MetricsDeliveryStream');
    expect(p.DeliveryStreamType).toBe('DirectPut');
    expect(p.DeliveryStreamEncryptionConfigurationInput).toEqual({ KeyType: 'AWS_OWNED_CMK' });
    const s3 = p.ExtendedS3DestinationConfiguration as Record<string, unknown>;
    expect(s3.Prefix).toBe('metrics/!{timestamp:yyyy/MM/dd/HH}/');
    expect(String(s3.ErrorOutputPrefix)).toMatch(/^processing-failed\/metrics\//);
    expect(s3.BufferingHints).toEqual({ SizeInMBs: 64, IntervalInSeconds: 60 });
    expect(at(s3, 'EncryptionConfiguration.KMSEncryptionConfig.AWSKMSKeyARN')).toBeDefined();
    expectLogging(s3.CloudWatchLoggingOptions);
  });

  test('the bucket is KMS-encrypted, private, TLS-only, kept in prod and ages data by prefix', () => {
    const [bucketId, bucket] = ofType(template, 'AWS::S3::Bucket').filter(
      ([id]) => id !== 'ServerlessDeploymentBucket',
    )[0] as [string, (typeof template.Resources)[string]];
    const p = bucket.Properties ?? {};
    expect(at(p, 'BucketEncryption.ServerSideEncryptionConfiguration.0')).toMatchObject({
      ServerSideEncryptionByDefault: {
        SSEAlgorithm: 'aws:kms',
        KMSMasterKeyID: { 'Fn::GetAtt': ['DataKey', 'Arn'] },
      },
      BucketKeyEnabled: true,
    });
    expect(p.PublicAccessBlockConfiguration).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket.DeletionPolicy).toBe('Retain');

    const policies = ofType(template, 'AWS::S3::BucketPolicy').filter(
      ([, r]) => at(r.Properties, 'Bucket.Ref') === bucketId,
    );
    expect(policies).toHaveLength(1);
    const statements = at(policies[0]?.[1].Properties, 'PolicyDocument.Statement') as unknown[];
    expect(statements).toContainEqual(
      expect.objectContaining({
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }),
    );

    const rules = at(p, 'LifecycleConfiguration.Rules') as Array<Record<string, unknown>>;
    const rule = (prefix: string) =>
      rules.find((r) => r.Prefix === prefix && r.Status === 'Enabled');
    expect(rule('events/')?.ExpirationInDays).toBe(365);
    expect(at(rule('events/'), 'Transitions.0.StorageClass')).toBe('STANDARD_IA');
    expect(rule('metrics/')?.ExpirationInDays).toBeGreaterThan(0);
    expect(rule('processing-failed/')?.ExpirationInDays).toBe(90);
  });

  test('objects created under events/, metrics/ and processing-failed/ notify the load function, once the bucket exists', () => {
    const [id, notifications] = onlyOfType(template, 'Custom::S3');
    const p = notifications.Properties ?? {};
    expect(p.FunctionName).toBe('clickstream-prod-load');
    expect(p.BucketName).toBe(props('AnalyticsBucket').BucketName);
    const prefixes = (p.BucketConfigs as Array<{ Event: string; Rules: Array<{ Prefix: string }> }>)
      .filter((c) => c.Event === 's3:ObjectCreated:*')
      .flatMap((c) => c.Rules.map((r) => r.Prefix));
    expect(prefixes.sort()).toEqual(['events/', 'metrics/', 'processing-failed/']);
    // The custom resource names the bucket as a string: without a dependency it could run
    // before the bucket exists and fail the first deploy.
    expect(createdBefore(template, 'AnalyticsBucket', id)).toBe(true);
  });

  test('the dead-letter queue keeps messages 14 days, encrypted', () => {
    expect(props('DeadLetterQueue')).toMatchObject({
      MessageRetentionPeriod: 1209600,
      SqsManagedSseEnabled: true,
    });
  });

  test('the alarm topic and the key behind it are encrypted and rotated', () => {
    const [, topic] = onlyOfType(template, 'AWS::SNS::Topic');
    expect(topic.Properties?.KmsMasterKeyId).toEqual({ Ref: 'DataKey' });
    expect(props('DataKey').EnableKeyRotation).toBe(true);
  });
});

function expectLogging(options: unknown): void {
  expect(at(options, 'Enabled')).toBe(true);
  const group = at(options, 'LogGroupName.Ref');
  const stream = at(options, 'LogStreamName.Ref');
  expect(resource(template, String(group)).Type).toBe('AWS::Logs::LogGroup');
  expect(resource(template, String(stream)).Type).toBe('AWS::Logs::LogStream');
  expect(at(resource(template, String(stream)).Properties, 'LogGroupName.Ref')).toBe(group);
}
