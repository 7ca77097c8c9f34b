import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { FailureDestination } from './destination.ts';

/**
 * An SNS topic as a stream mapping's on-failure destination: "For Amazon SQS and Amazon SNS
 * destinations, Lambda sends the invocation record" — the record alone, no payload
 * (https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html). AWS's
 * recorded answer (localstack's AWS-validated snapshot
 * test_kinesis_event_source_mapping_with_sns_on_failure_destination_config) shows it as the
 * `Message` of a notification with no `Subject` and no `MessageAttributes`.
 */
export function snsFailureDestination(
  sns: Pick<SNSClient, 'send'>,
  topicArn: string,
): FailureDestination {
  return {
    async send(record) {
      await sns.send(new PublishCommand({ TopicArn: topicArn, Message: JSON.stringify(record) }));
    },
  };
}
