import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LambdaInvoker } from '../lambda-invoker.ts';
import { preflightAnswer, withCorsHeaders } from './http-api-cors.ts';
import { buildHttpApiEvent, joinedHeaders, newRequestId } from './http-api-event.ts';
import { gatewayError, integrationAnswer, type GatewayAnswer } from './http-api-response.ts';
import { matchRoute, type HttpApiDefinition, type HttpApiThrottle } from './http-api-routes.ts';

/**
 * API Gateway's HTTP API in front of the functions, locally: routes from serverless.yml,
 * CORS preflights answered here, each request as a payload 2.0 event through the Lambda
 * Invoke API, and the quotas of
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html:
 * a 10 MB payload (413) and a 30 s integration timeout (503 `{"message":"Service
 * Unavailable"}`), plus the stage's throttling (429).
 */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;
export const INTEGRATION_TIMEOUT_MS = 30_000;
const CLOSE_GRACE_MS = 3_000;

/** One request as answered, for the access log (and tests). */
export interface AccessEntry {
  requestId: string;
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  routeKey: string | undefined;
  status: number;
  ms: number;
  responseLength: number;
  ip: string;
  integrationError?: string;
}

export interface HttpApiServerOptions {
  api: HttpApiDefinition;
  invoker: LambdaInvoker;
  port: number;
  host: string;
  /** API Gateway's is 30 s and fixed; a test may shorten it. */
  integrationTimeoutMs?: number;
  onAccess?: (entry: AccessEntry) => void;
}

export interface HttpApiServer {
  url: string;
  close(): Promise<void>;
}

/** Stage throttling as a token bucket: burstLimit deep, refilled at rateLimit per second. */
function tokenBucket(throttle: HttpApiThrottle | undefined): () => boolean {
  if (!throttle) return () => true;
  let tokens = throttle.burstLimit;
  let last = performance.now();
  return () => {
    const now = performance.now();
    tokens = Math.min(throttle.burstLimit, tokens + ((now - last) / 1000) * throttle.rateLimit);
    last = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

/** The body, or undefined once it passes the payload quota (the rest is read and dropped). */
async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size <= MAX_PAYLOAD_BYTES) chunks.push(chunk as Buffer);
  }
  return size > MAX_PAYLOAD_BYTES ? undefined : Buffer.concat(chunks);
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(resolve, ms, 'timeout')));
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function startHttpApiServer(options: HttpApiServerOptions): Promise<HttpApiServer> {
  const { api, invoker } = options;
  const admit = tokenBucket(api.throttle);
  const timeoutMs = options.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS;

  async function answer(
    request: IncomingMessage,
    headers: Record<string, string>,
    requestId: string,
  ): Promise<{ answer: GatewayAnswer; routeKey?: string; cors: boolean }> {
    const method = request.method ?? 'GET';
    const url = request.url ?? '/';
    const path = url.split('?')[0] as string;
    if (Number(headers['content-length'] ?? 0) > MAX_PAYLOAD_BYTES) {
      request.resume();
      return { answer: gatewayError(413), cors: true };
    }
    const body = await readBody(request);
    if (body === undefined) return { answer: gatewayError(413), cors: true };
    if (!admit()) return { answer: gatewayError(429), cors: true };
    if (api.cors) {
      const preflight = preflightAnswer(method, headers, api.cors);
      if (preflight)
        return { answer: { ...preflight, cookies: [], body: Buffer.alloc(0) }, cors: false };
    }
    const match = matchRoute(api.routes, method, path);
    if (!match) return { answer: gatewayError(404), cors: true };
    const event = buildHttpApiEvent(
      {
        method,
        url,
        rawHeaders: request.rawHeaders,
        body,
        sourceIp: (request.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
        protocol: `HTTP/${request.httpVersion}`,
        requestId,
        timeEpoch: Date.now(),
      },
      match,
    );
    const result = await withTimeout(invoker.invoke(match.route.functionName, event), timeoutMs);
    const routeKey = match.route.routeKey;
    if (result === 'timeout')
      return {
        answer: gatewayError(503, `integration timed out after ${timeoutMs} ms`),
        routeKey,
        cors: true,
      };
    return { answer: integrationAnswer(result), routeKey, cors: true };
  }

  function send(
    response: ServerResponse,
    requestHeaders: Record<string, string>,
    requestId: string,
    result: { answer: GatewayAnswer; cors: boolean },
  ): void {
    const { answer: out } = result;
    const headers =
      api.cors && result.cors
        ? withCorsHeaders(out.headers, requestHeaders, api.cors)
        : out.headers;
    response.statusCode = out.statusCode;
    for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    if (out.cookies.length > 0) response.setHeader('set-cookie', out.cookies);
    response.setHeader('apigw-requestid', requestId);
    response.setHeader('content-length', out.body.length);
    response.end(out.body);
  }

  const server: Server = createServer((request, response) => {
    const started = performance.now();
    const requestId = newRequestId();
    const headers = joinedHeaders(request.rawHeaders);
    const url = request.url ?? '/';
    const queryAt = url.indexOf('?');
    void answer(request, headers, requestId)
      .catch((error: unknown) => ({
        answer: gatewayError(500, error instanceof Error ? error.message : String(error)),
        cors: true,
      }))
      .then((result) => {
        send(response, headers, requestId, result);
        options.onAccess?.({
          requestId,
          method: request.method ?? 'GET',
          path: queryAt < 0 ? url : url.slice(0, queryAt),
          query: queryAt < 0 ? '' : url.slice(queryAt + 1),
          headers,
          routeKey: 'routeKey' in result ? result.routeKey : undefined,
          status: result.answer.statusCode,
          ms: Math.round(performance.now() - started),
          responseLength: result.answer.body.length,
          ip: request.socket.remoteAddress ?? '',
          ...(result.answer.integrationError
            ? { integrationError: result.answer.integrationError }
            : {}),
        });
      });
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host}:${port}`,
    // Requests in flight are answered (their functions still run); idle keep-alive
    // connections close at once, and whatever remains after the grace period is cut.
    close: () =>
      new Promise<void>((resolve) => {
        const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        server.close(() => {
          clearTimeout(cut);
          resolve();
        });
        server.closeIdleConnections();
      }),
  };
}
