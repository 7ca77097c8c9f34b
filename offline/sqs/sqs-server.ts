import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { assertPortFree } from '../port-check.ts';
import { SqsError } from './sqs-errors.ts';
import { operations, type OperationContext } from './operations.ts';
import { QueueStore } from './queue-store.ts';

export interface SqsServerOptions {
  port: number;
  host?: string;
  /** The offline platform's state folder; messages are kept in `<stateDir>/sqs/<queue>.json`. */
  stateDir: string;
  /** Queues that exist from the start (created if new, kept with their messages if not). */
  queues: readonly string[];
  region?: string;
  log: (message: string) => void;
}

export interface SqsServer {
  /** For `new SQSClient({ endpoint })`. */
  endpoint: string;
  queueUrl(name: string): string;
  close(): Promise<void>;
}

const ACCOUNT = '000000000000';
const JSON_10 = 'application/x-amz-json-1.0';
const TARGET_PREFIX = 'AmazonSQS.';
/** Operations whose answer promises a message is kept: answered once the queue is on disk. */
const DURABLE_BEFORE_ANSWER = new Set(['SendMessage', 'SendMessageBatch']);

/**
 * The SQS stand-in: the AWS JSON 1.0 protocol that @aws-sdk/client-sqs v3 speaks
 * (`x-amz-target: AmazonSQS.<Operation>`), for the dead-letter queues of the offline platform.
 * Requests are not authenticated: any credentials are accepted.
 */
export async function startSqsServer(options: SqsServerOptions): Promise<SqsServer> {
  const host = options.host ?? '127.0.0.1';
  await assertPortFree(options.port, host, 'the SQS stand-in', 'custom.offline.sqs.port');
  const store = await QueueStore.open(join(options.stateDir, 'sqs'));
  for (const name of options.queues) store.create(name);
  let closing = false;
  const context: OperationContext = {
    store,
    endpoint: '',
    account: ACCOUNT,
    region: options.region ?? 'us-east-1',
    closing: () => closing,
  };

  const server = createServer((request, response) => {
    handle(context, request, response).catch((error: unknown) => {
      options.log(`sqs: ${error instanceof Error ? error.stack : String(error)}`);
      answer(response, 500, {
        __type: 'com.amazonaws.sqs#InternalError',
        message: 'internal error',
      });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  context.endpoint = `http://${host}:${port}`;
  options.log(`sqs: serving ${context.endpoint} (queues: ${store.names().join(', ') || 'none'})`);

  return {
    endpoint: context.endpoint,
    queueUrl: (name) => `${context.endpoint}/${ACCOUNT}/${name}`,
    close: async () => {
      closing = true;
      for (const queue of store.all()) queue.wakeAll();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Long polls just ended; keep-alive sockets would hold close() open.
        setImmediate(() => server.closeAllConnections());
      });
      await store.flush();
    },
  };
}

async function handle(
  context: OperationContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const target = String(request.headers['x-amz-target'] ?? '');
  const operation = target.startsWith(TARGET_PREFIX)
    ? operations[target.slice(TARGET_PREFIX.length)]
    : undefined;
  if (request.method !== 'POST' || !operation) {
    const error = new SqsError(
      'UnsupportedOperation',
      `${target || 'this request'} is not supported: send AWS JSON 1.0 (x-amz-target AmazonSQS.<Operation>)`,
    );
    const { headers, body } = error.toResponse();
    return answer(response, 400, body, headers);
  }
  try {
    const text = Buffer.concat(chunks).toString('utf8');
    const input: unknown = text ? JSON.parse(text) : {};
    if (typeof input !== 'object' || input === null || Array.isArray(input))
      throw new SqsError('InvalidParameterValue', 'The request body must be a JSON object.');
    const output = await operation(context, input as Record<string, unknown>);
    // "Amazon SQS redundantly stores a message in more than one availability zone (AZ) before
    // a SendMessage is acknowledged" (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/
    // SQSDeveloperGuide/DistributedQueues.html); a sender such as the event source mapping's
    // on-failure destination moves its checkpoint on once answered. So: on disk, then answered.
    if (DURABLE_BEFORE_ANSWER.has(target.slice(TARGET_PREFIX.length))) await context.store.flush();
    answer(response, 200, output);
  } catch (error) {
    if (error instanceof SyntaxError) {
      const { headers, body } = new SqsError('InvalidParameterValue', error.message).toResponse();
      return answer(response, 400, body, headers);
    }
    if (!(error instanceof SqsError)) throw error;
    const { headers, body } = error.toResponse();
    answer(response, 400, body, headers);
  }
}

function answer(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (response.headersSent) return;
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  response.writeHead(status, {
    'content-type': JSON_10,
    'content-length': Buffer.byteLength(payload),
    'x-amzn-requestid': randomUUID(),
    ...headers,
  });
  response.end(payload);
}
