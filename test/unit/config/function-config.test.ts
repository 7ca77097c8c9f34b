import { loadAggregateConfig } from '../../../shared/config/aggregate-config.ts';
import { loadIngestConfig } from '../../../shared/config/ingest-config.ts';
import { loadLoadFunctionConfig } from '../../../shared/config/load-config.ts';
import { ConfigError } from '../../../shared/runtime/errors.ts';

/** Every tunable a handler uses comes from its configuration, with the README's defaults. */
describe('function configuration', () => {
  test('ingest: retry backoff defaults (50 ms doubling to 1 s within 3 s) and overrides', () => {
    const base = { STREAM_NAME: 's', INGEST_WRITE_KEYS: 'k' };
    expect(loadIngestConfig(base)).toMatchObject({
      INGEST_RETRY_BUDGET_MS: 3_000,
      INGEST_RETRY_BASE_DELAY_MS: 50,
      INGEST_RETRY_MAX_DELAY_MS: 1_000,
    });
    expect(
      loadIngestConfig({
        ...base,
        INGEST_RETRY_BASE_DELAY_MS: '20',
        INGEST_RETRY_MAX_DELAY_MS: '400',
      }),
    ).toMatchObject({ INGEST_RETRY_BASE_DELAY_MS: 20, INGEST_RETRY_MAX_DELAY_MS: 400 });
    expect(() => loadIngestConfig({ ...base, INGEST_RETRY_BASE_DELAY_MS: '0' })).toThrow(
      /INGEST_RETRY_BASE_DELAY_MS/,
    );
  });

  test('aggregate: the delivery stream is required; retry tunables default to 10 s, 100 ms, 2 s', () => {
    expect(loadAggregateConfig({ METRICS_DELIVERY_STREAM: 'metrics' })).toEqual({
      AWS_REGION: 'us-east-1',
      METRICS_DELIVERY_STREAM: 'metrics',
      FIREHOSE_ENDPOINT: undefined,
      METRICS_RETRY_BUDGET_MS: 10_000,
      METRICS_RETRY_BASE_DELAY_MS: 100,
      METRICS_RETRY_MAX_DELAY_MS: 2_000,
    });
    expect(() => loadAggregateConfig({})).toThrow(ConfigError);
    expect(() => loadAggregateConfig({})).toThrow(/METRICS_DELIVERY_STREAM/);
  });

  test('load: pool settings and the S3 endpoint beside the warehouse', () => {
    const config = loadLoadFunctionConfig({
      WAREHOUSE_URL: 'postgres://u@127.0.0.1:5432/analytics',
      S3_ENDPOINT: 'http://127.0.0.1:4569',
      WAREHOUSE_POOL_MAX: '4',
      WAREHOUSE_QUERY_TIMEOUT_MS: '60000',
    });
    expect(config.warehouse.dialect).toBe('postgres');
    expect(config.s3Endpoint).toBe('http://127.0.0.1:4569');
    expect(config.pool).toEqual({
      max: 4,
      idleTimeoutMs: 10_000,
      connectTimeoutMs: 10_000,
      queryTimeoutMs: 60_000,
    });
    expect(
      loadLoadFunctionConfig({ WAREHOUSE_URL: 'postgres://u@127.0.0.1:5432/analytics' }).pool
        .queryTimeoutMs,
    ).toBe(270_000);
    expect(() =>
      loadLoadFunctionConfig({
        WAREHOUSE_URL: 'postgres://u@127.0.0.1:5432/analytics',
        WAREHOUSE_POOL_MAX: '0',
      }),
    ).toThrow(/WAREHOUSE_POOL_MAX/);
  });
});
