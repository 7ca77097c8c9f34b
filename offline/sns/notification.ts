import { randomBytes } from 'node:crypto';
import type { MessageAttribute } from './query-protocol.ts';

/** What one Publish carries to every subscription of the topic. */
export interface PublishedMessage {
  messageId: string;
  topicArn: string;
  subject?: string;
  /** The message for SQS subscribers: the `sqs` entry of a MessageStructure=json message. */
  message: string;
  timestamp: string; // ISO 8601, UTC, milliseconds
  messageAttributes: Record<string, MessageAttribute>;
}

export interface EnvelopeUrls {
  signingCertUrl: string;
  unsubscribeUrl: string;
}

/**
 * The JSON document SNS delivers to a subscription without raw message delivery, with the
 * name-value pairs in AWS's order (https://docs.aws.amazon.com/sns/latest/dg/http-notification-json.html;
 * AWS's recorded SQS deliveries in localstack's AWS-validated SNS snapshots): `Subject` only
 * when the publisher gave one, `MessageAttributes` only when there are any. SNS writes it
 * indented, `"Name" : value`, one pair a line; parsers see the same JSON either way.
 */
export function notificationEnvelope(message: PublishedMessage, urls: EnvelopeUrls): string {
  const pairs: Array<[string, unknown]> = [
    ['Type', 'Notification'],
    ['MessageId', message.messageId],
    ['TopicArn', message.topicArn],
    ...(message.subject !== undefined ? [['Subject', message.subject] as [string, unknown]] : []),
    ['Message', message.message],
    ['Timestamp', message.timestamp],
    ['SignatureVersion', '1'],
    // A SHA1withRSA signature by AWS's key cannot be made here: same length and alphabet.
    ['Signature', randomBytes(256).toString('base64')],
    ['SigningCertURL', urls.signingCertUrl],
    ['UnsubscribeURL', urls.unsubscribeUrl],
  ];
  const attributes = Object.entries(message.messageAttributes);
  const lines = pairs.map(
    ([name, value]) => `  ${JSON.stringify(name)} : ${JSON.stringify(value)}`,
  );
  if (attributes.length > 0) {
    const entries = attributes.map(
      ([name, attribute]) =>
        `    ${JSON.stringify(name)} : ${JSON.stringify({
          Type: attribute.DataType,
          Value: attribute.StringValue ?? attribute.BinaryValue ?? '',
        })}`,
    );
    lines.push(`  "MessageAttributes" : {\n${entries.join(',\n')}\n  }`);
  }
  return `{\n${lines.join(',\n')}\n}`;
}
