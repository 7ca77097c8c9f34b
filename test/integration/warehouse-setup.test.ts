import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Context } from 'aws-lambda';
import { GetObjectCommand, CreateBucketCommand } from '@aws-sdk/client-s3';
import { Pool } from 'pg';
import { makeHandler } from '../../functions/warehouse-setup/handler.ts';
import { setupDeps, setupFromEnvironment } from '../../functions/warehouse-setup/deps.ts';
import {
  loadWarehouseSetupConfig,
  type WarehouseSetupConfig,
} from '../../shared/config/warehouse-setup-config.ts';
import {
  createRedshiftDataClient,
  redshiftDataApi,
} from '../../shared/adapters/redshift-data-api/redshift-data-client.ts';
import { createS3Client } from '../../shared/adapters/s3/s3-client.ts';
import { sendResponse, type CustomResourceRequest } from '../../shared/deploy/custom-resource.ts';
import { jsonPathsFor } from '../../shared/load/redshift-load-sql.ts';
import { MIGRATIONS } from '../../shared/warehouse-schema/migrations.ts';
import type {
  DescribeStatementOutput,
  RedshiftDataApi,
} from '../../shared/adapters/redshift-data-api/redshift-data-api.ts';
import { startS3, type S3Fixture } from '../contract/s3/support.ts';
import { postgresUrl } from './warehouse/engines.ts';

/**
 * Custom::WarehouseSchema end to end, minus CloudFormation: the events CloudFormation sends
 * (events/cloudformation/), the handler, and the answer PUT to a real HTTP server standing in
 * for the pre-signed S3 URL. Postgres runs the migrations for real; Redshift's Data API is a
 * stub of the API's own shape only (ids, DescribeStatement states, failure).
 */
const fixture = (name: string): CustomResourceRequest =>
  JSON.parse(
    readFileSync(
      join(__dirname, '../../events/cloudformation', `warehouse-setup-${name}.json`),
      'utf8',
    ),
  ) as CustomResourceRequest;

interface Received {
  method: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

let server: Server;
let responseUrl: string;
const received: Received[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
      });
      res.writeHead(200).end(); // what S3 answers an accepted PUT
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  responseUrl = `http://127.0.0.1:${port}/cloudformation-response?X-Amz-Signature=abc`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => received.splice(0));

const context = (remainingMs = 900_000): Context =>
  ({
    functionName: 'clickstream-prod-warehouseSetup',
    awsRequestId: randomBytes(8).toString('hex'),
    getRemainingTimeInMillis: () => remainingMs,
  }) as unknown as Context;

const request = (name: string): CustomResourceRequest => ({
  ...fixture(name),
  ResponseURL: responseUrl,
});

const lastAnswer = (): Record<string, unknown> => {
  expect(received).toHaveLength(1);
  return (received[0] as Received).body;
};

describe('on the machine PostgreSQL (WAREHOUSE_DIALECT=postgres)', () => {
  let url: string;
  let admin: Pool;
  const schema = `wh_setup_${randomBytes(6).toString('hex')}`;

  beforeAll(async () => {
    const base = await postgresUrl();
    admin = new Pool({ connectionString: base, max: 1 });
    await admin.query(`CREATE SCHEMA ${schema}`);
    url = `${base}?options=${encodeURIComponent(`-c search_path=${schema}`)}`;
  });
  afterAll(async () => {
    await admin.query(`DROP SCHEMA ${schema} CASCADE`);
    await admin.end();
  });

  const handler = () => {
    const config = loadWarehouseSetupConfig({ WAREHOUSE_DIALECT: 'postgres', WAREHOUSE_URL: url });
    return makeHandler({
      setup: setupDeps(config, () => {
        throw new Error('no Redshift here');
      }),
      send: sendResponse,
    });
  };

  test('Create applies every migration and answers SUCCESS with an empty Content-Type PUT', async () => {
    await handler()(request('create'), context());
    const answer = lastAnswer();
    expect(received[0]?.method).toBe('PUT');
    expect(received[0]?.headers['content-type']).toBe('');
    const create = fixture('create');
    expect(answer).toEqual({
      Status: 'SUCCESS',
      PhysicalResourceId: 'warehouse-schema:postgres/127.0.0.1:5432/test',
      StackId: create.StackId,
      RequestId: create.RequestId,
      LogicalResourceId: 'WarehouseSchema',
      NoEcho: false,
      Data: {
        Applied: MIGRATIONS.map((m) => m.name).join(','),
        AlreadyApplied: 'none',
        CopyFiles: 'none',
      },
    });
    const tables = await admin.query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1',
      [schema],
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual(
      expect.arrayContaining(['events', 'metrics', 'loads', 'schema_migrations']),
    );
  });

  test('Update is idempotent: nothing re-applied, the same physical id (no replacement)', async () => {
    await handler()(request('update'), context());
    expect(lastAnswer()).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'warehouse-schema:postgres/127.0.0.1:5432/test',
      RequestId: fixture('update').RequestId,
      Data: { Applied: 'none', AlreadyApplied: MIGRATIONS.map((m) => m.name).join(',') },
    });
  });

  test('Delete answers SUCCESS with the id CloudFormation sent, and drops nothing', async () => {
    const before = await admin.query(`SELECT count(*)::int AS n FROM ${schema}.schema_migrations`);
    await handler()(request('delete'), context());
    expect(lastAnswer()).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: fixture('delete').PhysicalResourceId,
    });
    const after = await admin.query(`SELECT count(*)::int AS n FROM ${schema}.schema_migrations`);
    expect(after.rows).toEqual(before.rows);
  });

  test("docs/deploy.md's verify query runs on the schema the deploy migrated", async () => {
    const doc = readFileSync(join(__dirname, '../../docs/deploy.md'), 'utf8');
    const sql = /--sql "([^"]+)"/.exec(doc)?.[1];
    expect(sql).toMatch(/FROM events/);
    await admin.query(`SET search_path TO ${schema}`);
    try {
      await expect(admin.query(sql ?? '')).resolves.toMatchObject({ rows: [] });
    } finally {
      await admin.query('RESET search_path');
    }
  });

  test('a warehouse that refuses the connection answers FAILED with the reason, not a hung stack', async () => {
    const config = loadWarehouseSetupConfig({
      WAREHOUSE_DIALECT: 'postgres',
      WAREHOUSE_URL: 'postgres://nobody@127.0.0.1:1/none',
    });
    await makeHandler({ setup: setupDeps(config, () => ({}) as never), send: sendResponse })(
      request('create'),
      context(),
    );
    const answer = lastAnswer();
    expect(answer.Status).toBe('FAILED');
    expect(String(answer.Reason)).toMatch(
      /^warehouse migration failed on postgres\/127\.0\.0\.1:1\/none: .*ECONNREFUSED/,
    );
  });
});

/** The Data API's shape: each statement SUBMITTED, then STARTED, then FINISHED or FAILED. */
function dataApiStub(
  failOn?: RegExp,
): RedshiftDataApi & { sqls: string[]; sessions: (string | undefined)[] } {
  const sqls: string[] = [];
  const sessions: (string | undefined)[] = [];
  const polls = new Map<string, number>();
  const statements = new Map<string, string>();
  return {
    sqls,
    sessions,
    async executeStatement(input) {
      const id = `stmt-${sqls.length + 1}`;
      sqls.push(input.Sql);
      sessions.push(input.SessionId);
      statements.set(id, input.Sql);
      return { Id: id, SessionId: 'session-1' };
    },
    batchExecuteStatement: () => Promise.reject(new Error('migrations use a session')),
    async describeStatement({ Id }): Promise<DescribeStatementOutput> {
      const n = (polls.get(Id) ?? 0) + 1;
      polls.set(Id, n);
      if (n === 1) return { Status: 'SUBMITTED' };
      if (n === 2) return { Status: 'STARTED' };
      const sql = statements.get(Id) ?? '';
      if (failOn?.test(sql))
        return { Status: 'FAILED', Error: 'ERROR: permission denied for schema public' };
      return { Status: 'FINISHED', HasResultSet: /^\s*SELECT/i.test(sql), ResultRows: 0 };
    },
    getStatementResult: async () => ({ Records: [], ColumnMetadata: [{ name: 'version' }] }),
  };
}

describe('on Redshift through the Data API (stubbed to its shape)', () => {
  let s3: S3Fixture;
  beforeAll(async () => {
    s3 = await startS3();
    await s3.client.send(new CreateBucketCommand({ Bucket: 'clickstream-prod-analytics' }));
  });
  afterAll(() => s3.stop());

  const env = {
    WAREHOUSE_DIALECT: 'redshift',
    REDSHIFT_WORKGROUP: 'analytics',
    REDSHIFT_DATABASE: 'analytics',
    REDSHIFT_SECRET_ARN:
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:clickstream/redshift-AbCdEf',
    REDSHIFT_JSONPATHS_PREFIX: 's3://clickstream-prod-analytics/jsonpaths/',
  };

  test('Create runs the migrations in one session, polls each statement, writes the JSONPaths files', async () => {
    const api = dataApiStub();
    const config = loadWarehouseSetupConfig(env);
    await makeHandler({
      setup: setupDeps(config, () => ({ dataApi: api, s3: s3.client })),
      send: sendResponse,
    })(request('create'), context());
    const answer = lastAnswer();
    expect(answer).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: 'warehouse-schema:workgroup/analytics/analytics',
    });
    expect(api.sqls).toContain('BEGIN');
    expect(api.sqls.filter((sql) => sql === 'COMMIT')).toHaveLength(MIGRATIONS.length);
    // The first statement opens the session; every later one runs in it.
    expect(api.sessions[0]).toBeUndefined();
    expect(new Set(api.sessions.slice(1))).toEqual(new Set(['session-1']));
    for (const kind of ['events', 'metrics', 'processing-failed'] as const) {
      const object = await s3.client.send(
        new GetObjectCommand({
          Bucket: 'clickstream-prod-analytics',
          Key: `jsonpaths/${kind}.jsonpaths`,
        }),
      );
      expect(JSON.parse(await (object.Body?.transformToString() ?? ''))).toEqual(
        jsonPathsFor(kind),
      );
    }
  });

  test('a statement Redshift fails makes a FAILED answer naming the workgroup and the Redshift error', async () => {
    const api = dataApiStub(/CREATE TABLE events\b/);
    const config = loadWarehouseSetupConfig(env);
    await makeHandler({
      setup: setupDeps(config, () => ({ dataApi: api, s3: s3.client })),
      send: sendResponse,
    })(request('create'), context());
    const answer = lastAnswer();
    expect(answer.Status).toBe('FAILED');
    expect(String(answer.Reason)).toContain(
      'warehouse migration failed on workgroup/analytics/analytics',
    );
    expect(String(answer.Reason)).toContain('permission denied for schema public');
    expect(api.sqls).toContain('ROLLBACK');
  });

  test('Delete touches neither the warehouse nor the bucket', async () => {
    const api = dataApiStub();
    const config = loadWarehouseSetupConfig(env);
    await makeHandler({
      setup: setupDeps(config, () => ({ dataApi: api, s3: s3.client })),
      send: sendResponse,
    })(request('delete'), context());
    expect(lastAnswer()).toMatchObject({ Status: 'SUCCESS' });
    expect(api.sqls).toEqual([]);
  });
});

describe('sls remove never leaves the stack in DELETE_FAILED because of the custom resource', () => {
  const env = {
    WAREHOUSE_DIALECT: 'redshift',
    AWS_REGION: 'us-east-1',
    REDSHIFT_WORKGROUP: 'analytics',
    REDSHIFT_DATABASE: 'analytics',
    REDSHIFT_SECRET_ARN:
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:clickstream/redshift-AbCdEf',
    REDSHIFT_JSONPATHS_PREFIX: 's3://clickstream-prod-analytics/jsonpaths/',
    // The real Data API and S3 clients, pointed where nothing listens.
    REDSHIFT_DATA_ENDPOINT: 'http://127.0.0.1:1',
    S3_ENDPOINT: 'http://127.0.0.1:1',
  };
  const unreachable = (config: WarehouseSetupConfig) => {
    if (!('jsonPaths' in config)) throw new Error('expected a Redshift setup');
    return {
      dataApi: redshiftDataApi(createRedshiftDataClient(config.warehouse)),
      s3: createS3Client({ region: config.region, endpoint: config.s3Endpoint }),
    };
  };
  const handlerFor = (variables: NodeJS.ProcessEnv) =>
    makeHandler({ setup: setupFromEnvironment(variables, unreachable).setup, send: sendResponse });

  test('Delete answers SUCCESS while the Data API is unreachable (Create, on the same clients, cannot)', async () => {
    await handlerFor(env)(request('delete'), context());
    expect(lastAnswer()).toMatchObject({
      Status: 'SUCCESS',
      PhysicalResourceId: fixture('delete').PhysicalResourceId,
    });
    received.splice(0);
    await handlerFor(env)(request('create'), context());
    const answer = lastAnswer();
    expect(answer.Status).toBe('FAILED');
    expect(String(answer.Reason)).toMatch(/ECONNREFUSED/);
  });

  test('a configuration that does not parse: Delete answers SUCCESS, Create FAILED with the reason (no crash at cold start, no hour-long wait)', async () => {
    const broken = { ...env, REDSHIFT_JSONPATHS_PREFIX: 'not-an-s3-uri' };
    const { configError } = setupFromEnvironment(broken, unreachable);
    expect(configError).toBeInstanceOf(Error);
    await handlerFor(broken)(request('delete'), context());
    expect(lastAnswer()).toMatchObject({ Status: 'SUCCESS' });
    received.splice(0);
    await handlerFor(broken)(request('create'), context());
    const answer = lastAnswer();
    expect(answer.Status).toBe('FAILED');
    expect(String(answer.Reason)).toContain('warehouse migration failed on unconfigured:');
    expect(String(answer.Reason)).toContain('REDSHIFT_JSONPATHS_PREFIX');
  });
});
