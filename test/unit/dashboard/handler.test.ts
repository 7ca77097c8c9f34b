import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { makeHandler as MakeHandler } from '../../../functions/dashboard/handler.ts';
import { chartJsSource } from '../../../shared/dashboard/chart-js.ts';
import type { DashboardFigures } from '../../../shared/dashboard/figures.ts';
import { buildDashboardPage } from '../../../shared/dashboard/page.ts';
import { ReadKeys } from '../../../shared/dashboard/read-keys.ts';
import type { DashboardReader, ReadOptions } from '../../../shared/dashboard/reader.ts';
import { lambdaContext } from '../../support/api-events.ts';

const FIGURES: DashboardFigures = {
  generatedAt: '2026-11-25T10:01:00.000Z',
  period: {
    start: '2026-11-25T09:00:00.000Z',
    end: '2026-11-25T10:00:00.000Z',
    minutes: 60,
    windows: 1,
  },
  totals: {
    events: 3,
    badEvents: 1,
    orders: 1,
    activeUsers: 1,
    revenue: [{ currency: 'USD', amount: '9.500000' }],
    conversion: 1,
  },
  funnel: [],
  eventKinds: ['Order Completed'],
  platforms: [{ platform: 'web', events: 3, views: 1, orders: 1 }],
  windows: [],
  topProducts: [],
};

const CHART_JS = readFileSync(
  join(__dirname, '../../../node_modules/chart.js/dist/chart.umd.min.js'),
  'utf8',
);

let makeHandler: typeof MakeHandler;
beforeAll(async () => {
  // The module builds its production wiring at load: give it a key (nothing connects yet).
  process.env.DASHBOARD_READ_KEYS ??= 'module-key';
  ({ makeHandler } = await import('../../../functions/dashboard/handler.ts'));
});

function request(
  path: string,
  options: { query?: Record<string, string>; headers?: Record<string, string> } = {},
): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `GET ${path}`,
    rawPath: path,
    rawQueryString: new URLSearchParams(options.query ?? {}).toString(),
    headers: options.headers ?? {},
    ...(options.query ? { queryStringParameters: options.query } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: {
        method: 'GET',
        path,
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.7',
        userAgent: 'jest',
      },
      requestId: 'req-1',
      routeKey: `GET ${path}`,
      stage: '$default',
      time: new Date().toISOString(),
      timeEpoch: Date.now(),
    },
    isBase64Encoded: false,
  };
}

function setup(figures: () => Promise<DashboardFigures> = async () => FIGURES) {
  const reads: ReadOptions[] = [];
  const failures: unknown[] = [];
  const reader: DashboardReader = {
    figures: (options = {}) => (reads.push(options), figures()),
  };
  const handler = makeHandler({
    reader,
    readKeys: new ReadKeys(['read-key-1', 'read-key-2']),
    page: buildDashboardPage({ chartJs: chartJsSource(), refreshSeconds: 5 }),
    onWarehouseError: (error) => failures.push(error),
  });
  const call = async (...args: Parameters<typeof request>) => {
    const response = await handler(request(...args), lambdaContext);
    return { ...response, headers: response.headers ?? {} };
  };
  return { call, reads, failures };
}

describe('dashboard handler: keys', () => {
  test.each<
    [string, string, { query?: Record<string, string>; headers?: Record<string, string> }, RegExp]
  >([
    ['no key', '/dashboard/data', {}, /a read key is required: add \?key=/],
    ['a wrong key', '/dashboard/data', { query: { key: 'read-key-3' } }, /not valid/],
    [
      'a wrong Bearer token',
      '/dashboard/data',
      { headers: { Authorization: 'Bearer nope' } },
      /not valid/,
    ],
    ['a prefix of a key', '/dashboard/data', { query: { key: 'read-key' } }, /not valid/],
    [
      'Basic auth',
      '/dashboard/data',
      { headers: { authorization: 'Basic cmVhZC1rZXktMTo=' } },
      /must be "Bearer/,
    ],
    [
      'an empty Bearer',
      '/dashboard/data',
      { headers: { authorization: 'Bearer ' } },
      /must be "Bearer/,
    ],
    // The header wins over the query: a right key in the address does not rescue a wrong token.
    [
      'a wrong header with a right query key',
      '/dashboard/data',
      { query: { key: 'read-key-1' }, headers: { authorization: 'Bearer x' } },
      /not valid/,
    ],
  ])(
    '%s: 401 JSON with the reason, and the warehouse is not read',
    async (_, path, options, reason) => {
      const { call, reads } = setup();
      const answer = await call(path, options);
      expect(answer.statusCode).toBe(401);
      expect(answer.headers['content-type']).toMatch(/^application\/json/);
      expect(answer.headers['www-authenticate']).toBe('Bearer realm="dashboard"');
      const body = JSON.parse(answer.body) as { success: boolean; error: string };
      expect(body.success).toBe(false);
      expect(body.error).toMatch(reason);
      expect(reads).toHaveLength(0);
    },
  );

  test.each([
    ['no key', {}],
    ['a wrong key', { query: { key: 'wrong' } }],
  ])('the page with %s: a small 401 page that says to add ?key=', async (_, options) => {
    const { call } = setup();
    const answer = await call('/dashboard', options);
    expect(answer.statusCode).toBe(401);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.body).toContain('/dashboard?key=&lt;read key&gt;');
    expect(answer.body).not.toContain('new Chart');
  });

  test.each([
    ['the query', { query: { key: 'read-key-2' } }],
    ['a Bearer token', { headers: { Authorization: 'bearer read-key-1' } }],
  ])('a right key in %s: 200 with the figures', async (_, options) => {
    const { call, reads } = setup();
    const answer = await call('/dashboard/data', options);
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(answer.body)).toEqual({ success: true, figures: FIGURES });
    expect(reads).toEqual([{ minutes: 60 }]);
  });
});

describe('dashboard handler: answers', () => {
  const key = { query: { key: 'read-key-1' } };

  test('the page is HTML with Chart.js inlined whole, and a CSP allowing exactly its scripts', async () => {
    const { call, reads } = setup();
    const answer = await call('/dashboard', key);
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(answer.body).toMatch(/^<!doctype html>/);
    expect(answer.body).toContain(CHART_JS);
    expect(answer.body).toContain('data-testid="revenue"');
    expect(answer.body).not.toContain('read-key-1'); // the key is never echoed into the page
    const scripts = [...answer.body.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]);
    expect(scripts).toHaveLength(2);
    const csp = answer.headers['content-security-policy'] as string;
    for (const script of scripts) {
      const digest = createHash('sha256')
        .update(script ?? '')
        .digest('base64');
      expect(csp).toContain(`'sha256-${digest}'`);
    }
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("connect-src 'self'");
    expect(answer.headers['referrer-policy']).toBe('no-referrer');
    expect(reads).toHaveLength(0); // the page carries no figures
  });

  test('a warehouse failure is a 503 with a reason, never a 500', async () => {
    const down = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5439'), {
      code: 'ECONNREFUSED',
    });
    const { call, failures } = setup(() => Promise.reject(down));
    const answer = await call('/dashboard/data', key);
    expect(answer.statusCode).toBe(503);
    expect(answer.headers['retry-after']).toBe('5');
    expect(JSON.parse(answer.body)).toEqual({
      success: false,
      error: 'the warehouse did not answer (ECONNREFUSED); try again shortly',
    });
    expect(failures).toEqual([down]);
  });

  test('a failure without a code says no more than that', async () => {
    const { call } = setup(() => Promise.reject(new Error('password authentication failed')));
    const answer = await call('/dashboard/data', key);
    expect(answer.statusCode).toBe(503);
    expect(answer.body).not.toContain('password');
  });

  test.each([
    ['15', 15],
    ['10080', 10080],
  ])('?minutes=%s is passed to the reader', async (minutes, expected) => {
    const { call, reads } = setup();
    const answer = await call('/dashboard/data', { query: { key: 'read-key-1', minutes } });
    expect(answer.statusCode).toBe(200);
    expect(reads).toEqual([{ minutes: expected }]);
  });

  test.each(['0', '1.5', '-3', 'abc', '10081'])('?minutes=%s is a 400', async (minutes) => {
    const { call, reads } = setup();
    const answer = await call('/dashboard/data', { query: { key: 'read-key-1', minutes } });
    expect(answer.statusCode).toBe(400);
    expect(JSON.parse(answer.body).error).toMatch(/minutes must be a whole number from 1 to 10080/);
    expect(reads).toHaveLength(0);
  });

  test('an unknown path is a 404', async () => {
    const { call } = setup();
    expect((await call('/dashboard/other', key)).statusCode).toBe(404);
  });
});
