import {
  UnsafeLiteralError,
  jsonPathsFor,
  redshiftLoadStatements,
  type RedshiftLoadConfig,
} from '../../../shared/load/redshift-load-sql.ts';

const config: RedshiftLoadConfig = {
  bucket: 'clickstream-prod',
  iamRoleArn: 'arn:aws:iam::123456789012:role/clickstream-redshift-copy',
  jsonPathsPrefix: 's3://clickstream-prod/jsonpaths/',
};
const KEY = 'events/2026/11/25/10/events-1-2026-11-25-10-00-00-abc.gz';

describe('Redshift load SQL', () => {
  const events = redshiftLoadStatements(config, KEY, 'events');

  test('locks loads and the targets first, records the key last and only once', () => {
    expect(events[0]).toBe(
      'LOCK loads, events, bad_events, identifies, users, groups, group_members, identity_map',
    );
    expect(events.at(-1)).toBe(
      `INSERT INTO loads (object_key, kind, rows)\nSELECT '${KEY}', 'events', staged.n FROM (SELECT COUNT(*) AS n FROM stage_rows) staged WHERE NOT EXISTS (SELECT 1 FROM loads WHERE object_key = '${KEY}')`,
    );
    expect(events).toContain(
      `DELETE FROM stage_rows WHERE EXISTS (SELECT 1 FROM loads WHERE object_key = '${KEY}')`,
    );
  });

  test('COPYs the object from S3 with the role, JSONPaths and error tolerance', () => {
    expect(events.find((s) => s.startsWith('COPY'))).toBe(
      [
        `COPY stage_rows FROM 's3://clickstream-prod/${KEY}'`,
        `IAM_ROLE 'arn:aws:iam::123456789012:role/clickstream-redshift-copy'`,
        `FORMAT AS JSON 's3://clickstream-prod/jsonpaths/events.jsonpaths'`,
        `TIMEFORMAT 'auto' TRUNCATECOLUMNS ACCEPTINVCHARS MAXERROR 100000`,
      ].join('\n'),
    );
    expect(
      redshiftLoadStatements({ ...config, compression: 'GZIP' }, KEY, 'events').find((s) =>
        s.startsWith('COPY'),
      ),
    ).toMatch(/\nGZIP$/);
  });

  test('staging holds the union of event and bad-event columns, SUPER for nested JSON', () => {
    const create = events.find((s) => s.startsWith('CREATE TEMP TABLE stage_rows'));
    expect(create).toMatch(
      /^CREATE TEMP TABLE stage_rows \(row_kind VARCHAR\(1024\), event_id VARCHAR\(512\), /,
    );
    expect(create).toContain('properties SUPER');
    expect(create).toContain('reasons SUPER, payload SUPER, payload_truncated BOOLEAN)');
  });

  test('on Redshift Serverless (no raw rejected lines kept) COPY refuses the object instead of dropping lines', () => {
    const serverless = redshiftLoadStatements({ ...config, loadErrors: 'fail' }, KEY, 'events');
    expect(serverless.find((s) => s.startsWith('COPY'))).toContain('MAXERROR 0');
    expect(serverless.some((s) => s.includes('stl_load_errors'))).toBe(false);
    expect(events.some((s) => s.includes('FROM stl_load_errors'))).toBe(true);
  });

  test('COPY rejects become bad_events rows', () => {
    expect(events.find((s) => s.includes('stl_load_errors'))).toMatch(
      /^INSERT INTO bad_events .*\nSELECT 'load:' \|\| SHA2\(TRIM\(raw_line\), 256\), 'load', ARRAY\(TRIM\(err_reason\)\).*\nFROM stl_load_errors WHERE query = pg_last_copy_id\(\)/,
    );
  });

  test('events: first copy per event_id, then only unknown ids inserted', () => {
    const dedupe = events.find((s) => s.startsWith('CREATE TEMP TABLE stage_events AS'));
    expect(dedupe).toContain(
      'ROW_NUMBER() OVER (PARTITION BY event_id ORDER BY received_at) AS copy_number',
    );
    expect(dedupe).toContain(
      "FROM stage_rows WHERE row_kind = 'event' AND event_id IS NOT NULL AND event_type IS NOT NULL AND event_time IS NOT NULL AND received_at IS NOT NULL",
    );
    expect(events).toContain(
      'DELETE FROM stage_events USING events WHERE stage_events.event_id = events.event_id',
    );
    expect(events).toContain(
      'DELETE FROM stage_bad_events USING bad_events WHERE stage_bad_events.event_id = bad_events.event_id',
    );
  });

  test('metrics: MERGE replaces a re-emitted part', () => {
    const metrics = redshiftLoadStatements(config, 'metrics/2026/11/25/10/m-1', 'metrics');
    expect(metrics[0]).toBe('LOCK loads, metrics, product_metrics');
    const merges = metrics.filter((s) => s.startsWith('MERGE INTO'));
    expect(merges).toHaveLength(2);
    expect(merges[0]).toMatch(
      /^MERGE INTO metrics USING stage_metrics s ON metrics.window_start = s.window_start AND metrics.shard_id = s.shard_id AND metrics.part = s.part\nWHEN MATCHED THEN UPDATE SET /,
    );
    expect(metrics.find((s) => s.startsWith('CREATE TEMP TABLE stage_metrics AS'))).toContain(
      'ORDER BY events DESC',
    );
  });

  test('processing-failed: ids hash the base64 record, as the Postgres path does', () => {
    const failed = redshiftLoadStatements(
      config,
      'processing-failed/2026/11/25/10/f-1',
      'processing-failed',
    );
    const stage = failed.find((s) => s.startsWith('CREATE TEMP TABLE stage_bad_events AS'));
    expect(stage).toContain(
      "SELECT 'firehose:' || SHA2(raw_data, 256) AS event_id, 'firehose' AS source",
    );
    expect(stage).toContain(
      "TIMESTAMP 'epoch' + arrival_timestamp / 1000.0 * INTERVAL '1 second' AS received_at",
    );
  });

  test('JSONPaths map camelCase metrics fields onto snake_case columns', () => {
    expect(jsonPathsFor('metrics').jsonpaths.slice(0, 4)).toEqual([
      '$.windowStart',
      '$.windowEnd',
      '$.shardId',
      '$.part',
    ]);
    expect(jsonPathsFor('metrics').jsonpaths).toContain('$.productId');
    expect(jsonPathsFor('events').jsonpaths[0]).toBe('$.row_kind');
    expect(jsonPathsFor('processing-failed').jsonpaths).toEqual([
      '$.attemptsMade',
      '$.arrivalTimestamp',
      '$.errorCode',
      '$.errorMessage',
      '$.rawData',
      '$.lambdaArn',
    ]);
  });

  test.each([
    ['a quote in the key', "events/x'; DROP TABLE events; --", config],
    ['a backslash in the key', 'events/x\\y', config],
    ['a bad role', KEY, { ...config, iamRoleArn: "arn:aws:iam::1:role/x' OR '1" }],
    ['a bad bucket', KEY, { ...config, bucket: "b'ucket" }],
  ])('refuses %s', (_why, key, cfg) => {
    expect(() => redshiftLoadStatements(cfg, key, 'events')).toThrow(UnsafeLiteralError);
  });
});
