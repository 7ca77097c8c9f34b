import { SqsError } from './sqs-errors.ts';
import type { Queue, ReceivedMessage } from './queue.ts';
import type { QueueStore } from './queue-store.ts';

type Input = Record<string, unknown>;
type Output = Record<string, unknown>;

export interface OperationContext {
  store: QueueStore;
  /** e.g. http://127.0.0.1:9324; queue URLs are `<endpoint>/<account>/<name>`. */
  endpoint: string;
  account: string;
  region: string;
  /** True once the server is closing: long polls end at once. */
  closing: () => boolean;
}

/** SQS's limit since August 2025 (it was 256 KiB before). */
const MAX_MESSAGE_BYTES = 1_048_576;
// The characters SQS accepts in a body: XML 1.0's, as the Query protocol once required.
const INVALID_BODY = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
const BATCH_ID = /^[A-Za-z0-9_-]{1,80}$/;

function text(input: Input, key: string): string {
  const value = input[key];
  if (typeof value !== 'string' || value === '')
    throw new SqsError('MissingParameter', `The request must contain the parameter ${key}.`);
  return value;
}

/**
 * A whole number in range, refused in AWS's words (recorded answers, localstack's AWS-validated
 * SQS snapshots): "Value 11 for parameter MaxNumberOfMessages is invalid. Reason: Must be
 * between 1 and 10, if provided."; WaitTimeSeconds says "Must be >= 0 and <= 20, if provided."
 */
function integer(input: Input, key: string, min: number, max: number): number | undefined {
  const value = input[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range =
      key === 'WaitTimeSeconds'
        ? `Must be >= ${min} and <= ${max}, if provided.`
        : `Must be between ${min} and ${max}, if provided.`;
    throw new SqsError(
      'InvalidParameterValue',
      `Value ${String(value)} for parameter ${key} is invalid. Reason: ${range}`,
    );
  }
  return value;
}

function queueFor(context: OperationContext, input: Input): Queue {
  const url = text(input, 'QueueUrl');
  const name = url.split('/').filter(Boolean).pop() ?? '';
  const queue = context.store.get(name);
  if (!queue) throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
  return queue;
}

const queueUrl = (context: OperationContext, name: string) =>
  `${context.endpoint}/${context.account}/${name}`;

function checkBody(body: string): void {
  if (INVALID_BODY.test(body))
    throw new SqsError('InvalidMessageContents', 'Invalid characters found in the message body.');
  if (Buffer.byteLength(body, 'utf8') > MAX_MESSAGE_BYTES)
    throw new SqsError(
      'InvalidParameterValue',
      `One or more parameters are invalid. Reason: Message must be shorter than ${MAX_MESSAGE_BYTES} bytes.`,
    );
}

/** Validates a batch's shape (all-or-nothing errors); entries then fail one by one. */
function batchEntries(input: Input): Input[] {
  const entries = input.Entries;
  if (!Array.isArray(entries) || entries.length === 0)
    throw new SqsError('EmptyBatchRequest', 'There should be at least one entry in the request.');
  if (entries.length > 10)
    throw new SqsError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are 10. You have sent ${entries.length}.`,
    );
  const ids = new Set<string>();
  for (const entry of entries as Input[]) {
    const id = entry.Id;
    if (typeof id !== 'string' || !BATCH_ID.test(id))
      throw new SqsError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    if (ids.has(id)) throw new SqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    ids.add(id);
  }
  return entries as Input[];
}

/** Runs one entry; a thrown SqsError becomes that entry's Failed record. */
function perEntry(
  results: { Successful: Output[]; Failed: Output[] },
  id: unknown,
  run: () => Output,
) {
  try {
    results.Successful.push({ Id: id, ...run() });
  } catch (error) {
    if (!(error instanceof SqsError)) throw error;
    results.Failed.push({
      Id: id,
      SenderFault: true,
      Code: error.queryCode,
      Message: error.message,
    });
  }
}

const SYSTEM_ATTRIBUTES = [
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SenderId',
];

function received(items: ReceivedMessage[], wanted: Set<string>): Output {
  const names = wanted.has('All')
    ? SYSTEM_ATTRIBUTES
    : SYSTEM_ATTRIBUTES.filter((n) => wanted.has(n));
  return {
    Messages: items.map(({ message, receiptHandle }) => {
      const values: Record<string, string> = {
        SentTimestamp: String(message.sentTimestamp),
        ApproximateReceiveCount: String(message.receiveCount),
        ApproximateFirstReceiveTimestamp: String(message.firstReceiveTimestamp ?? ''),
        SenderId: '000000000000',
      };
      const attributes = Object.fromEntries(names.map((name) => [name, values[name] ?? '']));
      return {
        MessageId: message.messageId,
        ReceiptHandle: receiptHandle,
        MD5OfBody: message.md5OfBody,
        Body: message.body,
        ...(names.length ? { Attributes: attributes } : {}),
      };
    }),
  };
}

async function receiveMessage(context: OperationContext, input: Input): Promise<Output> {
  const queue = queueFor(context, input);
  const max = integer(input, 'MaxNumberOfMessages', 1, 10) ?? 1;
  const visibility =
    integer(input, 'VisibilityTimeout', 0, 43_200) ?? queue.settings.visibilityTimeoutSeconds;
  const wait = integer(input, 'WaitTimeSeconds', 0, 20) ?? queue.settings.receiveWaitTimeSeconds;
  const wanted = new Set(
    [input.AttributeNames, input.MessageSystemAttributeNames].flatMap((list) =>
      Array.isArray(list) ? list.map(String) : [],
    ),
  );
  const deadline = Date.now() + wait * 1000;
  for (;;) {
    const taken = queue.receive(max, visibility);
    if (taken.length > 0) {
      context.store.changed(queue.name);
      return received(taken, wanted);
    }
    const left = deadline - Date.now();
    if (left <= 0 || context.closing()) return {};
    // Woken by a send; otherwise look again every 250 ms for messages whose visibility ended.
    await queue.waitForArrival(Math.min(left, 250));
  }
}

function queueAttributes(context: OperationContext, queue: Queue, input: Input): Output {
  const { visible, inFlight } = queue.counts();
  const all: Record<string, string> = {
    QueueArn: `arn:aws:sqs:${context.region}:${context.account}:${queue.name}`,
    ApproximateNumberOfMessages: String(visible),
    ApproximateNumberOfMessagesNotVisible: String(inFlight),
    ApproximateNumberOfMessagesDelayed: '0',
    VisibilityTimeout: String(queue.settings.visibilityTimeoutSeconds),
    ReceiveMessageWaitTimeSeconds: String(queue.settings.receiveWaitTimeSeconds),
    CreatedTimestamp: String(Math.floor(queue.settings.createdTimestamp / 1000)),
    MaximumMessageSize: String(MAX_MESSAGE_BYTES),
  };
  const asked = Array.isArray(input.AttributeNames) ? input.AttributeNames.map(String) : [];
  const names = asked.includes('All') ? Object.keys(all) : asked.filter((name) => name in all);
  return { Attributes: Object.fromEntries(names.map((name) => [name, all[name] ?? ''])) };
}

export const operations: Record<
  string,
  (context: OperationContext, input: Input) => Output | Promise<Output>
> = {
  CreateQueue(context, input) {
    const name = text(input, 'QueueName');
    if (!QUEUE_NAME.test(name))
      throw new SqsError(
        'InvalidParameterValue',
        'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
      );
    const attributes = (input.Attributes ?? {}) as Input;
    const seconds = (key: string, max: number) =>
      attributes[key] === undefined
        ? undefined
        : integer({ [key]: Number(attributes[key]) }, key, 0, max);
    const visibility = seconds('VisibilityTimeout', 43_200);
    const wait = seconds('ReceiveMessageWaitTimeSeconds', 20);
    context.store.create(name, {
      ...(visibility === undefined ? {} : { visibilityTimeoutSeconds: visibility }),
      ...(wait === undefined ? {} : { receiveWaitTimeSeconds: wait }),
    });
    return { QueueUrl: queueUrl(context, name) };
  },
  GetQueueUrl(context, input) {
    const name = text(input, 'QueueName');
    if (!context.store.get(name))
      throw new SqsError('QueueDoesNotExist', 'The specified queue does not exist.');
    return { QueueUrl: queueUrl(context, name) };
  },
  ListQueues(context, input) {
    const prefix = typeof input.QueueNamePrefix === 'string' ? input.QueueNamePrefix : '';
    const names = context.store.names().filter((name) => name.startsWith(prefix));
    return { QueueUrls: names.map((name) => queueUrl(context, name)) };
  },
  SendMessage(context, input) {
    const queue = queueFor(context, input);
    const body = text(input, 'MessageBody');
    checkBody(body);
    const message = queue.send(body);
    context.store.changed(queue.name);
    return { MessageId: message.messageId, MD5OfMessageBody: message.md5OfBody };
  },
  SendMessageBatch(context, input) {
    const queue = queueFor(context, input);
    const results = { Successful: [] as Output[], Failed: [] as Output[] };
    for (const entry of batchEntries(input)) {
      perEntry(results, entry.Id, () => {
        const body = text(entry, 'MessageBody');
        checkBody(body);
        const message = queue.send(body);
        return { MessageId: message.messageId, MD5OfMessageBody: message.md5OfBody };
      });
    }
    context.store.changed(queue.name);
    return results;
  },
  ReceiveMessage: receiveMessage,
  DeleteMessage(context, input) {
    const queue = queueFor(context, input);
    if (!queue.delete(text(input, 'ReceiptHandle')))
      throw new SqsError('ReceiptHandleIsInvalid', 'The input receipt handle is invalid.');
    context.store.changed(queue.name);
    return {};
  },
  DeleteMessageBatch(context, input) {
    const queue = queueFor(context, input);
    const results = { Successful: [] as Output[], Failed: [] as Output[] };
    for (const entry of batchEntries(input)) {
      perEntry(results, entry.Id, () => {
        if (!queue.delete(text(entry, 'ReceiptHandle')))
          throw new SqsError('ReceiptHandleIsInvalid', 'The input receipt handle is invalid.');
        return {};
      });
    }
    context.store.changed(queue.name);
    return results;
  },
  ChangeMessageVisibility(context, input) {
    const queue = queueFor(context, input);
    const seconds = integer(input, 'VisibilityTimeout', 0, 43_200);
    if (seconds === undefined)
      throw new SqsError(
        'MissingParameter',
        'The request must contain the parameter VisibilityTimeout.',
      );
    const outcome = queue.changeVisibility(text(input, 'ReceiptHandle'), seconds);
    if (outcome === 'invalid')
      throw new SqsError('ReceiptHandleIsInvalid', 'The input receipt handle is invalid.');
    if (outcome === 'not-inflight')
      throw new SqsError('MessageNotInflight', 'The message referred to is not in flight.');
    return {};
  },
  GetQueueAttributes(context, input) {
    return queueAttributes(context, queueFor(context, input), input);
  },
  PurgeQueue(context, input) {
    const queue = queueFor(context, input);
    queue.purge();
    context.store.changed(queue.name);
    return {};
  },
};
