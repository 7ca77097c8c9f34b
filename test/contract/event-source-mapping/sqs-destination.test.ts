import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { SQSClient } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '../../../shared/runtime/aws-client-config.ts';
import { type OnFailureRecord } from '../../../offline/event-source-mapping/index.ts';
import { scenario, waitFor, type Scenario } from './harness.ts';

/** Just enough of SQS's JSON protocol to receive SendMessage from the real SQSClient. */
async function startSqsReceiver(bodies: Array<{ target: string; input: Record<string, string> }>) {
  const server: Server = createServer(async (request: IncomingMessage, response) => {
    let text = '';
    for await (const chunk of request) text += String(chunk);
    const input = JSON.parse(text) as Record<string, string>;
    bodies.push({ target: String(request.headers['x-amz-target']), input });
    const md5 = createHash('md5')
      .update(input.MessageBody ?? '')
      .digest('hex');
    response.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
    response.end(JSON.stringify({ MessageId: 'm-1', MD5OfMessageBody: md5 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { endpoint: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(r)) };
}

describe('event source mapping: SQS on-failure destination', () => {
  let world: Scenario | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  test('a discarded batch reaches the SQS queue as a SendMessage of the invocation record', async () => {
    const bodies: Array<{ target: string; input: Record<string, string> }> = [];
    const receiver = await startSqsReceiver(bodies);
    const sqs = new SQSClient(
      awsClientConfig({ region: 'us-east-1', endpoint: receiver.endpoint }),
    );
    try {
      const queueUrl = `${receiver.endpoint}/000000000000/dlq`;
      world = await scenario({ fn: () => Promise.reject(new Error('always')) });
      const sequence = await world.put('k', { i: 0 });
      await world.start({ maximumRetryAttempts: 0, onFailureDestination: queueUrl }, { sqs });
      await waitFor('the SendMessage call', () => bodies.length === 1);
      expect(bodies[0]?.target).toBe('AmazonSQS.SendMessage');
      expect(bodies[0]?.input.QueueUrl).toBe(queueUrl);
      const body = JSON.parse(bodies[0]?.input.MessageBody ?? '{}') as OnFailureRecord;
      expect(Object.keys(body)).toEqual([
        'requestContext',
        'responseContext',
        'version',
        'timestamp',
        'KinesisBatchInfo',
      ]);
      expect(body.requestContext).toMatchObject({
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 1,
      });
      expect(body.KinesisBatchInfo).toMatchObject({
        shardId: 'shardId-000000000000',
        startSequenceNumber: sequence,
        endSequenceNumber: sequence,
        batchSize: 1,
        streamArn: world.streamArn,
      });
    } finally {
      sqs.destroy();
      await receiver.close();
    }
  });
});
