import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SqsDelivery } from './sns-server.ts';

/**
 * SNS delivering to an SQS subscription: a SendMessage to the queue, as SNS does with the
 * queue policy's permission. With raw message delivery the message attributes travel as SQS
 * message attributes (https://docs.aws.amazon.com/sns/latest/dg/sns-large-payload-raw-message-delivery.html).
 */
export function sqsDelivery(
  sqs: Pick<SQSClient, 'send'>,
  queueUrl: (queueName: string) => string,
): SqsDelivery {
  return {
    async send(queueName, body, attributes) {
      const entries = Object.entries(attributes);
      await sqs.send(
        new SendMessageCommand({
          QueueUrl: queueUrl(queueName),
          MessageBody: body,
          ...(entries.length > 0
            ? {
                MessageAttributes: Object.fromEntries(
                  entries.map(([name, attribute]) => [
                    name,
                    attribute.BinaryValue !== undefined
                      ? {
                          DataType: attribute.DataType,
                          BinaryValue: Buffer.from(attribute.BinaryValue, 'base64'),
                        }
                      : { DataType: attribute.DataType, StringValue: attribute.StringValue ?? '' },
                  ]),
                ),
              }
            : {}),
        }),
      );
    },
  };
}
