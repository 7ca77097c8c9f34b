import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '../../../shared/runtime/aws-client-config.ts';
import { inProcessInvoker } from '../../../offline/lambda-invoker.ts';
import { LocalStack } from '../../../offline/local-stack.ts';
import { readTopology, type FunctionSpec } from '../../../offline/topology.ts';
import type { LocalNames } from '../../../offline/cfn.ts';

const names: LocalNames = {
  region: 'us-east-1',
  service: 'svc',
  stage: 'local',
  functionsByLogicalId: {},
  conditions: {},
  resources: {
    Clicks: { Type: 'AWS::Kinesis::Stream', Properties: { Name: 'clicks', ShardCount: 1 } },
    Failures: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'failures' } },
    FailureTopic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'batch-failures' } },
    FailureQueueSubscription: {
      Type: 'AWS::SNS::Subscription',
      Properties: {
        TopicArn: { Ref: 'FailureTopic' },
        Protocol: 'sqs',
        Endpoint: { 'Fn::GetAtt': ['Failures', 'Arn'] },
      },
    },
  },
};
const functions: FunctionSpec[] = [
  {
    key: 'fail',
    name: 'svc-local-fail',
    events: [
      {
        stream: {
          arn: { 'Fn::GetAtt': ['Clicks', 'Arn'] },
          startingPosition: 'TRIM_HORIZON',
          maximumRetryAttempts: 0,
          destinations: { onFailure: { Ref: 'FailureTopic' } },
        },
      },
    ],
  },
];

// What `npm start` builds from such a serverless.yml: the stream event's SNS destination
// publishes through the local SNS, which delivers to the topic's SQS subscription.
test('npm start wires a stream event whose onFailure is an SNS topic: the discarded batch reaches the subscribed queue in the SNS envelope', async () => {
  const stateDir = await mkdtemp(join(tmpdir(), 'stack-sns-'));
  const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const stack = new LocalStack({
    topology: readTopology(functions, names),
    streams: [{ logicalId: 'Clicks', name: 'clicks', shardCount: 1 }],
    ports: { kinesis: 0, s3: 0, sqs: 0, firehose: 0, warehouse: 0, sns: 0 },
    stateDir,
    persistStreams: false,
    throttleRate: 0,
    firehoseFlushSeconds: 5,
    asyncRetrySeconds: 60,
    region: 'us-east-1',
    log: quiet,
  });
  const invoker = inProcessInvoker({
    'svc-local-fail': () => {
      throw new Error('always');
    },
  });
  let kinesis: KinesisClient | undefined;
  let sqs: SQSClient | undefined;
  try {
    const standIns = await stack.startServices(invoker);
    await stack.startTriggers(invoker);
    kinesis = new KinesisClient(
      awsClientConfig({ region: 'us-east-1', endpoint: standIns.kinesisEndpoint }),
    );
    sqs = new SQSClient(awsClientConfig({ region: 'us-east-1', endpoint: standIns.sqsEndpoint }));
    const put = await kinesis.send(
      new PutRecordCommand({ StreamName: 'clicks', PartitionKey: 'k', Data: Buffer.from('{}') }),
    );
    const queueUrl = `${standIns.sqsEndpoint}/000000000000/failures`;
    let body: string | undefined;
    for (let i = 0; i < 20 && !body; i += 1) {
      const answer = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }),
      );
      body = answer.Messages?.[0]?.Body;
    }
    const envelope = JSON.parse(body ?? '{}') as {
      Type?: string;
      TopicArn?: string;
      Message?: string;
    };
    expect(envelope.Type).toBe('Notification');
    expect(envelope.TopicArn).toBe('arn:aws:sns:us-east-1:000000000000:batch-failures');
    const record = JSON.parse(envelope.Message ?? '{}') as {
      requestContext?: { condition?: string; functionArn?: string };
      KinesisBatchInfo?: { startSequenceNumber?: string };
    };
    expect(record.requestContext).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:svc-local-fail',
    });
    expect(record.KinesisBatchInfo?.startSequenceNumber).toBe(put.SequenceNumber);
  } finally {
    kinesis?.destroy();
    sqs?.destroy();
    await stack.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}, 60_000);
