import {
  ListTopicsCommand,
  NotFoundException,
  PublishCommand,
  InvalidParameterException,
  type PublishCommandInput,
} from '@aws-sdk/client-sns';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSns, TOPIC_ARN, type SnsFixture } from './support.ts';

const TOPIC = TOPIC_ARN('alerts');
const topics = [
  {
    name: 'alerts',
    arn: TOPIC,
    subscriptions: [
      {
        arn: `${TOPIC}:11111111-1111-4111-8111-111111111111`,
        protocol: 'sqs' as const,
        queueName: 'wrapped',
        rawMessageDelivery: false,
      },
      {
        arn: `${TOPIC}:22222222-2222-4222-8222-222222222222`,
        protocol: 'sqs' as const,
        queueName: 'raw',
        rawMessageDelivery: true,
      },
    ],
  },
  { name: 'quiet', arn: TOPIC_ARN('quiet'), subscriptions: [] },
];

describe('SNS stand-in: Publish with the unchanged @aws-sdk/client-sns', () => {
  let world: SnsFixture;
  beforeEach(async () => {
    world = await startSns(topics, ['wrapped', 'raw']);
  });
  afterEach(async () => {
    await world.close();
  });

  const publish = (input: Partial<PublishCommandInput>) =>
    world.sns.send(new PublishCommand({ TopicArn: TOPIC, Message: 'hello', ...input }));

  // http-notification-json.html, and AWS's recorded SQS deliveries (localstack's AWS-validated
  // SNS snapshots): the pairs in this order, Subject absent when none was published.
  test('an SQS subscription receives the message in the SNS notification envelope, without Subject when none was given', async () => {
    const { MessageId } = await publish({ Message: '{"a":1}' });
    const [delivered] = await world.receive('wrapped');
    const envelope = JSON.parse(delivered?.Body ?? '{}') as Record<string, unknown>;
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
      MessageId,
      TopicArn: TOPIC,
      Message: '{"a":1}',
      SignatureVersion: '1',
    });
    expect(envelope.Timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Buffer.from(String(envelope.Signature), 'base64')).toHaveLength(256);
    expect(envelope.UnsubscribeURL).toBe(
      `${world.server.endpoint}/?Action=Unsubscribe&SubscriptionArn=${TOPIC}:11111111-1111-4111-8111-111111111111`,
    );
    expect(delivered?.Body).toMatch(/^\{\n {2}"Type" : "Notification",\n/);
  });

  test('a Subject and message attributes appear in the envelope as SNS writes them', async () => {
    await publish({
      Subject: 'Batch failed',
      MessageAttributes: {
        count: { DataType: 'Number', StringValue: '3' },
        kind: { DataType: 'String', StringValue: 'esm' },
        blob: { DataType: 'Binary', BinaryValue: Buffer.from([1, 2, 3]) },
      },
    });
    const [delivered] = await world.receive('wrapped');
    const envelope = JSON.parse(delivered?.Body ?? '{}') as Record<string, unknown>;
    expect(Object.keys(envelope).slice(3, 5)).toEqual(['Subject', 'Message']);
    expect(envelope.Subject).toBe('Batch failed');
    expect(Object.keys(envelope).at(-1)).toBe('MessageAttributes');
    expect(envelope.MessageAttributes).toEqual({
      count: { Type: 'Number', Value: '3' },
      kind: { Type: 'String', Value: 'esm' },
      blob: { Type: 'Binary', Value: 'AQID' },
    });
  });

  test('RawMessageDelivery delivers the message itself, no envelope', async () => {
    await publish({ Message: 'plain text', Subject: 'ignored when raw' });
    const [delivered] = await world.receive('raw');
    expect(delivered?.Body).toBe('plain text');
  });

  test('MessageStructure json gives the SQS subscription its sqs entry, else default', async () => {
    await publish({
      MessageStructure: 'json',
      Message: JSON.stringify({ default: 'for everyone', sqs: 'for queues' }),
    });
    expect((await world.receive('raw'))[0]?.Body).toBe('for queues');
    await publish({ MessageStructure: 'json', Message: JSON.stringify({ default: 'fallback' }) });
    expect((await world.receive('raw'))[0]?.Body).toBe('fallback');
  });

  test('each subscription gets one copy with the same MessageId', async () => {
    const { MessageId } = await publish({});
    const [wrapped] = await world.receive('wrapped');
    const [raw] = await world.receive('raw');
    expect((JSON.parse(wrapped?.Body ?? '{}') as { MessageId?: string }).MessageId).toBe(MessageId);
    expect(raw?.Body).toBe('hello');
  });

  test('a published message is in each subscribed queue on disk when Publish is answered: a kill -9 then cannot lose it', async () => {
    // SNS stores what it acknowledged (api/welcome.html); locally the queues keep it.
    await publish({ Message: 'kept through a crash' });
    for (const queue of ['wrapped', 'raw'])
      expect(readFileSync(join(world.sqs.stateDir, 'sqs', `${queue}.json`), 'utf8')).toContain(
        'kept through a crash',
      );
  });

  test('Publish to a topic with no subscriptions succeeds and delivers nothing', async () => {
    const answer = await world.sns.send(
      new PublishCommand({ TopicArn: TOPIC_ARN('quiet'), Message: 'x' }),
    );
    expect(answer.MessageId).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('ListTopics names every topic', async () => {
    const answer = await world.sns.send(new ListTopicsCommand({}));
    expect(answer.Topics?.map((t) => t.TopicArn)).toEqual([TOPIC, TOPIC_ARN('quiet')]);
  });

  describe('errors the SDK surfaces as AWS does', () => {
    test('a topic that does not exist: NotFoundException "Topic does not exist" (404)', async () => {
      const error = await world.sns
        .send(new PublishCommand({ TopicArn: TOPIC_ARN('missing'), Message: 'x' }))
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NotFoundException);
      expect(error).toMatchObject({
        message: 'Topic does not exist',
        $metadata: { httpStatusCode: 404 },
      });
    });

    test.each(
      (
        [
          [{ Message: '' }, 'Invalid parameter: Empty message'],
          [
            { Message: 'x'.repeat(262_145), Subject: 'over 256 KiB' },
            'Invalid parameter: Message too long',
          ],
          [{ Subject: 'line\nbreak' }, 'Invalid parameter: Subject'],
          [{ Subject: 's'.repeat(101) }, 'Invalid parameter: Subject'],
          [
            { TopicArn: 'alerts' },
            'Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not 1',
          ],
          [
            { MessageStructure: 'json', Message: 'not json' },
            'Invalid parameter: Message Structure - JSON message body failed to parse',
          ],
          [
            { MessageStructure: 'json', Message: '{"sqs":"x"}' },
            'Invalid parameter: Message Structure - No default entry in JSON message body',
          ],
        ] as Array<[Partial<PublishCommandInput>, string]>
      ).map(([input, message]) => [message, input] as const),
    )('InvalidParameterException "%s"', async (message, input) => {
      const error = await publish(input).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(InvalidParameterException);
      expect(error).toMatchObject({ message, $metadata: { httpStatusCode: 400 } });
    });

    test('a message attribute with a wrong type or an empty value: ParameterValueInvalid', async () => {
      const wrongType = await publish({
        MessageAttributes: { a: { DataType: 'Text', StringValue: 'x' } },
      }).catch((e: unknown) => e);
      expect(wrongType).toMatchObject({
        name: 'InvalidParameterValueException', // the SDK's class for the code ParameterValueInvalid
        message:
          "The message attribute 'a' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.",
      });
      const empty = await publish({
        MessageAttributes: { a: { DataType: 'String', StringValue: '' } },
      }).catch((e: unknown) => e);
      expect(empty).toMatchObject({
        message:
          "The message attribute 'a' must contain non-empty message attribute value for message attribute type 'String'.",
      });
    });

    test('nothing is delivered for a refused Publish', async () => {
      await publish({ Message: '' }).catch(() => undefined);
      expect(await world.receive('wrapped')).toEqual([]);
    });
  });
});

describe('SNS stand-in: delivery to a queue that fails', () => {
  test('a delivery SQS refuses is retried, then logged with its body at shutdown, never dropped silently', async () => {
    const world = await startSns(
      [
        {
          name: 't',
          arn: TOPIC_ARN('t'),
          subscriptions: [
            {
              arn: `${TOPIC_ARN('t')}:s`,
              protocol: 'sqs',
              queueName: 'gone',
              rawMessageDelivery: true,
            },
          ],
        },
      ],
      [],
    );
    await world.sns.send(new PublishCommand({ TopicArn: TOPIC_ARN('t'), Message: 'kept' }));
    await new Promise((r) => setTimeout(r, 100));
    await world.close();
    expect(world.logs.filter((l) => l.level === 'warn').length).toBeGreaterThan(1);
    const lost = world.logs.find((l) => l.level === 'error' && /not delivered/.test(l.message));
    expect(lost?.details).toMatchObject({ body: 'kept', subscription: `${TOPIC_ARN('t')}:s` });
  });
});
