import {
  RedshiftDataApiClient,
  RedshiftObjectLoader,
  RedshiftStatementError,
  type DescribeStatementOutput,
  type RedshiftDataApi,
} from '../../../shared/adapters/redshift-data-api/redshift-data-api.ts';
import { redshiftLoadStatements } from '../../../shared/load/redshift-load-sql.ts';

/** A scripted Data API: each statement id answers its list of DescribeStatement outputs in turn. */
class FakeDataApi implements RedshiftDataApi {
  calls: { op: string; input: unknown }[] = [];
  scripts = new Map<string, DescribeStatementOutput[]>();
  results = new Map<string, { names: string[]; pages: unknown[][][] }>();
  private next = 0;

  script(...outputs: DescribeStatementOutput[]) {
    this.scripts.set(`s-${this.next + 1}`, outputs);
  }
  async executeStatement(input: object) {
    this.calls.push({ op: 'execute', input });
    this.next += 1;
    return { Id: `s-${this.next}`, SessionId: 'session-1' };
  }
  async batchExecuteStatement(input: object) {
    this.calls.push({ op: 'batch', input });
    this.next += 1;
    return { Id: `s-${this.next}` };
  }
  async describeStatement({ Id }: { Id: string }) {
    this.calls.push({ op: 'describe', input: Id });
    const script = this.scripts.get(Id) ?? [{ Status: 'FINISHED' }];
    return (script.length > 1 ? script.shift() : script[0]) ?? { Status: 'FINISHED' };
  }
  async getStatementResult({ Id, NextToken }: { Id: string; NextToken?: string }) {
    const result = this.results.get(Id) ?? { names: [], pages: [[]] };
    const page = Number(NextToken ?? 0);
    return {
      ColumnMetadata: result.names.map((name) => ({ name })),
      Records: (result.pages[page] ?? []).map((row) =>
        row.map((v) =>
          v === null
            ? { isNull: true }
            : typeof v === 'number'
              ? { longValue: v }
              : { stringValue: String(v) },
        ),
      ),
      NextToken: page + 1 < result.pages.length ? String(page + 1) : undefined,
    };
  }
}

const target = { WorkgroupName: 'analytics', Database: 'dev' };

function clientWith(api: FakeDataApi, timeoutMs = 10_000) {
  const sleeps: number[] = [];
  let now = 0;
  const client = new RedshiftDataApiClient(api, target, {
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
    now: () => now,
    timeoutMs,
  });
  return { client, sleeps };
}

describe('Redshift Data API client', () => {
  test('polls SUBMITTED -> PICKED -> STARTED -> FINISHED with doubling delays', async () => {
    const api = new FakeDataApi();
    api.script(
      { Status: 'SUBMITTED' },
      { Status: 'PICKED' },
      { Status: 'STARTED' },
      { Status: 'FINISHED', ResultRows: 3 },
    );
    const { client, sleeps } = clientWith(api);

    const done = await client.runBatch(['SELECT 1']);

    expect(done).toEqual({ Status: 'FINISHED', ResultRows: 3 });
    expect(sleeps).toEqual([50, 100, 200]);
    expect(api.calls[0]).toEqual({ op: 'batch', input: { ...target, Sqls: ['SELECT 1'] } });
  });

  test('backoff is capped at 2 s, and waiting gives up at the timeout', async () => {
    const api = new FakeDataApi();
    api.script({ Status: 'STARTED' });
    const { client, sleeps } = clientWith(api, 10_000);

    await expect(client.runBatch(['SELECT 1'])).rejects.toThrow('still STARTED after 10000 ms');
    expect(sleeps).toEqual([50, 100, 200, 400, 800, 1600, 2000, 2000, 2000, 2000]);
  });

  test.each(['FAILED', 'ABORTED'])('%s throws, naming the failed sub-statement', async (status) => {
    const api = new FakeDataApi();
    api.script(
      { Status: 'STARTED' },
      {
        Status: status,
        Error: 'batch failed',
        SubStatements: [
          { Status: 'FINISHED' },
          { Status: 'FAILED', Error: 'relation "x" does not exist' },
        ],
      },
    );
    const { client } = clientWith(api);

    const error = await client.runBatch(['SELECT 1', 'SELECT * FROM x']).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RedshiftStatementError);
    expect((error as Error).message).toBe(
      `Redshift statement s-1 ${status}: relation "x" does not exist`,
    );
  });

  test('a session: target and keep-alive on the first call, SessionId after; $n become :pn', async () => {
    const api = new FakeDataApi();
    const { client } = clientWith(api);
    const session = client.session(120);

    await session.transaction(async (tx) => {
      await tx.query('SELECT 1 FROM loads WHERE object_key = $1 AND kind = $2', ['k/1', 'events']);
    });

    const executes = api.calls.filter((c) => c.op === 'execute').map((c) => c.input);
    expect(executes).toEqual([
      { ...target, Sql: 'BEGIN', SessionKeepAliveSeconds: 120 },
      {
        Sql: 'SELECT 1 FROM loads WHERE object_key = :p1 AND kind = :p2',
        Parameters: [
          { name: 'p1', value: 'k/1' },
          { name: 'p2', value: 'events' },
        ],
        SessionId: 'session-1',
      },
      { Sql: 'COMMIT', SessionId: 'session-1' },
    ]);
  });

  test('a failure inside a session transaction rolls back', async () => {
    const api = new FakeDataApi();
    api.script(); // s-1: BEGIN finishes
    const { client } = clientWith(api);
    api.scripts.set('s-2', [{ Status: 'FAILED', Error: 'duplicate' }]);

    await expect(client.session().transaction((tx) => tx.query('INSERT 1'))).rejects.toThrow(
      'duplicate',
    );
    const sqls = api.calls
      .filter((c) => c.op === 'execute')
      .map((c) => (c.input as { Sql: string }).Sql);
    expect(sqls).toEqual(['BEGIN', 'INSERT 1', 'ROLLBACK']);
  });

  test('rows come from every page of GetStatementResult', async () => {
    const api = new FakeDataApi();
    api.scripts.set('s-1', [{ Status: 'FINISHED', HasResultSet: true, ResultRows: 3 }]);
    api.results.set('s-1', {
      names: ['version', 'name'],
      pages: [
        [
          [1, '001_tables'],
          [2, '002_views'],
        ],
        [[3, null]],
      ],
    });
    const { client } = clientWith(api);

    const result = await client.session().query('SELECT version, name FROM schema_migrations');

    expect(result).toEqual({
      rowCount: 3,
      rows: [
        { version: 1, name: '001_tables' },
        { version: 2, name: '002_views' },
        { version: 3, name: null },
      ],
    });
  });

  test('null parameters are refused (the Data API cannot bind them)', async () => {
    const { client } = clientWith(new FakeDataApi());
    await expect(client.session().query('SELECT $1', [null])).rejects.toThrow('cannot bind null');
  });

  test.each([
    [1, 'loaded'],
    [0, 'skipped'],
  ])(
    'the object loader reads loaded/skipped from the last sub-statement (%i rows)',
    async (rows, status) => {
      const api = new FakeDataApi();
      const { client } = clientWith(api);
      const config = {
        bucket: 'clickstream-prod',
        iamRoleArn: 'arn:aws:iam::123456789012:role/copy',
        jsonPathsPrefix: 's3://clickstream-prod/jsonpaths/',
      };
      const loader = new RedshiftObjectLoader(client, config);
      const statements = redshiftLoadStatements(config, 'events/2026/11/25/10/e-1', 'events');
      // Every sub-statement wrote 2 rows, but the last (INSERT INTO loads) wrote `rows`.
      const subStatements = statements.map((sql, i) => ({
        Status: 'FINISHED',
        ResultRows:
          i === statements.length - 1 ? rows : sql.startsWith('INSERT INTO events') ? 2 : 0,
      }));
      api.scripts.set('s-1', [{ Status: 'FINISHED', SubStatements: subStatements }]);

      const result = await loader.load({ key: 'events/2026/11/25/10/e-1', kind: 'events' });

      expect(result.status).toBe(status);
      expect(result.counts.events).toBe(2);
    },
  );
});
