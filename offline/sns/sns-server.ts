import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { assertPortFree, listenOn } from '../port-check.ts';
import { notificationEnvelope, type PublishedMessage } from './notification.ts';
import { messageFor, readPublish } from './publish.ts';
import {
  escapeXml,
  parseQuery,
  resultXml,
  SnsError,
  type MessageAttribute,
  type QueryRequest,
} from './query-protocol.ts';

/** An SQS subscription (AWS::SNS::Subscription, Protocol sqs) of a topic. */
export interface SnsSubscriptionSpec {
  arn: string;
  protocol: 'sqs';
  /** The subscribed queue's name: the SQS stand-in's queue. */
  queueName: string;
  rawMessageDelivery: boolean;
}

export interface SnsTopicSpec {
  name: string;
  arn: string;
  subscriptions: SnsSubscriptionSpec[];
}

/** How a notification reaches a queue: SendMessage to the SQS stand-in in the stack. */
export interface SqsDelivery {
  send(
    queueName: string,
    body: string,
    attributes: Record<string, MessageAttribute>,
  ): Promise<void>;
}

export interface SnsLog {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

export interface SnsServerOptions {
  port: number;
  host?: string;
  topics: readonly SnsTopicSpec[];
  delivery: SqsDelivery;
  log: SnsLog;
  /** Delays between delivery attempts; the last repeats until the server closes. */
  retryDelaysMs?: readonly number[];
}

export interface SnsServer {
  /** For `new SNSClient({ endpoint })`. */
  endpoint: string;
  /** Resolves once every notification published so far is delivered (or given up on). */
  settled(): Promise<void>;
  close(): Promise<void>;
}

/**
 * AWS's delivery policy for SQS endpoints retries 3 times at once, twice after 1 s, then backs
 * off to 20 s (https://docs.aws.amazon.com/sns/latest/dg/sns-message-delivery-retries.html).
 */
const AWS_SQS_RETRY_DELAYS_MS = [0, 0, 0, 1_000, 1_000, 2_000, 5_000, 10_000, 20_000];

/**
 * The SNS stand-in: Publish and ListTopics on the AWS Query protocol of
 * @aws-sdk/client-sns v3, fanning each message out to the topic's SQS subscriptions in the
 * documented notification envelope (or raw). Topics and subscriptions come from
 * serverless.yml; requests are not authenticated.
 */
export async function startSnsServer(options: SnsServerOptions): Promise<SnsServer> {
  const host = options.host ?? '127.0.0.1';
  if (options.port !== 0)
    await assertPortFree(options.port, host, 'the SNS stand-in', 'OFFLINE_SNS_PORT');
  const topics = new Map(options.topics.map((topic) => [topic.arn, topic]));
  const delays = options.retryDelaysMs ?? AWS_SQS_RETRY_DELAYS_MS;
  const inFlight = new Set<Promise<void>>();
  const closing = new AbortController();
  let endpoint = '';

  const deliver = async (
    subscription: SnsSubscriptionSpec,
    body: string,
    message: PublishedMessage,
    firstAttemptDone: () => void,
  ) => {
    const attributes = subscription.rawMessageDelivery ? message.messageAttributes : {};
    for (let attempt = 0; ; attempt += 1) {
      try {
        await options.delivery.send(subscription.queueName, body, attributes);
        firstAttemptDone();
        return;
      } catch (error) {
        firstAttemptDone();
        const reason = error instanceof Error ? error.message : String(error);
        if (closing.signal.aborted) {
          options.log.error('sns: notification not delivered before shutdown', {
            subscription: subscription.arn,
            messageId: message.messageId,
            body,
            reason,
          });
          return;
        }
        options.log.warn('sns: delivery to SQS failed; retrying', {
          subscription: subscription.arn,
          attempt: attempt + 1,
          reason,
        });
        await sleep(delays[Math.min(attempt, delays.length - 1)] ?? 1_000, closing.signal);
      }
    }
  };

  /**
   * "To prevent messages from being lost, all messages published to Amazon SNS are stored
   * redundantly across multiple availability zones" (https://docs.aws.amazon.com/sns/latest/
   * api/welcome.html). Locally the message is kept by the queues it goes to (SQS answers once
   * it is on disk), so Publish answers after the first delivery attempt to each subscription:
   * once delivered, a kill -9 cannot lose it. A delivery SQS refused is retried in memory.
   */
  const publish = async (request: QueryRequest): Promise<string> => {
    const input = readPublish(request);
    const topic = topics.get(input.topicArn);
    if (!topic) throw new SnsError('NotFound', 'Topic does not exist');
    const messageId = randomUUID();
    const timestamp = new Date().toISOString();
    const firstAttempts: Promise<void>[] = [];
    for (const subscription of topic.subscriptions) {
      const message: PublishedMessage = {
        messageId,
        topicArn: topic.arn,
        message: messageFor(input, subscription.protocol),
        timestamp,
        messageAttributes: input.messageAttributes,
        ...(input.subject !== undefined ? { subject: input.subject } : {}),
      };
      const body = subscription.rawMessageDelivery
        ? message.message
        : notificationEnvelope(message, {
            signingCertUrl: `${endpoint}/SimpleNotificationService-local.pem`,
            unsubscribeUrl: `${endpoint}/?Action=Unsubscribe&SubscriptionArn=${subscription.arn}`,
          });
      if (subscription.rawMessageDelivery && Object.keys(message.messageAttributes).length > 0)
        options.log.warn(
          'sns: raw delivery passes message attributes as SQS message attributes, which the SQS stand-in does not keep',
          { subscription: subscription.arn },
        );
      let firstAttemptDone = () => undefined as void;
      firstAttempts.push(new Promise<void>((resolve) => (firstAttemptDone = resolve)));
      const delivery = deliver(subscription, body, message, firstAttemptDone).finally(() =>
        inFlight.delete(delivery),
      );
      inFlight.add(delivery);
    }
    await Promise.all(firstAttempts);
    return `<MessageId>${messageId}</MessageId>`;
  };

  const listTopics = (): string =>
    `<Topics>${[...topics.keys()]
      .map((arn) => `<member><TopicArn>${escapeXml(arn)}</TopicArn></member>`)
      .join('')}</Topics>`;

  const server = createServer((request, response) => {
    handle(request, response, { Publish: publish, ListTopics: listTopics }).catch(
      (error: unknown) => {
        options.log.error('sns: request failed', {
          message: error instanceof Error ? error.message : String(error),
        });
        answer(response, 500, new SnsError('InternalError', 'internal error').toXml());
      },
    );
  });
  endpoint = await listenOn(server, options.port, host);
  options.log.info(
    `sns: serving ${endpoint} (topics: ${[...topics.values()].map((t) => t.name).join(', ') || 'none'})`,
  );

  const settled = async () => {
    while (inFlight.size > 0) await Promise.all([...inFlight]);
  };
  return {
    endpoint,
    settled,
    async close() {
      await Promise.race([settled(), sleep(2_000)]);
      closing.abort();
      await settled();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        setImmediate(() => server.closeAllConnections());
      });
    },
  };
}

type Operation = (request: QueryRequest) => string | Promise<string>;

async function handle(
  request: IncomingMessage,
  response: ServerResponse,
  operations: Record<string, Operation>,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const requestId = randomUUID();
  try {
    const query = parseQuery(Buffer.concat(chunks).toString('utf8'));
    const operation = request.method === 'POST' ? operations[query.action] : undefined;
    if (!operation)
      throw new SnsError(
        'InvalidAction',
        `The action ${query.action || '(none)'} is not valid for this endpoint: the local SNS serves Publish and ListTopics (POST, AWS Query protocol)`,
      );
    answer(response, 200, resultXml(query.action, await operation(query), requestId));
  } catch (error) {
    if (!(error instanceof SnsError)) throw error;
    answer(response, error.status, error.toXml(requestId));
  }
}

function answer(response: ServerResponse, status: number, xml: string): void {
  if (response.headersSent) return;
  response.writeHead(status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(xml),
    'x-amzn-requestid': randomUUID(),
  });
  response.end(xml);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done);
  });
}
