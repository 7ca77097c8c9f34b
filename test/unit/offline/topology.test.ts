import { spawnSync } from 'node:child_process';
import { resolve as resolvePath } from 'node:path';
import { getAtt, refOf, resolve, type CfnResource, type LocalNames } from '../../../offline/cfn.ts';
import { readTopology, type FunctionSpec } from '../../../offline/topology.ts';

interface Printed {
  service: string;
  functions: Record<
    string,
    Pick<FunctionSpec, 'name' | 'maximumRetryAttempts' | 'maximumEventAge' | 'destinations'> & {
      events?: FunctionSpec['events'];
    }
  >;
  resources: { Resources: Record<string, CfnResource>; Conditions: Record<string, unknown> };
}

let printed: Printed;
let names: LocalNames;

beforeAll(() => {
  // The real serverless.yml, resolved by the framework itself, as the plugin sees it.
  const result = spawnSync(
    process.execPath,
    ['node_modules/serverless/bin/serverless.js', 'print', '--stage', 'local', '--format', 'json'],
    { cwd: resolvePath(__dirname, '../../..'), encoding: 'utf8', timeout: 60_000 },
  );
  expect(result.status).toBe(0);
  printed = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as Printed;
  names = {
    region: 'us-east-1',
    service: 'clickstream',
    stage: 'local',
    resources: printed.resources.Resources,
    conditions: printed.resources.Conditions,
    functionsByLogicalId: { TransformLambdaFunction: 'clickstream-local-transform' },
    sqsEndpoint: 'http://127.0.0.1:4576',
  };
}, 70_000);

function functions(): FunctionSpec[] {
  return Object.entries(printed.functions).map(([key, fn]) => ({
    ...fn,
    key,
    name: fn.name,
    events: fn.events ?? [],
  }));
}

describe('serverless.yml read for the local stand-ins', () => {
  test('the load function S3 invokes asynchronously keeps its MaximumRetryAttempts and SQS on-failure destination', () => {
    expect(readTopology(functions(), names).asyncInvoke).toEqual([
      {
        functionKey: 'load',
        functionName: 'clickstream-local-load',
        maximumRetryAttempts: 2,
        maximumEventAgeSeconds: 21_600,
        onFailureQueue: 'clickstream-local-dead-letters',
      },
    ]);
  });

  test('intrinsics resolve to local names and ARNs', () => {
    expect(refOf(names, 'ClickstreamStream')).toBe('clickstream-local-clickstream');
    expect(getAtt(names, 'ClickstreamStream', 'Arn')).toBe(
      'arn:aws:kinesis:us-east-1:000000000000:stream/clickstream-local-clickstream',
    );
    expect(getAtt(names, 'DeadLetterQueue', 'Arn')).toBe(
      'arn:aws:sqs:us-east-1:000000000000:clickstream-local-dead-letters',
    );
    expect(refOf(names, 'DeadLetterQueue')).toBe(
      'http://127.0.0.1:4576/000000000000/clickstream-local-dead-letters',
    );
    expect(resolve(names, { 'Fn::Sub': '${AnalyticsBucket.Arn}/*' })).toBe(
      'arn:aws:s3:::clickstream-local-analytics/*',
    );
    expect(resolve(names, { 'Fn::Join': ['-', ['a', { Ref: 'AWS::Region' }]] })).toBe(
      'a-us-east-1',
    );
    expect(() => refOf(names, 'NoSuchThing')).toThrow(/no such resource in serverless.yml/);
  });

  test('the aggregate function stream event becomes an event source mapping with every setting', () => {
    const [mapping] = readTopology(functions(), names).mappings;
    expect(mapping).toEqual({
      uuid: 'aggregate-0',
      functionKey: 'aggregate',
      functionName: 'clickstream-local-aggregate',
      streamName: 'clickstream-local-clickstream',
      streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/clickstream-local-clickstream',
      consumerArn:
        'arn:aws:kinesis:us-east-1:000000000000:stream/clickstream-local-clickstream/consumer/aggregate:0',
      batchSize: 1000,
      maximumBatchingWindowInSeconds: 1,
      parallelizationFactor: 1,
      startingPosition: 'TRIM_HORIZON',
      maximumRetryAttempts: 5,
      maximumRecordAgeInSeconds: 3600,
      bisectBatchOnFunctionError: true,
      functionResponseTypes: ['ReportBatchItemFailures'],
      tumblingWindowInSeconds: 10,
      onFailureQueue: 'clickstream-local-dead-letters',
      enabled: true,
    });
  });

  test('delivery streams, buckets and queues come from Resources', () => {
    const topology = readTopology(functions(), names);
    expect(topology.buckets).toEqual(['clickstream-local-analytics']);
    expect(topology.queues).toEqual(['clickstream-local-dead-letters']);
    const events = topology.deliveryStreams.find((d) => d.name === 'clickstream-local-events');
    expect(events).toEqual({
      name: 'clickstream-local-events',
      arn: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/clickstream-local-events',
      source: {
        streamName: 'clickstream-local-clickstream',
        streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/clickstream-local-clickstream',
      },
      bucket: 'clickstream-local-analytics',
      prefix: 'events/!{timestamp:yyyy/MM/dd/HH}/',
      errorOutputPrefix:
        'processing-failed/events/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd/HH}/',
      bufferingHints: { sizeInMBs: 1, intervalInSeconds: 60 },
      processor: {
        functionName: 'clickstream-local-transform',
        bufferSizeInMBs: 1,
        bufferIntervalInSeconds: 60,
        numberOfRetries: 3,
      },
      compression: 'UNCOMPRESSED',
    });
    const metrics = topology.deliveryStreams.find((d) => d.name === 'clickstream-local-metrics');
    expect(metrics?.source).toBeUndefined();
    expect(metrics?.processor).toBeUndefined();
    expect(metrics?.prefix).toBe('metrics/!{timestamp:yyyy/MM/dd/HH}/');
  });

  test('the alarm topic is served by the local SNS; its email subscription, whose Condition is false without ALARM_EMAIL, is not created', () => {
    expect(readTopology(functions(), names).topics).toEqual([
      {
        name: 'clickstream-local-alarms',
        arn: 'arn:aws:sns:us-east-1:000000000000:clickstream-local-alarms',
        declared: true,
        subscriptions: [],
      },
    ]);
    expect(refOf(names, 'AlarmTopic')).toBe(
      'arn:aws:sns:us-east-1:000000000000:clickstream-local-alarms',
    );
  });
});
