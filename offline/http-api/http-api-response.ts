import type { InvokeResult } from '../lambda-invoker.ts';

/**
 * What API Gateway answers the client, from a Lambda integration's result (payload format
 * 2.0, https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html)
 * or on its own: a result without statusCode is a 200 application/json of that result;
 * one with statusCode gives status, headers, cookies and body (base64-decoded when
 * isBase64Encoded). A function error, an invocation Lambda refuses or a result of the wrong
 * shape is a 500 `{"message":"Internal Server Error"}`
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html), the cause
 * going only to the access log ($context.integrationErrorMessage).
 */
export interface GatewayAnswer {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
  /** Why the integration failed, for the access log; never sent to the client. */
  integrationError?: string;
}

/** API Gateway's own error answers, with its messages. */
export const GATEWAY_MESSAGES = {
  404: 'Not Found',
  413: 'Request Entity Too Large',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
} as const;

export function gatewayError(
  statusCode: keyof typeof GATEWAY_MESSAGES,
  integrationError?: string,
): GatewayAnswer {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    cookies: [],
    body: Buffer.from(JSON.stringify({ message: GATEWAY_MESSAGES[statusCode] })),
    ...(integrationError === undefined ? {} : { integrationError }),
  };
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const scalar = (value: unknown) =>
  typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';

function malformed(reason: string): GatewayAnswer {
  return gatewayError(500, `The Lambda function returned a malformed response: ${reason}`);
}

/** The client's answer to one invocation through the Lambda Invoke API. */
export function integrationAnswer(result: InvokeResult): GatewayAnswer {
  if (!result.ok) return gatewayError(500, `${result.errorType}: ${result.errorMessage}`);
  const payload = result.payload;
  if (!isRecord(payload) || !('statusCode' in payload)) {
    return {
      statusCode: 200,
      headers: { 'content-type': 'application/json' },
      cookies: [],
      body: Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)),
    };
  }
  const statusCode = Number(payload.statusCode);
  if (!Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599)
    return malformed(`statusCode ${JSON.stringify(payload.statusCode)}`);
  const headers: Record<string, string> = {};
  if (payload.headers !== undefined && payload.headers !== null) {
    if (!isRecord(payload.headers)) return malformed('headers is not an object');
    for (const [name, value] of Object.entries(payload.headers)) {
      if (!scalar(value)) return malformed(`header ${name} is not a string`);
      headers[name.toLowerCase()] = String(value);
    }
  }
  const cookies = payload.cookies ?? [];
  if (!Array.isArray(cookies) || !cookies.every((c) => typeof c === 'string'))
    return malformed('cookies is not a list of strings');
  const body = payload.body ?? '';
  if (typeof body !== 'string') return malformed('body is not a string');
  return {
    statusCode,
    headers,
    cookies,
    body: Buffer.from(body, payload.isBase64Encoded === true ? 'base64' : 'utf8'),
  };
}
