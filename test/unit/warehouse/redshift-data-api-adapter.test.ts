import {
  BatchExecuteStatementCommand,
  DescribeStatementCommand,
  ExecuteStatementCommand,
  GetStatementResultCommand,
  RedshiftDataClient,
} from '@aws-sdk/client-redshift-data';
import { mockClient } from 'aws-sdk-client-mock';
import {
  RedshiftDataApiClient,
  RedshiftObjectLoader,
  RedshiftStatementError,
  type DataApiTarget,
} from '../../../shared/adapters/redshift-data-api/redshift-data-api.ts';
import { redshiftDataApi } from '../../../shared/adapters/redshift-data-api/redshift-data-client.ts';

const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:analytics-AbCdEf';
const serverless: DataApiTarget = {
  WorkgroupName: 'analytics',
  Database: 'dev',
  SecretArn: SECRET,
};
const provisioned: DataApiTarget = {
  ClusterIdentifier: 'analytics-cluster',
  Database: 'dev',
  DbUser: 'loader',
};

const sdk = mockClient(RedshiftDataClient);
beforeEach(() => sdk.reset());

/** The polling client over the adapter over the mocked SDK, on a virtual clock. */
function clientFor(target: DataApiTarget, timeoutMs = 10_000) {
  let now = 0;
  const sleeps: number[] = [];
  const client = new RedshiftDataApiClient(redshiftDataApi(new RedshiftDataClient({})), target, {
    timeoutMs,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  });
  return { client, sleeps };
}

const inputsOf = <I>(calls: { args: [{ input: I }] }[]) => calls.map((call) => call.args[0].input);

describe('Redshift Data API adapter (SDK client)', () => {
  test('BatchExecuteStatement carries the workgroup, database, secret and SQL; polls to FINISHED', async () => {
    sdk.on(BatchExecuteStatementCommand).resolves({ Id: 'b-1' });
    sdk
      .on(DescribeStatementCommand)
      .resolvesOnce({ Id: 'b-1', Status: 'SUBMITTED' })
      .resolvesOnce({ Id: 'b-1', Status: 'STARTED' })
      .resolves({ Id: 'b-1', Status: 'FINISHED', SubStatements: [{ Id: 'b-1:1', ResultRows: 4 }] });
    const { client, sleeps } = clientFor(serverless);

    const done = await client.runBatch(['LOCK loads', 'INSERT INTO loads SELECT 1']);

    expect(inputsOf(sdk.commandCalls(BatchExecuteStatementCommand))).toEqual([
      {
        WorkgroupName: 'analytics',
        Database: 'dev',
        SecretArn: SECRET,
        Sqls: ['LOCK loads', 'INSERT INTO loads SELECT 1'],
      },
    ]);
    expect(inputsOf(sdk.commandCalls(DescribeStatementCommand))).toEqual([
      { Id: 'b-1' },
      { Id: 'b-1' },
      { Id: 'b-1' },
    ]);
    expect(sleeps).toEqual([50, 100]);
    expect(done.SubStatements?.[0]?.ResultRows).toBe(4);
  });

  test('ExecuteStatement in a session: cluster, database and DbUser first, then the SessionId', async () => {
    sdk
      .on(ExecuteStatementCommand)
      .resolvesOnce({ Id: 'e-1', SessionId: 'sess-1' })
      .resolves({ Id: 'e-2', SessionId: 'sess-1' });
    sdk.on(DescribeStatementCommand).resolves({ Id: 'e', Status: 'FINISHED', ResultRows: 1 });
    const session = clientFor(provisioned).client.session(90);

    await session.query('CREATE TABLE t (v INT)');
    const inserted = await session.query('INSERT INTO t VALUES ($1), ($2)', [7, 'x']);

    expect(inputsOf(sdk.commandCalls(ExecuteStatementCommand))).toEqual([
      {
        ClusterIdentifier: 'analytics-cluster',
        Database: 'dev',
        DbUser: 'loader',
        Sql: 'CREATE TABLE t (v INT)',
        SessionKeepAliveSeconds: 90,
      },
      {
        Sql: 'INSERT INTO t VALUES (:p1), (:p2)',
        Parameters: [
          { name: 'p1', value: '7' },
          { name: 'p2', value: 'x' },
        ],
        SessionId: 'sess-1',
      },
    ]);
    expect(inserted).toEqual({ rows: [], rowCount: 1 });
  });

  test('a result set is read from every GetStatementResult page; a blob arrives as base64', async () => {
    sdk.on(ExecuteStatementCommand).resolves({ Id: 'q-1', SessionId: 'sess-1' });
    sdk
      .on(DescribeStatementCommand)
      .resolves({ Id: 'q-1', Status: 'FINISHED', HasResultSet: true });
    sdk
      .on(GetStatementResultCommand, { Id: 'q-1' })
      .resolvesOnce({
        ColumnMetadata: [{ name: 'version' }, { name: 'name' }],
        Records: [[{ longValue: 1 }, { stringValue: '001_tables' }]],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        ColumnMetadata: [{ name: 'version' }, { name: 'name' }],
        Records: [[{ longValue: 2 }, { blobValue: Uint8Array.from([104, 105]) }]],
      });

    const result = await clientFor(serverless).client.session().query('SELECT version, name');

    expect(inputsOf(sdk.commandCalls(GetStatementResultCommand))).toEqual([
      { Id: 'q-1' },
      { Id: 'q-1', NextToken: 'page-2' },
    ]);
    expect(result).toEqual({
      rowCount: 2,
      rows: [
        { version: 1, name: '001_tables' },
        { version: 2, name: 'aGk=' },
      ],
    });
  });

  test("FAILED surfaces Redshift's error", async () => {
    sdk.on(ExecuteStatementCommand).resolves({ Id: 'f-1', SessionId: 's' });
    sdk
      .on(DescribeStatementCommand)
      .resolvesOnce({ Id: 'f-1', Status: 'STARTED' })
      .resolves({ Id: 'f-1', Status: 'FAILED', Error: 'ERROR: relation "loads" does not exist' });

    const error = await clientFor(serverless)
      .client.session()
      .query('SELECT 1 FROM loads')
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(RedshiftStatementError);
    expect(error).toMatchObject({
      statementId: 'f-1',
      status: 'FAILED',
      message: 'Redshift statement f-1 FAILED: ERROR: relation "loads" does not exist',
    });
  });

  test('a failed sub-statement of a batch is the error surfaced', async () => {
    sdk.on(BatchExecuteStatementCommand).resolves({ Id: 'b-2' });
    sdk.on(DescribeStatementCommand).resolves({
      Id: 'b-2',
      Status: 'FAILED',
      Error: 'batch failed',
      SubStatements: [
        { Id: 'b-2:1', Status: 'FINISHED' },
        { Id: 'b-2:2', Status: 'FAILED', Error: 'Load into table stage_rows failed' },
      ],
    });

    await expect(clientFor(serverless).client.runBatch(['LOCK loads', 'COPY'])).rejects.toThrow(
      'Redshift statement b-2 FAILED: Load into table stage_rows failed',
    );
  });

  test('ABORTED (cancelled, or the session ended) throws', async () => {
    sdk.on(BatchExecuteStatementCommand).resolves({ Id: 'a-1' });
    sdk.on(DescribeStatementCommand).resolves({ Id: 'a-1', Status: 'ABORTED' });

    await expect(clientFor(serverless).client.runBatch(['SELECT 1'])).rejects.toMatchObject({
      name: 'RedshiftStatementError',
      status: 'ABORTED',
      message: 'Redshift statement a-1 ABORTED: no detail',
    });
  });

  test('waiting gives up at the timeout with the last status', async () => {
    sdk.on(BatchExecuteStatementCommand).resolves({ Id: 't-1' });
    sdk.on(DescribeStatementCommand).resolves({ Id: 't-1', Status: 'PICKED' });
    const { client, sleeps } = clientFor(serverless, 1_000);

    await expect(client.runBatch(['SELECT 1'])).rejects.toThrow(
      'Redshift statement t-1 PICKED: still PICKED after 1000 ms',
    );
    expect(sleeps).toEqual([50, 100, 200, 400, 800]);
  });

  test('an SDK error (bad request, throttling) is not swallowed', async () => {
    sdk
      .on(BatchExecuteStatementCommand)
      .rejects(
        Object.assign(new Error('Workgroup analytics not found'), { name: 'ValidationException' }),
      );

    await expect(clientFor(serverless).client.runBatch(['SELECT 1'])).rejects.toThrow(
      'Workgroup analytics not found',
    );
    expect(sdk.commandCalls(DescribeStatementCommand)).toHaveLength(0);
  });

  test('RedshiftObjectLoader over the SDK: one batch that COPYs the object from its bucket', async () => {
    sdk.on(BatchExecuteStatementCommand).resolves({ Id: 'l-1' });
    sdk.on(DescribeStatementCommand).callsFake(() => {
      const sqls = inputsOf(sdk.commandCalls(BatchExecuteStatementCommand))[0]?.Sqls ?? [];
      // The last sub-statement (INSERT INTO loads) wrote its row: this run loaded the object.
      return { Id: 'l-1', Status: 'FINISHED', SubStatements: sqls.map(() => ({ ResultRows: 1 })) };
    });
    const loader = new RedshiftObjectLoader(clientFor(serverless).client, {
      bucket: 'clickstream-prod',
      iamRoleArn: 'arn:aws:iam::123456789012:role/copy',
      jsonPathsPrefix: 's3://clickstream-prod/jsonpaths/',
    });

    const result = await loader.load({ key: 'metrics/2026/11/25/10/m-1', kind: 'metrics' });

    const [batch] = inputsOf(sdk.commandCalls(BatchExecuteStatementCommand));
    expect(batch).toMatchObject(serverless);
    expect(batch?.Sqls).toContainEqual(
      expect.stringMatching(
        /^COPY stage_rows FROM 's3:\/\/clickstream-prod\/metrics\/2026\/11\/25\/10\/m-1'/,
      ),
    );
    expect(result).toMatchObject({ status: 'loaded', kind: 'metrics' });
  });
});
