import {
  RedshiftDataApiClient,
  type RedshiftDataApi,
} from '../../../shared/adapters/redshift-data-api/redshift-data-api.ts';

/** RedshiftDataApiClient.statements(): sessionless reads, as the dashboard makes them. */
function fakeApi(described: Record<string, unknown>) {
  const executed: Parameters<RedshiftDataApi['executeStatement']>[0][] = [];
  const api: RedshiftDataApi = {
    executeStatement: async (input) => (executed.push(input), { Id: `s-${executed.length}` }),
    batchExecuteStatement: () => Promise.reject(new Error('not used')),
    describeStatement: async () => ({ Status: 'FINISHED', ...described }),
    getStatementResult: async () => ({
      ColumnMetadata: [{ name: 'n' }, {}],
      Records: [[{ longValue: 3 }, { isNull: true }]],
    }),
  };
  return { api, executed };
}

const target = { Database: 'dev', WorkgroupName: 'analytics', SecretArn: 'arn:secret' };
const options = { sleep: async () => undefined };

describe('sessionless Data API statements', () => {
  test('each query is its own ExecuteStatement with the target, $n as :pn', async () => {
    const { api, executed } = fakeApi({ HasResultSet: true });
    const db = new RedshiftDataApiClient(api, target, options).statements();
    const [a, b] = await Promise.all([
      db.query('SELECT $1 AS n, $2', ['x', 2]),
      db.query('SELECT 1'),
    ]);
    expect(a).toEqual({ rows: [{ n: 3, column2: null }], rowCount: 1 });
    expect(b?.rowCount).toBe(1);
    expect(executed).toEqual([
      {
        ...target,
        Sql: 'SELECT :p1 AS n, :p2',
        Parameters: [
          { name: 'p1', value: 'x' },
          { name: 'p2', value: '2' },
        ],
      },
      { ...target, Sql: 'SELECT 1' },
    ]);
  });

  test('a statement without a result set counts the rows it touched', async () => {
    const { api } = fakeApi({ HasResultSet: false, ResultRows: 4 });
    const db = new RedshiftDataApiClient(api, target, options).statements();
    expect(await db.query('DELETE FROM t')).toEqual({ rows: [], rowCount: 4 });
  });

  test('no transactions, and no null parameters (the Data API binds text only)', async () => {
    const { api } = fakeApi({ HasResultSet: true });
    const db = new RedshiftDataApiClient(api, target, options).statements();
    await expect(db.transaction(async () => 1)).rejects.toThrow('use session()');
    await expect(db.query('SELECT $1', [null])).rejects.toThrow('cannot bind null');
  });
});
