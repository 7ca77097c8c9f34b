import { startSns, TOPIC_ARN, type SnsFixture } from '../sns/support.ts';
import { type OnFailureRecord } from '../../../offline/event-source-mapping/index.ts';
import { decode, scenario, type Scenario } from './harness.ts';

describe('event source mapping: SNS on-failure destination', () => {
  let world: Scenario | undefined;
  let sns: SnsFixture | undefined;
  afterEach(async () => {
    await world?.close();
    await sns?.close();
    world = sns = undefined;
  });

  const topic = TOPIC_ARN('batch-failures');
  const subscribed = (rawMessageDelivery: boolean) => [
    {
      name: 'batch-failures',
      arn: topic,
      subscriptions: [
        {
          arn: `${topic}:0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9`,
          protocol: 'sqs' as const,
          queueName: 'failures',
          rawMessageDelivery,
        },
      ],
    },
  ];

  // kinesis-on-failure-destination.html: "For Amazon SQS and Amazon SNS destinations, Lambda
  // sends the invocation record"; AWS's recorded answer (localstack's AWS-validated snapshot
  // test_kinesis_event_source_mapping_with_sns_on_failure_destination_config): a Notification
  // without Subject or MessageAttributes whose Message is the record.
  test('a discarded batch is published to the SNS topic as the documented invocation record, delivered to its SQS subscription in the SNS envelope', async () => {
    sns = await startSns(subscribed(false), ['failures']);
    let invocations = 0;
    world = await scenario({
      fn: () => {
        invocations += 1;
        throw new Error('always');
      },
    });
    const sequence = await world.put('custom', { input: 'hello' });
    await world.start({ maximumRetryAttempts: 1, onFailureTopic: topic }, { sns: sns.sns });
    const fixture = sns;
    let bodies: string[] = [];
    for (let i = 0; i < 160 && bodies.length === 0; i += 1) {
      bodies = (await fixture.receive('failures')).map((m) => m.Body ?? '');
      if (bodies.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(bodies).toHaveLength(1);
    const envelope = JSON.parse(bodies[0] ?? '{}') as Record<string, unknown>;
    expect(Object.keys(envelope)).toEqual([
      'Type',
      'MessageId',
      'TopicArn',
      'Message',
      'Timestamp',
      'SignatureVersion',
      'Signature',
      'SigningCertURL',
      'UnsubscribeURL',
    ]);
    expect(envelope).toMatchObject({
      Type: 'Notification',
      TopicArn: topic,
      SignatureVersion: '1',
    });
    const record = JSON.parse(String(envelope.Message)) as OnFailureRecord;
    expect(Object.keys(record)).toEqual([
      'requestContext',
      'responseContext',
      'version',
      'timestamp',
      'KinesisBatchInfo',
    ]);
    expect(record.requestContext).toMatchObject({
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 2,
    });
    expect(record.responseContext).toEqual({
      statusCode: 200,
      executedVersion: '$LATEST',
      functionError: 'Unhandled',
    });
    expect(record.KinesisBatchInfo).toMatchObject({
      shardId: 'shardId-000000000000',
      startSequenceNumber: sequence,
      endSequenceNumber: sequence,
      batchSize: 1,
      streamArn: world.streamArn,
    });
    expect(invocations).toBe(2);
  });

  test('with RawMessageDelivery the SQS subscription receives the invocation record itself', async () => {
    sns = await startSns(subscribed(true), ['failures']);
    world = await scenario({
      fn: (event) => Promise.reject(new Error(`bad ${decode(event).length}`)),
    });
    const sequence = await world.put('k', { i: 0 });
    await world.start({ maximumRetryAttempts: 0, onFailureTopic: topic }, { sns: sns.sns });
    const fixture = sns;
    let bodies: string[] = [];
    for (let i = 0; i < 160 && bodies.length === 0; i += 1) {
      bodies = (await fixture.receive('failures')).map((m) => m.Body ?? '');
      if (bodies.length === 0) await new Promise((r) => setTimeout(r, 50));
    }
    const record = JSON.parse(bodies[0] ?? '{}') as OnFailureRecord;
    expect(record.version).toBe('1.0');
    expect(record.KinesisBatchInfo.startSequenceNumber).toBe(sequence);
  });

  test('an onFailureTopic that is not an SNS topic ARN is refused with the mapping', async () => {
    world = await scenario({ fn: () => undefined });
    await expect(
      world.start({ onFailureTopic: 'arn:aws:sqs:us-east-1:000000000000:q' }),
    ).rejects.toThrow(/onFailureTopic must be an SNS topic ARN/);
    await expect(
      world.start({ onFailureTopic: topic, onFailureBucket: 'failures' }),
    ).rejects.toThrow(/a mapping has one destination/);
  });
});
