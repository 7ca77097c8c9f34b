import type { LocalNames } from '../../../offline/cfn.ts';
import { readTopology, type FunctionSpec } from '../../../offline/topology.ts';

const STREAM = 'arn:aws:kinesis:us-east-1:000000000000:stream/clicks';
const QUEUE = { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'failures' } };
const TOPIC = { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'batch-failures' } };
const TOPIC_ARN = 'arn:aws:sns:us-east-1:000000000000:batch-failures';

const names = (resources: LocalNames['resources'], conditions = {}): LocalNames => ({
  region: 'us-east-1',
  service: 'svc',
  stage: 'local',
  resources,
  conditions,
  functionsByLogicalId: {},
});
const subscription = (properties: Record<string, unknown>, condition?: string) => ({
  Type: 'AWS::SNS::Subscription',
  ...(condition ? { Condition: condition } : {}),
  Properties: {
    TopicArn: { Ref: 'Topic' },
    Protocol: 'sqs',
    Endpoint: { 'Fn::GetAtt': ['Queue', 'Arn'] },
    ...properties,
  },
});
const noFunctions: FunctionSpec[] = [];

describe('SNS topics and subscriptions of serverless.yml for the local SNS', () => {
  test('an AWS::SNS::Subscription with Protocol sqs delivers to its queue, RawMessageDelivery honoured', () => {
    const { topics } = readTopology(
      noFunctions,
      names({
        Queue: QUEUE,
        Topic: TOPIC,
        Wrapped: subscription({}),
        Raw: subscription({ RawMessageDelivery: 'true' }),
      }),
    );
    expect(topics).toHaveLength(1);
    expect(topics[0]).toMatchObject({ name: 'batch-failures', arn: TOPIC_ARN, declared: true });
    expect(topics[0]?.subscriptions.map((s) => [s.queueName, s.rawMessageDelivery])).toEqual([
      ['failures', false],
      ['failures', true],
    ]);
    expect(topics[0]?.subscriptions[0]?.arn).toMatch(
      /^arn:aws:sns:us-east-1:000000000000:batch-failures:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
  });

  test('inline Subscription entries of the topic are read too', () => {
    const inline = {
      Type: 'AWS::SNS::Topic',
      Properties: {
        TopicName: 'batch-failures',
        Subscription: [{ Protocol: 'sqs', Endpoint: { 'Fn::GetAtt': ['Queue', 'Arn'] } }],
      },
    };
    const { topics } = readTopology(noFunctions, names({ Queue: QUEUE, Topic: inline }));
    expect(topics[0]?.subscriptions.map((s) => s.queueName)).toEqual(['failures']);
  });

  test('a subscription whose Condition is false is not created; one whose Condition holds is', () => {
    const resources = {
      Queue: QUEUE,
      Topic: TOPIC,
      Email: subscription({ Protocol: 'email', Endpoint: '' }, 'HasEmail'),
      Sqs: subscription({}, 'Always'),
    };
    const conditions = {
      HasEmail: { 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] },
      Always: { 'Fn::Or': [{ Condition: 'HasEmail' }, { 'Fn::Equals': ['a', 'a'] }] },
    };
    const { topics } = readTopology(noFunctions, names(resources, conditions));
    expect(topics[0]?.subscriptions).toHaveLength(1);
  });

  test('a topic only named by an on-failure ARN is served, with no subscriptions', () => {
    const events: FunctionSpec[] = [
      {
        key: 'f',
        name: 'svc-local-f',
        events: [{ stream: { arn: STREAM, destinations: { onFailure: TOPIC_ARN } } }],
      },
    ];
    expect(readTopology(events, names({})).topics).toEqual([
      { name: 'batch-failures', arn: TOPIC_ARN, declared: false, subscriptions: [] },
    ]);
  });

  test.each([
    [
      'an email subscription',
      { Email: subscription({ Protocol: 'email', Endpoint: 'ops@example.com' }) },
      /Resources\.Email: Protocol email is not stood in for locally: the local SNS delivers only to SQS queues/,
    ],
    [
      'an http subscription',
      { Hook: subscription({ Protocol: 'https', Endpoint: 'https://example.com' }) },
      /Protocol https is not stood in for locally/,
    ],
    [
      'a lambda subscription',
      {
        Fn: subscription({ Protocol: 'lambda', Endpoint: 'arn:aws:lambda:us-east-1:0:function:f' }),
      },
      /Protocol lambda is not stood in for locally/,
    ],
    [
      'a queue not in serverless.yml',
      { Other: subscription({ Endpoint: 'arn:aws:sqs:us-east-1:000000000000:elsewhere' }) },
      /Resources\.Other\.Endpoint arn:aws:sqs:us-east-1:000000000000:elsewhere must be the ARN of an AWS::SQS::Queue/,
    ],
    [
      'a filter policy',
      { Filtered: subscription({ FilterPolicy: { kind: ['x'] } }) },
      /Resources\.Filtered\.FilterPolicy: not applied by the local SNS/,
    ],
    [
      'a RawMessageDelivery that is not a boolean',
      { Bad: subscription({ RawMessageDelivery: 'yes' }) },
      /RawMessageDelivery: Invalid value \[yes\]\. Must be true or false\./,
    ],
    [
      'a subscription to a topic not in serverless.yml',
      {
        Lost: {
          Type: 'AWS::SNS::Subscription',
          Properties: { TopicArn: 'arn:aws:sns:us-east-1:1:x', Protocol: 'sqs', Endpoint: 'q' },
        },
      },
      /Resources\.Lost\.Properties\.TopicArn arn:aws:sns:us-east-1:1:x is not an AWS::SNS::Topic/,
    ],
    [
      'a FIFO topic',
      { Fifo: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'x.fifo', FifoTopic: true } } },
      /Resources\.Fifo: FIFO topics are not stood in for locally/,
    ],
  ])('%s fails npm start with what to change', (_what, extra, message) => {
    const resources = { Queue: QUEUE, Topic: TOPIC, ...extra } as LocalNames['resources'];
    expect(() => readTopology(noFunctions, names(resources))).toThrow(message);
  });
});
