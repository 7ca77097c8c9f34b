import { ConfigError } from '../../../shared/runtime/errors.ts';
import {
  loadWarehouseConfig,
  migrationWarehouseConfig,
} from '../../../shared/config/load-config.ts';

const SECRET = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:analytics-AbCdEf';
const ROLE = 'arn:aws:iam::123456789012:role/clickstream-redshift-copy';
const serverless = {
  WAREHOUSE_DIALECT: 'redshift',
  AWS_REGION: 'eu-west-1',
  REDSHIFT_WORKGROUP: 'analytics',
  REDSHIFT_DATABASE: 'dev',
  REDSHIFT_SECRET_ARN: SECRET,
  REDSHIFT_COPY_ROLE_ARN: ROLE,
  REDSHIFT_JSONPATHS_PREFIX: 's3://clickstream-prod/jsonpaths/',
};

/** The ConfigError's message, so a test can name the variables it must mention. */
function problemsOf(
  env: NodeJS.ProcessEnv,
  parse: (env: NodeJS.ProcessEnv) => unknown = loadWarehouseConfig,
): string {
  try {
    parse(env);
  } catch (error: unknown) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('load warehouse config: postgres', () => {
  test('is the default dialect; WAREHOUSE_STAGING=insert (rows as JSON parameters) is kept', () => {
    expect(
      loadWarehouseConfig({
        WAREHOUSE_URL: 'postgres://postgres@127.0.0.1:5439/analytics',
        WAREHOUSE_STAGING: 'insert',
      }),
    ).toEqual({
      dialect: 'postgres',
      url: 'postgres://postgres@127.0.0.1:5439/analytics',
      staging: 'insert',
    });
  });

  test('stages with COPY unless told otherwise; postgresql:// is accepted', () => {
    expect(
      loadWarehouseConfig({ WAREHOUSE_DIALECT: 'postgres', WAREHOUSE_URL: 'postgresql://h/db' }),
    ).toEqual({ dialect: 'postgres', url: 'postgresql://h/db', staging: 'copy' });
  });

  test.each([
    [{}, 'WAREHOUSE_URL is not set (a postgres:// URL of the warehouse)'],
    [{ WAREHOUSE_URL: 'mysql://h/db' }, 'WAREHOUSE_URL: a postgres:// URL of the warehouse'],
    [{ WAREHOUSE_URL: 'postgres://h/db', WAREHOUSE_STAGING: 'bulk' }, 'WAREHOUSE_STAGING: '],
    [
      { WAREHOUSE_DIALECT: 'snowflake' },
      "WAREHOUSE_DIALECT: 'postgres' (the default) or 'redshift'",
    ],
  ])('%j fails naming the variable', (env, message) => {
    expect(problemsOf(env)).toContain(message);
  });
});

describe('load warehouse config: redshift', () => {
  test('Serverless: workgroup, database and secret make the Data API target', () => {
    expect(loadWarehouseConfig({ ...serverless, REDSHIFT_COPY_COMPRESSION: 'GZIP' })).toEqual({
      dialect: 'redshift',
      region: 'eu-west-1',
      endpoint: undefined,
      target: { WorkgroupName: 'analytics', Database: 'dev', SecretArn: SECRET },
      waitMs: 270_000,
      load: {
        iamRoleArn: ROLE,
        jsonPathsPrefix: 's3://clickstream-prod/jsonpaths/',
        compression: 'GZIP',
      },
    });
  });

  test('provisioned: cluster with temporary credentials for a database user', () => {
    const { REDSHIFT_WORKGROUP: _w, REDSHIFT_SECRET_ARN: _s, ...rest } = serverless;
    const config = loadWarehouseConfig({
      ...rest,
      REDSHIFT_CLUSTER_ID: 'analytics-cluster',
      REDSHIFT_DB_USER: 'loader',
      REDSHIFT_WAIT_SECONDS: '60',
    });
    expect(config).toMatchObject({
      target: { ClusterIdentifier: 'analytics-cluster', Database: 'dev', DbUser: 'loader' },
      waitMs: 60_000,
    });
    expect(config).not.toHaveProperty('target.WorkgroupName');
  });

  test('empty strings (an unset serverless.yml parameter) count as unset', () => {
    const config = loadWarehouseConfig({
      ...serverless,
      REDSHIFT_CLUSTER_ID: '',
      REDSHIFT_DB_USER: '',
      REDSHIFT_COPY_COMPRESSION: '',
      REDSHIFT_DATA_ENDPOINT: '',
    });
    expect(config).toMatchObject({ endpoint: undefined, target: { WorkgroupName: 'analytics' } });
    expect(config).not.toHaveProperty('load.compression');
  });

  test('every missing variable is named in one error', () => {
    const message = problemsOf({ WAREHOUSE_DIALECT: 'redshift' });
    for (const name of [
      'REDSHIFT_WORKGROUP is not set',
      'REDSHIFT_DATABASE is not set',
      'REDSHIFT_SECRET_ARN is not set',
      'REDSHIFT_COPY_ROLE_ARN is not set',
      'REDSHIFT_JSONPATHS_PREFIX is not set',
    ])
      expect(message).toContain(name);
    expect(message).not.toContain('WAREHOUSE_URL');
  });

  test.each([
    [{ REDSHIFT_CLUSTER_ID: 'c' }, 'REDSHIFT_CLUSTER_ID: set only one of'],
    [{ REDSHIFT_DB_USER: 'loader' }, 'REDSHIFT_DB_USER: only with REDSHIFT_CLUSTER_ID'],
    [
      { REDSHIFT_SECRET_ARN: 'analytics-secret' },
      'REDSHIFT_SECRET_ARN: a Secrets Manager secret ARN',
    ],
    [{ REDSHIFT_COPY_ROLE_ARN: 'copy-role' }, 'REDSHIFT_COPY_ROLE_ARN: the ARN of the IAM role'],
    [
      { REDSHIFT_JSONPATHS_PREFIX: 's3://clickstream-prod/jsonpaths' },
      'REDSHIFT_JSONPATHS_PREFIX: the s3://bucket/folder/',
    ],
    [{ REDSHIFT_COPY_COMPRESSION: 'ZSTD' }, 'REDSHIFT_COPY_COMPRESSION: '],
    [{ REDSHIFT_DATA_ENDPOINT: 'redshift-data' }, 'REDSHIFT_DATA_ENDPOINT: '],
  ])('%j is refused, naming the variable', (change, message) => {
    expect(problemsOf({ ...serverless, ...change })).toContain(message);
  });

  test('migrations need only the connection, not the COPY settings', () => {
    const { REDSHIFT_COPY_ROLE_ARN: _r, REDSHIFT_JSONPATHS_PREFIX: _j, ...connection } = serverless;
    expect(migrationWarehouseConfig(connection)).toEqual({
      dialect: 'redshift',
      region: 'eu-west-1',
      endpoint: undefined,
      target: { WorkgroupName: 'analytics', Database: 'dev', SecretArn: SECRET },
      waitMs: 270_000,
    });
    expect(problemsOf(connection)).toContain('REDSHIFT_COPY_ROLE_ARN is not set');
    expect(problemsOf({ WAREHOUSE_DIALECT: 'redshift' }, migrationWarehouseConfig)).not.toContain(
      'REDSHIFT_COPY_ROLE_ARN',
    );
  });
});
