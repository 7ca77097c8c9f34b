import { SnsError, type MessageAttribute, type QueryRequest } from './query-protocol.ts';

/** SNS's cap on a message with its attributes: 256 KiB. */
export const MAX_MESSAGE_BYTES = 262_144;
const MAX_SUBJECT_CHARS = 100;

/** A Publish request, checked as SNS checks it, before any subscription sees it. */
export interface PublishInput {
  topicArn: string;
  subject?: string;
  /** The message body, or with MessageStructure=json the per-protocol messages. */
  message: string;
  perProtocol?: Record<string, string>;
  messageAttributes: Record<string, MessageAttribute>;
}

/**
 * Validates Publish with SNS's error codes and messages (AWS's recorded answers in
 * localstack's AWS-validated SNS snapshots: "Invalid parameter: Empty message",
 * "Invalid parameter: Message too long", "Invalid parameter: Subject", the MessageStructure
 * and message attribute messages).
 */
export function readPublish(request: QueryRequest): PublishInput {
  const { params } = request;
  const topicArn = params.get('TopicArn') ?? params.get('TargetArn');
  if (topicArn === null || topicArn === '')
    throw new SnsError(
      'InvalidParameter',
      'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter',
    );
  const elements = topicArn.split(':').length;
  if (elements < 6)
    throw new SnsError(
      'InvalidParameter',
      `Invalid parameter: TopicArn Reason: An ARN must have at least 6 elements, not ${elements}`,
    );
  if (params.has('PhoneNumber'))
    throw new SnsError(
      'InvalidParameter',
      'Invalid parameter: PhoneNumber Reason: SMS is not stood in for locally',
    );
  const message = params.get('Message');
  if (message === null)
    throw new SnsError(
      'ValidationError',
      "1 validation error detected: Value null at 'message' failed to satisfy constraint: Member must not be null",
    );
  if (message === '') throw new SnsError('InvalidParameter', 'Invalid parameter: Empty message');
  const subject = params.get('Subject') ?? undefined;
  if (subject !== undefined && !validSubject(subject))
    throw new SnsError('InvalidParameter', 'Invalid parameter: Subject');
  const attributes = request.messageAttributes;
  for (const [name, attribute] of Object.entries(attributes)) checkAttribute(name, attribute);
  if (publishedBytes(message, subject, attributes) > MAX_MESSAGE_BYTES)
    throw new SnsError('InvalidParameter', 'Invalid parameter: Message too long');
  const input: PublishInput = { topicArn, message, messageAttributes: attributes };
  if (subject !== undefined) input.subject = subject;
  const structure = params.get('MessageStructure');
  if (structure === 'json') input.perProtocol = perProtocolMessages(message);
  else if (structure !== null)
    throw new SnsError('InvalidParameter', 'Invalid parameter: MessageStructure');
  return input;
}

/** The message a subscription of `protocol` gets: its own entry, else `default`. */
export function messageFor(input: PublishInput, protocol: string): string {
  if (!input.perProtocol) return input.message;
  return input.perProtocol[protocol] ?? input.perProtocol.default ?? input.message;
}

/** "ASCII text that begins with a letter, number, or punctuation mark; no line breaks or control characters; fewer than 100 characters." */
function validSubject(subject: string): boolean {
  return (
    subject.length > 0 &&
    subject.length <= MAX_SUBJECT_CHARS &&
    /^[\x20-\x7e]*$/.test(subject) &&
    /^[A-Za-z0-9\p{P}]/u.test(subject)
  );
}

function perProtocolMessages(message: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw new SnsError(
      'InvalidParameter',
      'Invalid parameter: Message Structure - JSON message body failed to parse',
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
    throw new SnsError(
      'InvalidParameter',
      'Invalid parameter: Message Structure - JSON message body failed to parse',
    );
  const entries = parsed as Record<string, unknown>;
  if (typeof entries.default !== 'string')
    throw new SnsError(
      'InvalidParameter',
      'Invalid parameter: Message Structure - No default entry in JSON message body',
    );
  return Object.fromEntries(
    Object.entries(entries).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}

function checkAttribute(name: string, attribute: MessageAttribute): void {
  const type = attribute.DataType;
  const base = /^(String|Number|Binary)(\..+)?$/.exec(type)?.[1];
  if (!base)
    throw new SnsError(
      'ParameterValueInvalid',
      `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
    );
  const field = base === 'Binary' ? 'Binary' : 'String';
  const value = base === 'Binary' ? attribute.BinaryValue : attribute.StringValue;
  if (value === undefined)
    throw new SnsError(
      'ParameterValueInvalid',
      `The message attribute '${name}' with type '${base}' must use field '${field}'.`,
    );
  if (value === '')
    throw new SnsError(
      'ParameterValueInvalid',
      `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${base}'.`,
    );
  if (base === 'Number' && !Number.isFinite(Number(value)))
    throw new SnsError(
      'ParameterValueInvalid',
      `Could not cast message attribute '${name}' value to number.`,
    );
}

function publishedBytes(
  message: string,
  subject: string | undefined,
  attributes: Record<string, MessageAttribute>,
): number {
  let bytes = Buffer.byteLength(message) + Buffer.byteLength(subject ?? '');
  for (const [name, attribute] of Object.entries(attributes)) {
    bytes += Buffer.byteLength(name) + Buffer.byteLength(attribute.DataType);
    bytes += Buffer.byteLength(attribute.StringValue ?? '');
    bytes += attribute.BinaryValue ? Buffer.from(attribute.BinaryValue, 'base64').length : 0;
  }
  return bytes;
}
