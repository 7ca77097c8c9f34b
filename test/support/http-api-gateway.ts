import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { lambdaContext } from './api-events.ts';

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<unknown>;

/**
 * An HTTP API's front for SDK tests: a loopback server that hands each request to a handler
 * as API Gateway's payload 2.0 does — header names lower-cased, a body with a
 * Content-Encoding (or a binary type) base64-encoded with isBase64Encoded: true, any other
 * body as UTF-8 text — and sends the handler's answer back. serverless-offline decodes every
 * JSON body as text, which compressed bodies do not survive (docs/offline.md), so tests of
 * SDKs that compress use this front.
 */
export async function startHttpApiFront(
  handler: Handler,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    void answer(request).then(
      (result) => {
        response.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
        response.end(result.body);
      },
      (error: unknown) => {
        response.writeHead(500, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: String(error) }));
      },
    );
  });
  async function answer(request: IncomingMessage) {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers))
      if (value !== undefined)
        headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
    const encoding = headers['content-encoding'];
    const binary =
      (encoding !== undefined && encoding !== 'identity') ||
      /octet-stream|multipart/.test(headers['content-type'] ?? '');
    const url = new URL(request.url ?? '/', 'http://localhost');
    const now = Date.now();
    const event: APIGatewayProxyEventV2 = {
      version: '2.0',
      routeKey: `${request.method} ${url.pathname}`,
      rawPath: url.pathname,
      rawQueryString: url.search.slice(1),
      headers,
      requestContext: {
        accountId: '000000000000',
        apiId: 'front',
        domainName: 'localhost',
        domainPrefix: 'localhost',
        http: {
          method: request.method ?? 'POST',
          path: url.pathname,
          protocol: 'HTTP/1.1',
          sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
          userAgent: headers['user-agent'] ?? '',
        },
        requestId: `front-${now}`,
        routeKey: `${request.method} ${url.pathname}`,
        stage: '$default',
        time: new Date(now).toISOString(),
        timeEpoch: now,
      },
      body: bytes.length === 0 ? undefined : bytes.toString(binary ? 'base64' : 'utf8'),
      isBase64Encoded: binary,
    };
    return (await handler(event, lambdaContext)) as Exclude<APIGatewayProxyResultV2, string>;
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
