import { createHash } from 'node:crypto';
import { getAtt, isCreated, resolve, type LocalNames } from './cfn.ts';
import type { SnsSubscriptionSpec, SnsTopicSpec } from './sns/sns-server.ts';

/** An SNS topic the stand-in serves; `declared: false` when only an ARN in an event names it. */
export type TopicSpec = SnsTopicSpec & { declared: boolean };

/**
 * serverless.yml's SNS topics (AWS::SNS::Topic, with inline `Subscription`s) and
 * AWS::SNS::Subscription resources, for the SNS stand-in, plus topics only named by ARN (an
 * on-failure destination). The stand-in delivers to SQS queues of the same file; any other
 * protocol, a filter policy or a redrive policy fails `npm start` rather than delivering
 * differently from AWS.
 */
export function readSnsTopics(
  names: LocalNames,
  queues: readonly string[],
  referencedArns: readonly string[],
): TopicSpec[] {
  const created = Object.entries(names.resources).filter(([, resource]) =>
    isCreated(names, resource),
  );
  const topics = new Map<string, TopicSpec>();
  for (const [logicalId, resource] of created) {
    if (resource.Type !== 'AWS::SNS::Topic') continue;
    const props = (resolve(names, resource.Properties ?? {}) ?? {}) as Record<string, unknown>;
    const at = `Resources.${logicalId}`;
    if (props.FifoTopic === true || props.FifoTopic === 'true')
      throw new Error(`${at}: FIFO topics are not stood in for locally (only standard topics)`);
    const arn = getAtt(names, logicalId, 'TopicArn');
    const inline = Array.isArray(props.Subscription)
      ? (props.Subscription as Array<Record<string, unknown>>)
      : [];
    topics.set(arn, {
      name: getAtt(names, logicalId, 'TopicName'),
      arn,
      declared: true,
      subscriptions: inline.map((sub, index) =>
        subscription(`${at}.Properties.Subscription[${index}]`, arn, sub, queues, `${index}`),
      ),
    });
  }
  for (const [logicalId, resource] of created) {
    if (resource.Type !== 'AWS::SNS::Subscription') continue;
    const at = `Resources.${logicalId}`;
    const props = (resolve(names, resource.Properties ?? {}) ?? {}) as Record<string, unknown>;
    const topic = topics.get(String(props.TopicArn));
    if (!topic)
      throw new Error(
        `${at}.Properties.TopicArn ${String(props.TopicArn)} is not an AWS::SNS::Topic of serverless.yml: the local SNS can only deliver for topics it serves`,
      );
    topic.subscriptions.push(subscription(at, topic.arn, props, queues, logicalId));
  }
  for (const arn of referencedArns) {
    if (topics.has(arn)) continue;
    const name = arn.slice(arn.lastIndexOf(':') + 1);
    topics.set(arn, { name, arn, declared: false, subscriptions: [] });
  }
  return [...topics.values()];
}

function subscription(
  at: string,
  topicArn: string,
  props: Record<string, unknown>,
  queues: readonly string[],
  id: string,
): SnsSubscriptionSpec {
  const protocol = String(props.Protocol ?? '');
  const endpoint = String(props.Endpoint ?? '');
  if (protocol !== 'sqs')
    throw new Error(
      `${at}: Protocol ${protocol || 'nothing'} is not stood in for locally: the local SNS delivers only to SQS queues (Protocol sqs). ` +
        'Remove the subscription for the local stage, or give it a Condition that is false there',
    );
  const queueName = endpoint.slice(endpoint.lastIndexOf(':') + 1);
  if (!endpoint.startsWith('arn:aws:sqs:') || !queues.includes(queueName))
    throw new Error(
      `${at}.Endpoint ${endpoint || 'nothing'} must be the ARN of an AWS::SQS::Queue of serverless.yml (queues: ${queues.join(', ') || 'none'})`,
    );
  for (const unsupported of ['FilterPolicy', 'RedrivePolicy', 'DeliveryPolicy'] as const) {
    if (props[unsupported] !== undefined)
      throw new Error(
        `${at}.${unsupported}: not applied by the local SNS; remove it for the local stage rather than see every message delivered`,
      );
  }
  const raw = props.RawMessageDelivery;
  if (raw !== undefined && ![true, false, 'true', 'false'].includes(raw as never))
    throw new Error(
      `${at}.RawMessageDelivery: Invalid value [${String(raw)}]. Must be true or false.`,
    );
  const digest = createHash('md5').update(`${topicArn}\n${id}`).digest('hex');
  const uuid = `${digest.slice(0, 8)}-${digest.slice(8, 12)}-${digest.slice(12, 16)}-${digest.slice(16, 20)}-${digest.slice(20, 32)}`;
  return {
    arn: `${topicArn}:${uuid}`,
    protocol: 'sqs',
    queueName,
    rawMessageDelivery: raw === true || raw === 'true',
  };
}
