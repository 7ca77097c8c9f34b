import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { lambdaContext } from '../../support/api-events.ts';

/**
 * The module-scope wiring of functions/dashboard/handler.ts with WAREHOUSE_DIALECT=redshift:
 * each read is one ExecuteStatement (no session), polled with DescribeStatement, its rows
 * paged in with GetStatementResult, on a RedshiftDataClient mocked with aws-sdk-client-mock.
 */
const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:analytics-AbCdEf';
const redshiftEnv = {
  WAREHOUSE_DIALECT: 'redshift',
  REDSHIFT_WORKGROUP: 'analytics',
  REDSHIFT_DATABASE: 'dev',
  REDSHIFT_SECRET_ARN: SECRET,
  DASHBOARD_READ_KEYS: 'k-1',
};

type Field = { stringValue?: string; longValue?: number; isNull?: boolean };
type Page = { Records: Field[][]; ColumnMetadata: { name: string }[]; NextToken?: string };
const s = (stringValue: string): Field => ({ stringValue });
const n = (longValue: number): Field => ({ longValue });
const page = (names: string[], records: Field[][], next?: string): Page => ({
  ColumnMetadata: names.map((name) => ({ name })),
  Records: records,
  ...(next ? { NextToken: next } : {}),
});

/** Result pages by a fragment of each query's SQL. */
const RESULTS: [string, Page[]][] = [
  ['MAX(window_end)', [page(['period_end'], [[s('2026-11-25 10:01:00+00')]])]],
  [
    'FROM metrics_minute',
    [
      page(
        [
          'window_start',
          'events',
          'rejected_events',
          'views',
          'add_to_carts',
          'checkouts',
          'orders',
          'active_users',
        ],
        [[s('2026-11-25 10:00:00+00'), n(9), n(1), n(4), n(2), n(1), n(2), n(3)]],
      ),
    ],
  ],
  [
    'FROM platform_minute',
    [
      page(
        ['platform', 'events', 'views', 'orders'],
        [
          [s('ios'), n(2), n(1), n(0)],
          [s('web'), n(7), n(3), n(2)],
        ],
      ),
    ],
  ],
  [
    'FROM revenue_minute',
    [
      page(
        ['window_start', 'currency', 'revenue'],
        [[s('2026-11-25 10:00:00+00'), s('EUR'), s('2.500000')]],
        'next-1',
      ),
      page(
        ['window_start', 'currency', 'revenue'],
        [[s('2026-11-25 10:00:00+00'), s('USD'), s('19.990000')]],
      ),
    ],
  ],
  [
    'events_by_type',
    [
      page(
        ['window_start', 'events_by_type', 'events_by_name'],
        [
          [
            s('2026-11-25 10:00:00+00'),
            s('{"track":9}'),
            s('{"Product Viewed":4,"Order Completed":2,"Product Added":2,"Checkout Started":1}'),
          ],
        ],
      ),
    ],
  ],
  [
    'WITH top AS',
    [
      page(
        ['product_id', 'views', 'add_to_carts', 'purchases', 'currency', 'revenue'],
        [[s('p-1'), n(4), n(2), n(2), s('USD'), s('19.990000')]],
      ),
    ],
  ],
  ['COUNT(DISTINCT', [page(['active_users'], [[n(3)]])]],
  ['MAX(product_name)', [page(['product_id', 'name'], [[s('p-1'), s('Yoga Mat')]])]],
];

const event = (path: string): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    rawPath: path,
    rawQueryString: '',
    headers: { authorization: 'Bearer k-1' },
    requestContext: { http: { method: 'GET', path } },
  }) as unknown as APIGatewayProxyEventV2;

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

async function withRedshift(
  failing: string | undefined,
  test: (
    handler: (typeof import('../../../functions/dashboard/handler.ts'))['handler'],
    calls: () => { sql: string[]; inputs: unknown[] },
  ) => Promise<void>,
) {
  Object.assign(process.env, redshiftEnv);
  await jest.isolateModulesAsync(async () => {
    const { mockClient } = await import('aws-sdk-client-mock');
    const data = await import('@aws-sdk/client-redshift-data');
    const redshift = mockClient(data.RedshiftDataClient);
    const ids = new Map<string, Page[]>();
    redshift.on(data.ExecuteStatementCommand).callsFake((input: { Sql: string }) => {
      const found = RESULTS.find(([fragment]) => input.Sql.includes(fragment));
      if (!found) throw new Error(`unexpected SQL ${input.Sql}`);
      ids.set(found[0], found[1]);
      return { Id: found[0] };
    });
    redshift.on(data.DescribeStatementCommand).callsFake((input: { Id: string }) =>
      input.Id === failing
        ? {
            Id: input.Id,
            Status: 'FAILED',
            Error: 'ERROR: permission denied for relation metrics',
          }
        : { Id: input.Id, Status: 'FINISHED', HasResultSet: true },
    );
    redshift
      .on(data.GetStatementResultCommand)
      .callsFake((input: { Id: string; NextToken?: string }) => {
        const pages = ids.get(input.Id) ?? [];
        return input.NextToken === 'next-1' ? pages[1] : pages[0];
      });
    const { handler } = await import('../../../functions/dashboard/handler.ts');
    await test(handler, () => {
      const inputs = redshift
        .commandCalls(data.ExecuteStatementCommand)
        .map((c) => c.args[0].input);
      return { sql: inputs.map((i) => i.Sql ?? ''), inputs };
    });
  });
}

describe('dashboard handler wiring, Redshift Data API', () => {
  test('figures from sessionless statements, parameters bound as :pn text, pages followed', async () => {
    await withRedshift(undefined, async (handler, calls) => {
      const answer = await handler(event('/dashboard/data'), lambdaContext);
      expect(answer.statusCode).toBe(200);
      const { figures } = JSON.parse(answer.body);
      expect(figures.period).toEqual({
        start: '2026-11-25T09:01:00.000Z',
        end: '2026-11-25T10:01:00.000Z',
        minutes: 60,
        windows: 1,
      });
      expect(figures.totals).toEqual({
        events: 9,
        badEvents: 1,
        orders: 2,
        activeUsers: 3,
        revenue: [
          { currency: 'USD', amount: '19.990000' },
          { currency: 'EUR', amount: '2.500000' }, // from the second result page
        ],
        conversion: 0.5,
      });
      expect(figures.eventKinds).toEqual([
        'Product Viewed',
        'Order Completed',
        'Product Added',
        'Checkout Started',
      ]);
      expect(figures.topProducts).toEqual([
        {
          productId: 'p-1',
          name: 'Yoga Mat',
          views: 4,
          addToCarts: 2,
          purchases: 2,
          revenue: [{ currency: 'USD', amount: '19.990000' }],
        },
      ]);
      expect(figures.platforms).toEqual([
        { platform: 'web', events: 7, views: 3, orders: 2 },
        { platform: 'ios', events: 2, views: 1, orders: 0 },
      ]);
      const { sql, inputs } = calls();
      expect(sql).toHaveLength(8);
      expect(sql.join('\n')).not.toMatch(/\$\d/);
      expect(inputs[1]).toMatchObject({
        WorkgroupName: 'analytics',
        Database: 'dev',
        SecretArn: SECRET,
        Parameters: [
          { name: 'p1', value: '2026-11-25 09:01:00.000+00' },
          { name: 'p2', value: '2026-11-25 10:01:00.000+00' },
        ],
      });
      expect(inputs.every((i) => !(i as { SessionId?: string }).SessionId)).toBe(true);
      expect(sql.find((q) => q.includes('MAX(product_name)'))).toContain('product_id IN (:p3)');
    });
  });

  test('a failed statement is a 503 with a reason', async () => {
    await withRedshift('FROM metrics_minute', async (handler) => {
      const answer = await handler(event('/dashboard/data'), lambdaContext);
      expect(answer.statusCode).toBe(503);
      expect(JSON.parse(answer.body)).toEqual({
        success: false,
        error: 'the warehouse did not answer; try again shortly',
      });
    });
  });
});
