import { SNSClient } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand, type Message } from '@aws-sdk/client-sqs';
import { awsClientConfig } from '../../../shared/runtime/aws-client-config.ts';
import {
  startSnsServer,
  type SnsServer,
  type SnsTopicSpec,
} from '../../../offline/sns/sns-server.ts';
import { sqsDelivery } from '../../../offline/sns/sqs-delivery.ts';
import { startSqs, type SqsFixture } from '../sqs/support.ts';

export interface SnsFixture {
  sns: SNSClient;
  server: SnsServer;
  sqs: SqsFixture;
  logs: Array<{ level: string; message: string; details?: Record<string, unknown> }>;
  /** Waits for the deliveries of what was published, then receives up to 10 messages. */
  receive(queueName: string): Promise<Message[]>;
  close(): Promise<void>;
}

export const TOPIC_ARN = (name: string) => `arn:aws:sns:us-east-1:000000000000:${name}`;

/** The SNS stand-in delivering to the SQS stand-in, both on ephemeral loopback ports. */
export async function startSns(
  topics: SnsTopicSpec[],
  queues: string[],
  retryDelaysMs: number[] = [10],
): Promise<SnsFixture> {
  const sqs = await startSqs(queues);
  const logs: SnsFixture['logs'] = [];
  const server = await startSnsServer({
    port: 0,
    topics,
    delivery: sqsDelivery(sqs.client, (name) => sqs.server.queueUrl(name)),
    log: {
      info: (message, details) => logs.push({ level: 'info', message, details }),
      warn: (message, details) => logs.push({ level: 'warn', message, details }),
      error: (message, details) => logs.push({ level: 'error', message, details }),
    },
    retryDelaysMs,
  });
  const sns = new SNSClient(awsClientConfig({ region: 'us-east-1', endpoint: server.endpoint }));
  return {
    sns,
    server,
    sqs,
    logs,
    async receive(queueName) {
      await server.settled();
      const answer = await sqs.client.send(
        new ReceiveMessageCommand({
          QueueUrl: sqs.server.queueUrl(queueName),
          MaxNumberOfMessages: 10,
          MessageAttributeNames: ['All'],
        }),
      );
      return answer.Messages ?? [];
    },
    async close() {
      sns.destroy();
      await server.close();
      await sqs.close();
    },
  };
}
