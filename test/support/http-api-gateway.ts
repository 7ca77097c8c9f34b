import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { lambdaContext } from './api-events.ts';
import { preflightAnswer, withCorsHeaders, type HttpApiConfig } from './http-api-cors.ts';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

/** One request as the front answered it, preflights and 404s included. */
export interface FrontRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  statusCode: number;
}

/**
 * An HTTP API's front for SDK tests: a loopback server that hands each request to a handler
 * as API Gateway's payload 2.0 does — header names lower-cased, a body with a
 * Content-Encoding (or a binary type) base64-encoded with isBase64Encoded: true, any other
 * body as UTF-8 text — and sends the handler's answer back. serverless-offline decodes every
 * JSON body as text, which compressed bodies do not survive (docs/offline.md), so tests of
 * SDKs that compress use this front. Given serverless.yml's HTTP API configuration
 * (readHttpApiConfig), it also routes as API Gateway does — a method and path with no route
 * is a 404 `{"message":"Not Found"}` that never reaches the function — and answers CORS as
 * the configuration says (http-api-cors.ts), for SDKs in a browser.
 */
export async function startHttpApiFront(
  handler: Handler,
  config?: HttpApiConfig,
  observe?: (seen: FrontRequest) => void,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const headers = lowerCased(request);
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'POST';
    void answer(request, headers, method, url).then(
      ({ result, byGateway }) => {
        const statusCode = result.statusCode ?? 200;
        const out = result.headers as Record<string, string> | undefined;
        response.writeHead(
          statusCode,
          config && !byGateway ? withCorsHeaders(out, headers, config.cors) : out,
        );
        response.end(result.body);
        observe?.({ method, path: url.pathname, query: url.search.slice(1), headers, statusCode });
      },
      (error: unknown) => {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: String(error) }));
      },
    );
  });
  async function answer(
    request: IncomingMessage,
    headers: Record<string, string>,
    method: string,
    url: URL,
  ) {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    if (config) {
      // API Gateway's own answers, which never reach the function.
      const preflight = preflightAnswer(method, headers, config.cors);
      if (preflight) return { result: { ...preflight, body: '' }, byGateway: true };
      if (!config.routes.has(`${method} ${url.pathname}`))
        return { result: { statusCode: 404, headers: notFound, body: '{"message":"Not Found"}' } };
    }
    const encoding = headers['content-encoding'];
    const binary =
      (encoding !== undefined && encoding !== 'identity') ||
      /octet-stream|multipart/.test(headers['content-type'] ?? '');
    const now = Date.now();
    const event: APIGatewayProxyEventV2 = {
      version: '2.0',
      routeKey: `${method} ${url.pathname}`,
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      requestContext: {
        accountId: '000000000000',
        apiId: 'front',
        domainName: 'localhost',
        domainPrefix: 'localhost',
        http: {
          method,
          path: url.pathname,
          protocol: 'HTTP/1.1',
          sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
          userAgent: headers['user-agent'] ?? '',
        },
        requestId: `front-${now}`,
        routeKey: `${method} ${url.pathname}`,
        stage: '$default',
        time: new Date(now).toISOString(),
        timeEpoch: now,
      },
      body: bytes.length === 0 ? undefined : bytes.toString(binary ? 'base64' : 'utf8'),
      isBase64Encoded: binary,
    };
    const result = (await handler(event, lambdaContext)) as Exclude<
      APIGatewayProxyResultV2,
      string
    >;
    return { result, byGateway: false };
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections(); // a browser's idle keep-alive connections too
      }),
  };
}

const notFound = { 'content-type': 'application/json' };

function lowerCased(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers))
    if (value !== undefined)
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  return headers;
}
