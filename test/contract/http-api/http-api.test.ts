import { request as httpRequest } from 'node:http';
import { gzipSync } from 'node:zlib';
import { inProcessInvoker } from '../../../offline/lambda-invoker.ts';
import type { HttpApiEvent } from '../../../offline/http-api/http-api-event.ts';
import {
  startHttpApiServer,
  type AccessEntry,
  type HttpApiServer,
} from '../../../offline/http-api/http-api-server.ts';
import { readHttpApi, type HttpApiThrottle } from '../../../offline/http-api/http-api-routes.ts';

/**
 * The local HTTP API against API Gateway's documented contract (payload format 2.0, CORS,
 * routing, quotas, error answers), with functions run in process through the invoker the
 * stand-ins share. lambda-invoke-errors.test.ts runs the same through serverless-offline.
 */
const seen: HttpApiEvent[] = [];
const calls: Record<string, number> = {};
const access: AccessEntry[] = [];

const functions: Record<string, (event: unknown) => unknown> = {
  echo: (event) => {
    seen.push(event as HttpApiEvent);
    return { statusCode: 200, body: JSON.stringify(event) };
  },
  special: () => ({ statusCode: 200, body: 'special' }),
  files: (event) => ({ statusCode: 200, body: JSON.stringify(event) }),
  fallback: (event) => ({ statusCode: 200, body: JSON.stringify(event) }),
  boom: () => {
    throw new Error('secret detail of a failure');
  },
  slow: () => new Promise((resolve) => setTimeout(resolve, 1_500, { statusCode: 200 })),
  shaped: (event) => {
    const kind = (event as HttpApiEvent).pathParameters?.kind;
    if (kind === 'plain') return { hello: 'world' };
    if (kind === 'string') return 'Hello from Lambda!';
    if (kind === 'malformed') return { statusCode: 'soon', body: 'x' };
    if (kind === 'binary')
      return {
        statusCode: 200,
        headers: { 'content-type': 'application/octet-stream' },
        body: Buffer.from([0, 1, 2, 255]).toString('base64'),
        isBase64Encoded: true,
      };
    return {
      statusCode: 201,
      headers: { 'x-answer': 42, 'access-control-allow-origin': 'https://evil.example' },
      cookies: ['a=1; Path=/', 'b=2; HttpOnly'],
      body: 'made',
    };
  },
};
const counted = Object.fromEntries(
  Object.entries(functions).map(([name, fn]) => [
    name,
    (event: unknown) => {
      calls[name] = (calls[name] ?? 0) + 1;
      return fn(event);
    },
  ]),
);

const fn = (key: string, ...events: unknown[]) => ({
  key,
  name: key,
  events: events.map((httpApi) => ({ httpApi })),
});
const definition = (withDefault: boolean, throttle?: HttpApiThrottle) =>
  readHttpApi(
    [
      fn('echo', { method: 'POST', path: '/echo' }, 'GET /items/{id}'),
      fn('special', 'GET /items/special'),
      fn('files', { method: 'ANY', path: '/files/{proxy+}' }),
      fn('boom', { method: 'POST', path: '/boom' }),
      fn('slow', { method: 'POST', path: '/slow' }),
      fn('shaped', { method: 'GET', path: '/shaped/{kind}' }),
      fn('missing', { method: 'POST', path: '/missing' }),
      ...(withDefault ? [fn('fallback', '*')] : []),
    ],
    {
      httpApi: {
        cors: {
          allowedOrigins: ['https://shop.example'],
          allowedHeaders: ['content-type', 'authorization'],
          allowedMethods: ['GET', 'POST'],
          exposedResponseHeaders: ['x-answer'],
          maxAge: 600,
        },
      },
    },
    throttle,
  );

let api: HttpApiServer;
const start = (withDefault = false, throttle?: HttpApiThrottle) =>
  startHttpApiServer({
    api: definition(withDefault, throttle),
    invoker: inProcessInvoker(counted),
    port: 0,
    host: '127.0.0.1',
    integrationTimeoutMs: 500,
    onAccess: (entry) => access.push(entry),
  });

beforeAll(async () => {
  api = await start();
});
afterAll(() => api?.close());

async function send(path: string, init: RequestInit = {}, server = api) {
  const response = await fetch(`${server.url}${path}`, init);
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** A request with headers exactly as given, duplicates included (fetch would merge them). */
function rawRequest(path: string, headers: Array<[string, string]>): Promise<string> {
  const url = new URL(api.url);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: 'GET',
        headers: [['Host', url.host], ...headers].flat(),
      },
      (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve(text));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('payload format 2.0: the event API Gateway hands the function', () => {
  test('the event has every documented field: version, routeKey, rawPath, rawQueryString, cookies, headers, queryStringParameters, pathParameters, requestContext, isBase64Encoded', async () => {
    const text = await rawRequest('/items/42%20b?a=1&b=x%20y&a=3', [
      ['User-Agent', 'contract-test/1.0'],
      ['X-Dup', 'one'],
      ['X-Dup', 'two'],
      ['Cookie', 'c1=v1; c2=v2'],
    ]);
    const event = JSON.parse(text) as HttpApiEvent;
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /items/{id}',
      rawPath: '/items/42%20b',
      rawQueryString: 'a=1&b=x%20y&a=3',
      cookies: ['c1=v1', 'c2=v2'],
      queryStringParameters: { a: '1,3', b: 'x y' },
      pathParameters: { id: '42 b' },
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: '127.0.0.1',
        domainPrefix: '127',
        http: {
          method: 'GET',
          path: '/items/42%20b',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'contract-test/1.0',
        },
        routeKey: 'GET /items/{id}',
        stage: '$default',
      },
    });
    expect(event.headers['x-dup']).toBe('one,two');
    expect(event.headers['user-agent']).toBe('contract-test/1.0');
    expect(event.headers.cookie).toBeUndefined();
    expect(Object.keys(event.headers).every((name) => name === name.toLowerCase())).toBe(true);
    expect(event.body).toBeUndefined();
    expect(event.requestContext.time).toMatch(/^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
    expect(Math.abs(event.requestContext.timeEpoch - Date.now())).toBeLessThan(5_000);
    expect(event.requestContext.requestId).toMatch(/^[A-Za-z0-9+/]+=*$/);
  });

  test('a gzip body (Content-Encoding) reaches the function base64-encoded with isBase64Encoded true, byte for byte', async () => {
    const gzipped = gzipSync(JSON.stringify({ batch: [{ type: 'track', event: 'x' }] }));
    const answer = await send('/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipped,
    });
    const event = JSON.parse(answer.text) as HttpApiEvent;
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body ?? '', 'base64').equals(gzipped)).toBe(true);
  });

  test.each([
    ['application/json', false],
    ['application/json; charset=utf-8', false],
    ['text/plain', false],
    ['application/xml', false],
    ['application/javascript', false],
    ['application/octet-stream', true],
    ['application/x-www-form-urlencoded', true],
    ['image/png', true],
    [undefined, true],
  ])('a body sent as %s is base64-encoded: %s', async (contentType, base64) => {
    const body = Buffer.from('{"a":"é"}');
    const answer = await send('/echo', {
      method: 'POST',
      headers: contentType ? { 'content-type': contentType } : {},
      body,
    });
    const event = JSON.parse(answer.text) as HttpApiEvent;
    expect(event.isBase64Encoded).toBe(base64);
    expect(event.body).toBe(base64 ? body.toString('base64') : '{"a":"é"}');
  });
});

describe('routes: the most specific match, as API Gateway selects it', () => {
  test('a full path match beats a path variable; {proxy+} takes the rest of the path; ANY takes any method', async () => {
    expect((await send('/items/special')).text).toBe('special');
    const proxied = JSON.parse(
      (await send('/files/a/b/c.txt', { method: 'DELETE' })).text,
    ) as HttpApiEvent;
    expect(proxied).toMatchObject({
      routeKey: 'ANY /files/{proxy+}',
      pathParameters: { proxy: 'a/b/c.txt' },
    });
  });

  test('a route not found is a 404 {"message":"Not Found"} that never reaches a function', async () => {
    const before = { ...calls };
    for (const [path, method] of [
      ['/nowhere', 'POST'],
      ['/echo', 'GET'],
      ['/items', 'GET'],
      ['/echo/', 'POST'],
    ] as const) {
      const answer = await send(path, { method });
      expect(answer.status).toBe(404);
      expect(JSON.parse(answer.text)).toEqual({ message: 'Not Found' });
    }
    expect(calls).toEqual(before);
  });

  test('$default catches every request no other route matches', async () => {
    const server = await start(true);
    try {
      const event = JSON.parse((await send('/nowhere?x=1', { method: 'PUT' }, server)).text);
      expect(event).toMatchObject({ routeKey: '$default', rawPath: '/nowhere' });
      expect((await send('/items/special', {}, server)).text).toBe('special');
    } finally {
      await server.close();
    }
  });
});

describe('CORS, as the HTTP API configuration says', () => {
  test('a preflight is answered by API Gateway itself with the configured headers, never reaching the function', async () => {
    const before = calls.echo ?? 0;
    const answer = await send('/echo', {
      method: 'OPTIONS',
      headers: {
        origin: 'https://shop.example',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(answer.headers.get('access-control-allow-methods')).toBe('GET,POST');
    expect(answer.headers.get('access-control-allow-headers')).toBe('content-type,authorization');
    expect(answer.headers.get('access-control-max-age')).toBe('600');
    expect(calls.echo ?? 0).toBe(before);
  });

  test('a preflight from an origin not allowed gets no CORS headers', async () => {
    const answer = await send('/echo', {
      method: 'OPTIONS',
      headers: { origin: 'https://other.example', 'access-control-request-method': 'POST' },
    });
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
  });

  test("a response carries the configured CORS headers, the function's own replaced", async () => {
    const answer = await send('/shaped/made', { headers: { origin: 'https://shop.example' } });
    expect(answer.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(answer.headers.get('access-control-expose-headers')).toBe('x-answer');
  });
});

describe("the function's result, as API Gateway maps it for payload 2.0", () => {
  test('a result without statusCode is a 200 application/json of that result; a string is the body', async () => {
    const plain = await send('/shaped/plain');
    expect(plain.status).toBe(200);
    expect(plain.headers.get('content-type')).toBe('application/json');
    expect(JSON.parse(plain.text)).toEqual({ hello: 'world' });
    expect((await send('/shaped/string')).text).toBe('Hello from Lambda!');
  });

  test('statusCode, headers and cookies are the response; isBase64Encoded bodies are decoded', async () => {
    const made = await fetch(`${api.url}/shaped/made`);
    expect(made.status).toBe(201);
    expect(made.headers.get('x-answer')).toBe('42');
    expect(made.headers.getSetCookie()).toEqual(['a=1; Path=/', 'b=2; HttpOnly']);
    expect(made.headers.get('apigw-requestid')).toMatch(/=$/);
    expect(await made.text()).toBe('made');
    const binary = await fetch(`${api.url}/shaped/binary`);
    expect(Buffer.from(await binary.arrayBuffer())).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  test('a malformed result is a 500 {"message":"Internal Server Error"}', async () => {
    const answer = await send('/shaped/malformed');
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.text)).toEqual({ message: 'Internal Server Error' });
  });
});

describe('errors and quotas: API Gateway answers, not the function', () => {
  test('a function error is a 500 {"message":"Internal Server Error"}; its message goes only to the access log', async () => {
    const answer = await send('/boom', { method: 'POST', body: '{}' });
    expect(answer.status).toBe(500);
    expect(answer.text).toBe('{"message":"Internal Server Error"}');
    expect(access.find((e) => e.path === '/boom')?.integrationError).toMatch(
      /secret detail of a failure/,
    );
  });

  test('an invocation Lambda refuses (no such function) is a 500', async () => {
    const answer = await send('/missing', { method: 'POST' });
    expect(answer.status).toBe(500);
    expect(JSON.parse(answer.text)).toEqual({ message: 'Internal Server Error' });
  });

  test('an integration that outlasts the integration timeout is a 503 {"message":"Service Unavailable"}', async () => {
    const started = Date.now();
    const answer = await send('/slow', { method: 'POST' });
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.text)).toEqual({ message: 'Service Unavailable' });
    expect(Date.now() - started).toBeLessThan(1_400); // answered at the timeout, not the result
  });

  test('a payload over 10 MB is a 413 that never reaches the function', async () => {
    const before = calls.echo ?? 0;
    const answer = await send('/echo', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(10 * 1024 * 1024 + 1, 0x20),
    });
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.text)).toEqual({ message: 'Request Entity Too Large' });
    expect(calls.echo ?? 0).toBe(before);
    const atLimit = await send('/echo', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: Buffer.alloc(10 * 1024 * 1024, 0x20),
    });
    expect(atLimit.status).toBe(200);
  });

  test('past the stage\'s burst, throttling answers 429 {"message":"Too Many Requests"}', async () => {
    const server = await start(false, { rateLimit: 1, burstLimit: 3 });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i += 1) statuses.push((await send('/items/1', {}, server)).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const refused = await send('/items/1', {}, server);
      expect(JSON.parse(refused.text)).toEqual({ message: 'Too Many Requests' });
    } finally {
      await server.close();
    }
  });

  test('every request has an access log entry: method, path, status, latency, route', async () => {
    await send('/items/7?q=1');
    const entry = access.findLast((e) => e.path === '/items/7');
    expect(entry).toMatchObject({
      method: 'GET',
      path: '/items/7',
      query: 'q=1',
      status: 200,
      routeKey: 'GET /items/{id}',
    });
    expect(entry?.ms).toBeGreaterThanOrEqual(0);
  });
});
