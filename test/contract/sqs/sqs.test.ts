import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
  TooManyEntriesInBatchRequest,
} from '@aws-sdk/client-sqs';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createServer } from 'node:http';
import { awsClientConfig } from '../../../shared/runtime/aws-client-config.ts';
import { startSqs, type SqsFixture } from './support.ts';

let sqs: SqsFixture;
let url: string;

beforeEach(async () => {
  sqs = await startSqs(['dead-letters']);
  url = sqs.server.queueUrl('dead-letters');
});
afterEach(() => sqs.close());

const receive = (extra: Partial<ConstructorParameters<typeof ReceiveMessageCommand>[0]> = {}) =>
  sqs.client.send(
    new ReceiveMessageCommand({
      QueueUrl: url,
      MaxNumberOfMessages: 10,
      MessageSystemAttributeNames: ['All'],
      ...extra,
    }),
  );

async function counts() {
  const { Attributes } = await sqs.client.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }),
  );
  return {
    visible: Attributes?.ApproximateNumberOfMessages,
    inFlight: Attributes?.ApproximateNumberOfMessagesNotVisible,
    arn: Attributes?.QueueArn,
  };
}

describe('SQS stand-in with the unchanged SQSClient', () => {
  test('send, receive and delete round trip; queue URL, ARN and counts as SQS reports them', async () => {
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/000000000000\/dead-letters$/);
    const { QueueUrl } = await sqs.client.send(
      new GetQueueUrlCommand({ QueueName: 'dead-letters' }),
    );
    expect(QueueUrl).toBe(url);
    const body = JSON.stringify({ requestContext: { condition: 'RetryAttemptsExhausted' } });
    const sent = await sqs.client.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: body }),
    );

    const { Messages = [] } = await receive();
    expect(Messages).toHaveLength(1);
    expect(Messages[0]).toMatchObject({ MessageId: sent.MessageId, Body: body });
    expect(Number(Messages[0]?.Attributes?.SentTimestamp)).toBeGreaterThan(Date.now() - 5_000);
    expect(await counts()).toEqual({
      visible: '0',
      inFlight: '1',
      arn: 'arn:aws:sqs:us-east-1:000000000000:dead-letters',
    });

    await sqs.client.send(
      new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: Messages[0]?.ReceiptHandle }),
    );
    expect(await counts()).toMatchObject({ visible: '0', inFlight: '0' });
    expect((await receive()).Messages ?? []).toEqual([]);
  });

  test('MD5 of the body is the one the SDK verifies, also for multi-byte text', async () => {
    const body = 'Zürich 🚀 — 東京';
    const md5 = createHash('md5').update(body, 'utf8').digest('hex');
    const sent = await sqs.client.send(
      new SendMessageCommand({ QueueUrl: url, MessageBody: body }),
    );
    expect(sent.MD5OfMessageBody).toBe(md5);
    const { Messages = [] } = await receive();
    expect(Messages[0]).toMatchObject({ Body: body, MD5OfBody: md5 });

    // The SDK does check: an endpoint answering with a wrong digest is refused.
    const liar = createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      response.end(JSON.stringify({ MessageId: 'm', MD5OfMessageBody: '0'.repeat(32) }));
    });
    await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
    const address = liar.address();
    const endpoint = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    const fooled = new SQSClient(awsClientConfig({ region: 'us-east-1', endpoint }));
    try {
      await expect(
        fooled.send(new SendMessageCommand({ QueueUrl: `${endpoint}/0/q`, MessageBody: body })),
      ).rejects.toThrow(/InvalidChecksum|MD5/);
    } finally {
      fooled.destroy();
      liar.closeAllConnections();
      await new Promise((resolve) => liar.close(resolve));
    }
  });

  test('visibility timeout hides a received message, then returns it with ApproximateReceiveCount incremented', async () => {
    await sqs.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'retry me' }));
    const first = await receive({ VisibilityTimeout: 1 });
    expect(first.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect((await receive()).Messages ?? []).toEqual([]);

    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const second = await receive({ VisibilityTimeout: 30 });
    expect(second.Messages?.[0]?.MessageId).toBe(first.Messages?.[0]?.MessageId);
    expect(second.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('2');

    // The first receiver's handle is stale; ChangeMessageVisibility(0) with the new one frees it.
    await expect(
      sqs.client.send(
        new DeleteMessageCommand({
          QueueUrl: url,
          ReceiptHandle: first.Messages?.[0]?.ReceiptHandle,
        }),
      ),
    ).rejects.toMatchObject({ name: 'ReceiptHandleIsInvalid' });
    await sqs.client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: url,
        ReceiptHandle: second.Messages?.[0]?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    const third = await receive();
    expect(third.Messages?.[0]?.Attributes?.ApproximateReceiveCount).toBe('3');
  });

  test('long polling returns as soon as a message arrives, and waits out WaitTimeSeconds when none does', async () => {
    const started = Date.now();
    const polling = receive({ WaitTimeSeconds: 10 });
    setTimeout(() => {
      void sqs.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'late' }));
    }, 300);
    const { Messages = [] } = await polling;
    const waited = Date.now() - started;
    expect(Messages.map((m) => m.Body)).toEqual(['late']);
    expect(waited).toBeGreaterThanOrEqual(250);
    expect(waited).toBeLessThan(2_000);

    const emptyStart = Date.now();
    expect((await receive({ WaitTimeSeconds: 1 })).Messages ?? []).toEqual([]);
    expect(Date.now() - emptyStart).toBeGreaterThanOrEqual(950);
  });

  test('batch send and delete report partial failures per entry; malformed batches fail whole', async () => {
    const sent = await sqs.client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', MessageBody: 'one' },
          { Id: 'bad', MessageBody: 'nul \u0000 inside' },
          { Id: 'c', MessageBody: 'three' },
        ],
      }),
    );
    expect(sent.Successful?.map((entry) => entry.Id)).toEqual(['a', 'c']);
    expect(sent.Failed).toEqual([
      { Id: 'bad', SenderFault: true, Code: 'InvalidMessageContents', Message: expect.any(String) },
    ]);

    const { Messages = [] } = await receive();
    expect(Messages.map((m) => m.Body).sort()).toEqual(['one', 'three']);
    const deleted = await sqs.client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'ok', ReceiptHandle: Messages[0]?.ReceiptHandle },
          { Id: 'stale', ReceiptHandle: 'not-a-handle' },
        ],
      }),
    );
    expect(deleted.Successful).toEqual([{ Id: 'ok' }]);
    expect(deleted.Failed).toEqual([
      {
        Id: 'stale',
        SenderFault: true,
        Code: 'ReceiptHandleIsInvalid',
        Message: expect.any(String),
      },
    ]);
    expect(await counts()).toMatchObject({ visible: '0', inFlight: '1' });

    const eleven = Array.from({ length: 11 }, (_, i) => ({ Id: `m${i}`, MessageBody: 'x' }));
    await expect(
      sqs.client.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: eleven })),
    ).rejects.toBeInstanceOf(TooManyEntriesInBatchRequest);
  });

  test('messages survive a restart, with their receive counts; purge empties the queue', async () => {
    await sqs.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'dead letter 1' }));
    await sqs.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'dead letter 2' }));
    await receive({ MaxNumberOfMessages: 1 });

    await sqs.restart();
    const { Messages = [] } = await receive();
    expect(Messages.map((m) => [m.Body, m.Attributes?.ApproximateReceiveCount])).toEqual([
      ['dead letter 1', '2'],
      ['dead letter 2', '1'],
    ]);

    await sqs.client.send(new PurgeQueueCommand({ QueueUrl: url }));
    await sqs.restart();
    expect(await counts()).toMatchObject({ visible: '0', inFlight: '0' });
  });

  test('a sent message is on disk before SendMessage is answered: a kill -9 right after cannot lose it', async () => {
    // "Amazon SQS redundantly stores a message … before a SendMessage is acknowledged"
    // (SQSDeveloperGuide/DistributedQueues.html). Read the moment the answer arrives.
    const onDisk = () => readFileSync(join(sqs.stateDir, 'sqs', 'dead-letters.json'), 'utf8');
    await sqs.client.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'kept single' }));
    expect(onDisk()).toContain('kept single');
    await sqs.client.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [{ Id: 'a', MessageBody: 'kept in a batch' }],
      }),
    );
    expect(onDisk()).toContain('kept in a batch');
  });

  test('QueueDoesNotExist for an unknown queue, with the legacy query code; CreateQueue makes it', async () => {
    const missing = `${sqs.server.endpoint}/000000000000/no-such-queue`;
    const error = await sqs.client
      .send(new SendMessageCommand({ QueueUrl: missing, MessageBody: 'x' }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QueueDoesNotExist);
    expect(error).toMatchObject({
      name: 'QueueDoesNotExist',
      Code: 'AWS.SimpleQueueService.NonExistentQueue',
      $metadata: { httpStatusCode: 400 },
    });
    await expect(
      sqs.client.send(new GetQueueUrlCommand({ QueueName: 'no-such-queue' })),
    ).rejects.toBeInstanceOf(QueueDoesNotExist);

    const created = await sqs.client.send(new CreateQueueCommand({ QueueName: 'no-such-queue' }));
    expect(created.QueueUrl).toBe(missing);
    const { QueueUrls } = await sqs.client.send(new ListQueuesCommand({}));
    expect(QueueUrls).toEqual([url, missing]);
  });

  // AWS's recorded answers (localstack's AWS-validated SQS snapshots): the legacy code in
  // x-amzn-query-error, the shape name in __type, and these words.
  test.each([
    [
      { MaxNumberOfMessages: 11 },
      'Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.',
    ],
    [
      { WaitTimeSeconds: 21 },
      'Value 21 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.',
    ],
    [
      { WaitTimeSeconds: -1 },
      'Value -1 for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.',
    ],
  ])(
    'ReceiveMessage out of range %j: InvalidParameterValue with the message SQS gives',
    async (input, message) => {
      const error = await receive(input).catch((caught: unknown) => caught);
      expect(error).toMatchObject({
        // the SDK has no class for it: it names it by the query code, as against AWS
        name: 'InvalidParameterValue',
        Code: 'InvalidParameterValue',
        message,
        $metadata: { httpStatusCode: 400 },
      });
    },
  );

  test('SendMessage without a body: MissingParameter, as SQS answers', async () => {
    const error = await sqs.client
      .send(new SendMessageCommand({ QueueUrl: url, MessageBody: undefined as unknown as string }))
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      name: 'MissingParameter',
      Code: 'MissingParameter',
      message: 'The request must contain the parameter MessageBody.',
    });
  });

  test('a batch of more than 10 entries: TooManyEntriesInBatchRequest saying how many were sent', async () => {
    const twenty = Array.from({ length: 20 }, (_, i) => ({ Id: `m${i}`, MessageBody: 'x' }));
    const error = await sqs.client
      .send(new SendMessageBatchCommand({ QueueUrl: url, Entries: twenty }))
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TooManyEntriesInBatchRequest);
    expect(error).toMatchObject({
      message: 'Maximum number of entries per request are 10. You have sent 20.',
      Code: 'AWS.SimpleQueueService.TooManyEntriesInBatchRequest',
    });
  });
});
