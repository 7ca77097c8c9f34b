import { loadDashboardConfig } from '../../../shared/config/dashboard-config.ts';
import { ConfigError } from '../../../shared/runtime/errors.ts';

const SECRET = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:analytics-AbCdEf';

describe('dashboard configuration', () => {
  test('postgres by default, keys split on commas, refresh every 5 s', () => {
    expect(
      loadDashboardConfig({
        DASHBOARD_READ_KEYS: ' k1, ,k2 ',
        WAREHOUSE_URL: 'postgres://u@h:5439/analytics',
      }),
    ).toEqual({
      readKeys: ['k1', 'k2'],
      refreshSeconds: 5,
      warehouse: { dialect: 'postgres', url: 'postgres://u@h:5439/analytics' },
      pool: { max: 3, idleTimeoutMs: 10_000, connectTimeoutMs: 3_000, queryTimeoutMs: 8_000 },
      redshiftRead: { timeoutMs: 8_000, maxDelayMs: 500 },
    });
  });

  test('pool and read tunables come from the environment, and out-of-range ones are refused', () => {
    const config = loadDashboardConfig({
      DASHBOARD_READ_KEYS: 'k',
      WAREHOUSE_URL: 'postgres://u@h:5439/analytics',
      DASHBOARD_POOL_MAX: '5',
      DASHBOARD_CONNECT_TIMEOUT_MS: '1500',
      DASHBOARD_READ_TIMEOUT_MS: '20000',
    });
    expect(config.pool).toEqual({
      max: 5,
      idleTimeoutMs: 10_000,
      connectTimeoutMs: 1_500,
      queryTimeoutMs: 20_000,
    });
    expect(config.redshiftRead).toEqual({ timeoutMs: 20_000, maxDelayMs: 500 });
    expect(() =>
      loadDashboardConfig({
        DASHBOARD_READ_KEYS: 'k',
        WAREHOUSE_URL: 'postgres://u@h:5439/analytics',
        DASHBOARD_READ_TIMEOUT_MS: '60000',
      }),
    ).toThrow(/DASHBOARD_READ_TIMEOUT_MS/);
  });

  test('redshift: a workgroup with a secret', () => {
    expect(
      loadDashboardConfig({
        DASHBOARD_READ_KEYS: 'k',
        DASHBOARD_REFRESH_SECONDS: '10',
        WAREHOUSE_DIALECT: 'redshift',
        AWS_REGION: 'eu-west-1',
        REDSHIFT_WORKGROUP: 'analytics',
        REDSHIFT_DATABASE: 'dev',
        REDSHIFT_SECRET_ARN: SECRET,
        REDSHIFT_DATA_ENDPOINT: '',
        WAREHOUSE_URL: '',
      }),
    ).toEqual({
      readKeys: ['k'],
      refreshSeconds: 10,
      warehouse: {
        dialect: 'redshift',
        region: 'eu-west-1',
        endpoint: undefined,
        target: { Database: 'dev', WorkgroupName: 'analytics', SecretArn: SECRET },
      },
      pool: { max: 3, idleTimeoutMs: 10_000, connectTimeoutMs: 3_000, queryTimeoutMs: 8_000 },
      redshiftRead: { timeoutMs: 8_000, maxDelayMs: 500 },
    });
  });

  test('redshift: a cluster with a database user', () => {
    const config = loadDashboardConfig({
      DASHBOARD_READ_KEYS: 'k',
      WAREHOUSE_DIALECT: 'redshift',
      REDSHIFT_CLUSTER_ID: 'c-1',
      REDSHIFT_DATABASE: 'dev',
      REDSHIFT_DB_USER: 'dashboard',
      REDSHIFT_DATA_ENDPOINT: 'http://127.0.0.1:9999',
    });
    expect(config.warehouse).toEqual({
      dialect: 'redshift',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9999',
      target: { Database: 'dev', ClusterIdentifier: 'c-1', DbUser: 'dashboard' },
    });
  });

  test.each<[string, NodeJS.ProcessEnv, RegExp]>([
    ['no read keys', { WAREHOUSE_URL: 'postgres://h/a' }, /DASHBOARD_READ_KEYS is not set/],
    [
      'only commas',
      { DASHBOARD_READ_KEYS: ', ,', WAREHOUSE_URL: 'postgres://h/a' },
      /at least one read key/,
    ],
    [
      'no warehouse URL',
      { DASHBOARD_READ_KEYS: 'k' },
      /WAREHOUSE_URL is not set \(a postgres:\/\/ URL/,
    ],
    [
      'a wrong URL',
      { DASHBOARD_READ_KEYS: 'k', WAREHOUSE_URL: 'mysql://h/a' },
      /WAREHOUSE_URL: a postgres:\/\/ URL/,
    ],
    [
      'a refresh of 0 s',
      { DASHBOARD_READ_KEYS: 'k', WAREHOUSE_URL: 'postgres://h/a', DASHBOARD_REFRESH_SECONDS: '0' },
      /DASHBOARD_REFRESH_SECONDS/,
    ],
    [
      'an unknown dialect',
      { DASHBOARD_READ_KEYS: 'k', WAREHOUSE_DIALECT: 'mysql' },
      /WAREHOUSE_DIALECT: 'postgres' \(the default\) or 'redshift'/,
    ],
    [
      'redshift with nothing',
      { DASHBOARD_READ_KEYS: 'k', WAREHOUSE_DIALECT: 'redshift' },
      /REDSHIFT_DATABASE is not set.*REDSHIFT_WORKGROUP.*REDSHIFT_SECRET_ARN/,
    ],
    [
      'both a workgroup and a cluster',
      {
        DASHBOARD_READ_KEYS: 'k',
        WAREHOUSE_DIALECT: 'redshift',
        REDSHIFT_WORKGROUP: 'w',
        REDSHIFT_CLUSTER_ID: 'c',
        REDSHIFT_DATABASE: 'dev',
        REDSHIFT_SECRET_ARN: SECRET,
      },
      /set one of REDSHIFT_WORKGROUP and REDSHIFT_CLUSTER_ID/,
    ],
    [
      'a database user with a workgroup',
      {
        DASHBOARD_READ_KEYS: 'k',
        WAREHOUSE_DIALECT: 'redshift',
        REDSHIFT_WORKGROUP: 'w',
        REDSHIFT_DATABASE: 'dev',
        REDSHIFT_DB_USER: 'u',
      },
      /REDSHIFT_SECRET_ARN/,
    ],
  ])('%s fails at cold start, naming the variable', (_, env, message) => {
    expect(() => loadDashboardConfig(env)).toThrow(ConfigError);
    expect(() => loadDashboardConfig(env)).toThrow(message);
  });
});
