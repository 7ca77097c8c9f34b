import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { DeadLetterQueue } from './replay-ports.ts';

/**
 * The dead-letter queue through the SQS client. Received messages stay hidden for
 * `visibilitySeconds`, longer than a replay of one takes, so that another reader (or a second
 * replay run) does not replay the same dead letter at the same time.
 */
export function sqsDeadLetterQueue(
  sqs: Pick<SQSClient, 'send'>,
  queueUrl: string,
  visibilitySeconds = 300,
): DeadLetterQueue {
  return {
    async receive() {
      const answer = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: visibilitySeconds,
          WaitTimeSeconds: 0,
        }),
      );
      return (answer.Messages ?? []).flatMap((message) =>
        message.MessageId && message.ReceiptHandle
          ? [
              {
                messageId: message.MessageId,
                receiptHandle: message.ReceiptHandle,
                body: message.Body ?? '',
              },
            ]
          : [],
      );
    },
    async remove(letter) {
      await sqs.send(
        new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: letter.receiptHandle }),
      );
    },
    async release(letter) {
      await sqs.send(
        new ChangeMessageVisibilityCommand({
          QueueUrl: queueUrl,
          ReceiptHandle: letter.receiptHandle,
          VisibilityTimeout: 0,
        }),
      );
    },
  };
}
