import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

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

/** What a front needs of serverless.yml: the CORS configuration and the routes (`POST /v1/batch`). */
export interface HttpApiConfig {
  cors: HttpApiCors;
  routes: Set<string>;
}

interface Printed {
  provider: { httpApi?: { cors?: HttpApiCors } };
  functions: Record<string, { events?: Array<{ httpApi?: { method: string; path: string } }> }>;
}

/** serverless.yml as the framework resolves it (`sls print`), for the local stage. */
export function readHttpApiConfig(): HttpApiConfig {
  const result = spawnSync(
    process.execPath,
    ['node_modules/serverless/bin/serverless.js', 'print', '--stage', 'local', '--format', 'json'],
    { cwd: resolve(__dirname, '../..'), encoding: 'utf8', timeout: 60_000 },
  );
  if (result.status !== 0) throw new Error(`sls print failed: ${result.stderr}`);
  const printed = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as Printed;
  const cors = printed.provider.httpApi?.cors;
  if (!cors) throw new Error('serverless.yml configures no provider.httpApi.cors');
  const routes = new Set<string>();
  for (const fn of Object.values(printed.functions))
    for (const event of fn.events ?? [])
      if (event.httpApi) routes.add(`${event.httpApi.method.toUpperCase()} ${event.httpApi.path}`);
  return { cors, routes };
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
  answer: Record<string, string> | undefined,
  requestHeaders: Record<string, string>,
  cors: HttpApiCors,
): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(answer ?? {}))
    if (!name.toLowerCase().startsWith('access-control-')) headers[name] = value;
  const origin = allowedOrigin(cors, requestHeaders.origin);
  if (origin === undefined) return headers;
  headers['access-control-allow-origin'] = origin;
  if (cors.exposedResponseHeaders?.length)
    headers['access-control-expose-headers'] = cors.exposedResponseHeaders.join(',');
  if (cors.allowCredentials) headers['access-control-allow-credentials'] = 'true';
  return headers;
}
