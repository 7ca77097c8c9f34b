/**
 * An HTTP API's CORS configuration, as serverless.yml gives it (provider.httpApi.cors), and
 * the answers API Gateway makes of it
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html): it answers
 * a preflight (OPTIONS with Origin and Access-Control-Request-Method) itself, with no OPTIONS
 * route and without calling the function; it adds the configured headers to every answer
 * from the integration to a request with an Origin, and ignores CORS headers the integration
 * returns. Whether a request may go ahead is then the browser's decision, on those headers.
 */
export interface HttpApiCors {
  allowedOrigins: string[];
  allowedHeaders: string[];
  allowedMethods: string[];
  exposedResponseHeaders?: string[];
  allowCredentials?: boolean;
  maxAge?: number;
}

/** What the framework puts in CorsConfiguration for `cors: true` or a field left out. */
const FRAMEWORK_DEFAULTS = {
  allowedOrigins: ['*'],
  allowedHeaders: [
    'Content-Type',
    'X-Amz-Date',
    'Authorization',
    'X-Api-Key',
    'X-Amz-Security-Token',
    'X-Amz-User-Agent',
    'X-Amzn-Trace-Id',
  ],
};

const list = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [value]).map((item) => String(item));

/**
 * provider.httpApi.cors as the framework compiles it (lib/plugins/aws/package/compile/events/
 * http-api.js): `true` or an object; allowedOrigins and allowedHeaders default to the
 * framework's lists, allowedMethods to OPTIONS plus every route's method.
 */
export function corsFromServerless(
  cors: unknown,
  routeMethods: readonly string[],
): HttpApiCors | undefined {
  if (cors === undefined || cors === null || cors === false) return undefined;
  const given = (cors === true ? {} : cors) as Record<string, unknown>;
  const methods = new Set(['OPTIONS']);
  for (const method of routeMethods)
    if (method === 'ANY') for (const m of ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']) methods.add(m);
    else methods.add(method);
  return {
    allowedOrigins: given.allowedOrigins
      ? list(given.allowedOrigins)
      : FRAMEWORK_DEFAULTS.allowedOrigins,
    allowedHeaders: given.allowedHeaders
      ? list(given.allowedHeaders)
      : FRAMEWORK_DEFAULTS.allowedHeaders,
    allowedMethods: given.allowedMethods ? list(given.allowedMethods) : [...methods],
    ...(given.exposedResponseHeaders
      ? { exposedResponseHeaders: list(given.exposedResponseHeaders) }
      : {}),
    ...(given.allowCredentials ? { allowCredentials: true } : {}),
    ...(given.maxAge === undefined ? {} : { maxAge: Number(given.maxAge) }),
  };
}

function allowedOrigin(cors: HttpApiCors, origin: string | undefined): string | undefined {
  if (origin === undefined) return undefined;
  for (const allowed of cors.allowedOrigins) {
    if (allowed === '*') return '*';
    if (allowed === origin) return origin;
    if (allowed.endsWith('*') && origin.startsWith(allowed.slice(0, -1))) return origin;
  }
  return undefined;
}

/** API Gateway's own answer to a preflight, or undefined when the request is not one. */
export function preflightAnswer(
  method: string,
  headers: Record<string, string>,
  cors: HttpApiCors,
): { statusCode: number; headers: Record<string, string> } | undefined {
  if (method !== 'OPTIONS' || headers['access-control-request-method'] === undefined)
    return undefined;
  const origin = allowedOrigin(cors, headers.origin);
  if (origin === undefined) return { statusCode: 204, headers: {} };
  return {
    statusCode: 204,
    headers: {
      'access-control-allow-origin': origin,
      'access-control-allow-methods': cors.allowedMethods.join(','),
      'access-control-allow-headers': cors.allowedHeaders.join(','),
      ...(cors.maxAge === undefined ? {} : { 'access-control-max-age': String(cors.maxAge) }),
      ...(cors.allowCredentials ? { 'access-control-allow-credentials': 'true' } : {}),
    },
  };
}

/** The integration's headers with its CORS headers replaced by the configured ones. */
export function withCorsHeaders(
  answer: Record<string, string>,
  requestHeaders: Record<string, string>,
  cors: HttpApiCors,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(answer))
    if (!name.toLowerCase().startsWith('access-control-')) headers[name] = value;
  const origin = allowedOrigin(cors, requestHeaders.origin);
  if (origin === undefined) return headers;
  headers['access-control-allow-origin'] = origin;
  if (cors.exposedResponseHeaders?.length)
    headers['access-control-expose-headers'] = cors.exposedResponseHeaders.join(',');
  if (cors.allowCredentials) headers['access-control-allow-credentials'] = 'true';
  return headers;
}
