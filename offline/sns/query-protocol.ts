import { randomUUID } from 'node:crypto';

/**
 * The AWS Query protocol as @aws-sdk/client-sns v3 speaks it (its `AwsQueryProtocol`):
 * a form-encoded POST (`Action=Publish&Version=2010-03-31&TopicArn=…`), answered with XML in
 * the `http://sns.amazonaws.com/doc/2010-03-31/` namespace; errors as `<ErrorResponse>` whose
 * `<Code>` the SDK maps to its exception classes (NotFound → NotFoundException).
 */
export const SNS_XML_NAMESPACE = 'http://sns.amazonaws.com/doc/2010-03-31/';

/** The codes this stand-in answers with, with the HTTP status SNS gives each. */
const STATUS = {
  InvalidParameter: 400,
  InvalidParameterValue: 400,
  ParameterValueInvalid: 400,
  ValidationError: 400,
  InvalidAction: 400,
  NotFound: 404,
  InternalError: 500,
} as const;

export type SnsErrorCode = keyof typeof STATUS;

export class SnsError extends Error {
  constructor(
    readonly code: SnsErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SnsError';
  }

  get status(): number {
    return STATUS[this.code];
  }

  toXml(requestId: string = randomUUID()): string {
    return (
      `<ErrorResponse xmlns="${SNS_XML_NAMESPACE}"><Error><Type>${this.status < 500 ? 'Sender' : 'Receiver'}</Type>` +
      `<Code>${this.code}</Code><Message>${escapeXml(this.message)}</Message></Error>` +
      `<RequestId>${requestId}</RequestId></ErrorResponse>`
    );
  }
}

/** A message attribute as Publish takes it (`MessageAttributes.entry.N.*`). */
export interface MessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string; // base64, as the query protocol carries blobs
}

/** The form fields of one request, with the structured parameters SNS's Publish takes. */
export interface QueryRequest {
  action: string;
  params: URLSearchParams;
  messageAttributes: Record<string, MessageAttribute>;
}

export function parseQuery(body: string): QueryRequest {
  const params = new URLSearchParams(body);
  const attributes: Record<string, MessageAttribute> = {};
  for (let n = 1; params.has(`MessageAttributes.entry.${n}.Name`); n += 1) {
    const at = `MessageAttributes.entry.${n}`;
    const name = params.get(`${at}.Name`) ?? '';
    if (name in attributes)
      throw new SnsError('InvalidParameter', 'Invalid parameter: Duplicated keys are not allowed.');
    const dataType = params.get(`${at}.Value.DataType`);
    if (dataType === null)
      throw new SnsError(
        'ValidationError',
        `1 validation error detected: Value null at 'messageAttributes.${name}.member.dataType' failed to satisfy constraint: Member must not be null`,
      );
    const stringValue = params.get(`${at}.Value.StringValue`);
    const binaryValue = params.get(`${at}.Value.BinaryValue`);
    attributes[name] = {
      DataType: dataType,
      ...(stringValue !== null ? { StringValue: stringValue } : {}),
      ...(binaryValue !== null ? { BinaryValue: binaryValue } : {}),
    };
  }
  return { action: params.get('Action') ?? '', params, messageAttributes: attributes };
}

/** `<{Action}Response><{Action}Result>…</{Action}Result><ResponseMetadata>…` */
export function resultXml(action: string, innerXml: string, requestId: string): string {
  return (
    `<${action}Response xmlns="${SNS_XML_NAMESPACE}"><${action}Result>${innerXml}</${action}Result>` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`
  );
}

export function escapeXml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;');
}
