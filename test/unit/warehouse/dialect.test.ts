import { EVENT_COLUMNS } from '../../../shared/transform/event-rows.ts';
import { ident, postgres, redshift } from '../../../shared/warehouse-schema/dialect.ts';
import { identityStatements } from '../../../shared/warehouse-schema/identity.ts';
import { TABLES } from '../../../shared/warehouse-schema/tables.ts';
import {
  platformViewStatements,
  stitchedViewStatements,
  viewStatements,
} from '../../../shared/warehouse-schema/views.ts';

/** Column names of a CREATE TABLE, in order. */
const columnsOf = (ddl: string) =>
  ddl
    .split('\n')
    .slice(1)
    .map((line) => /^ {2}([a-z_]+) /.exec(line)?.[1])
    .filter((name): name is string => name !== undefined);

describe('DDL per dialect', () => {
  test('events has exactly the transform columns (bar row_kind), plus loaded_at', () => {
    const expected = [...EVENT_COLUMNS.filter((c) => c !== 'row_kind'), 'loaded_at'];
    expect(columnsOf(postgres.createTable(TABLES.events))).toEqual(expected);
    expect(columnsOf(redshift.createTable(TABLES.events))).toEqual(expected);
  });

  test.each([
    ['price', 'numeric(38,6)', 'DECIMAL(38,6)'],
    ['properties', 'jsonb', 'SUPER'],
    ['event_time', 'timestamptz NOT NULL', 'TIMESTAMPTZ NOT NULL'],
    ['quantity', 'bigint', 'BIGINT'],
    ['loaded_at', 'timestamptz NOT NULL DEFAULT now()', 'TIMESTAMPTZ NOT NULL DEFAULT GETDATE()'],
  ])('events.%s is %s / %s', (column, pg, rs) => {
    expect(postgres.createTable(TABLES.events)).toContain(`  ${column} ${pg},`);
    expect(redshift.createTable(TABLES.events)).toContain(`  ${column} ${rs},`);
  });

  test('Redshift layout: DISTKEY(anonymous_id) SORTKEY(event_time) on events, EVEN on metrics', () => {
    expect(redshift.createTable(TABLES.events)).toMatch(
      /\)\nDISTSTYLE KEY DISTKEY\(anonymous_id\)\nSORTKEY\(event_time\)$/,
    );
    expect(redshift.createTable(TABLES.metrics)).toMatch(
      /DISTSTYLE EVEN\nSORTKEY\(window_start\)$/,
    );
    expect(postgres.createTable(TABLES.events)).not.toMatch(/DISTKEY|SORTKEY|SUPER/);
  });

  test('surrogate keys: IDENTITY in Redshift, bigserial in Postgres', () => {
    expect(redshift.createTable(TABLES.loads)).toContain('  load_id BIGINT IDENTITY(1,1),');
    expect(postgres.createTable(TABLES.loads)).toContain('  load_id bigserial,');
  });

  test('keys are primary keys; IF NOT EXISTS only on request', () => {
    expect(postgres.createTable(TABLES.metrics)).toContain(
      '  PRIMARY KEY (window_start, shard_id, part)\n)',
    );
    expect(postgres.createTable(TABLES.product_metrics)).toContain(
      'PRIMARY KEY (window_start, shard_id, part, product_id)',
    );
    expect(postgres.createTable(TABLES.schema_migrations, { ifNotExists: true })).toMatch(
      /^CREATE TABLE IF NOT EXISTS schema_migrations \(/,
    );
    expect(redshift.createTable(TABLES.events)).toMatch(/^CREATE TABLE events \(/);
  });

  test('upserts: ON CONFLICT in Postgres; DELETE+INSERT and MERGE in Redshift', () => {
    expect(postgres.upsert(TABLES.events, 'stage_events', 'ignore')).toEqual([
      expect.stringMatching(
        /^INSERT INTO events \(event_id, .*context, .*previous_id\)\nSELECT .* FROM stage_events\nON CONFLICT \(event_id\) DO NOTHING$/s,
      ),
    ]);
    const [pgMetrics] = postgres.upsert(TABLES.metrics, 'stage_metrics', 'replace');
    expect(pgMetrics).toContain(
      'ON CONFLICT (window_start, shard_id, part) DO UPDATE SET window_end = EXCLUDED.window_end,',
    );
    expect(pgMetrics).toMatch(
      /orders_by_platform = EXCLUDED.orders_by_platform, loaded_at = now\(\)$/,
    );

    expect(redshift.upsert(TABLES.events, 'stage_events', 'ignore')).toEqual([
      'DELETE FROM stage_events USING events WHERE stage_events.event_id = events.event_id',
      expect.stringMatching(
        /^INSERT INTO events \(event_id, .*\)\nSELECT event_id, .* FROM stage_events$/s,
      ),
    ]);
    const [merge] = redshift.upsert(TABLES.product_metrics, 'stage_product_metrics', 'replace');
    expect(merge).toMatch(
      /^MERGE INTO product_metrics USING stage_product_metrics s ON product_metrics.window_start = s.window_start AND product_metrics.shard_id = s.shard_id AND product_metrics.part = s.part AND product_metrics.product_id = s.product_id\nWHEN MATCHED THEN UPDATE SET window_end = s.window_end, views = s.views, .*loaded_at = GETDATE\(\)\nWHEN NOT MATCHED THEN INSERT \(window_start, .*\) VALUES \(s.window_start, .*\)$/,
    );
  });

  test('keep-latest upserts: a conditional ON CONFLICT in Postgres; losers dropped before the MERGE in Redshift', () => {
    const keep = { keep: 'latest', time: 'traits_at', id: 'traits_event_id' } as const;
    const [pg] = postgres.upsert(TABLES.users, 'stage_users', keep);
    expect(pg).toMatch(
      /ON CONFLICT \(user_id\) DO UPDATE SET traits = EXCLUDED.traits, .* WHERE \(EXCLUDED.traits_at > users.traits_at OR \(EXCLUDED.traits_at = users.traits_at AND EXCLUDED.traits_event_id > users.traits_event_id\)\)$/s,
    );
    const [drop, merge] = redshift.upsert(TABLES.users, 'stage_users', keep);
    expect(drop).toBe(
      'DELETE FROM stage_users USING users WHERE stage_users.user_id = users.user_id AND NOT (stage_users.traits_at > users.traits_at OR (stage_users.traits_at = users.traits_at AND stage_users.traits_event_id > users.traits_event_id))',
    );
    expect(merge).toMatch(/^MERGE INTO users USING stage_users s ON users.user_id = s.user_id\n/);
    const earliest = { keep: 'earliest', time: 'mapped_at', id: 'event_id' } as const;
    expect(postgres.upsert(TABLES.identity_map, 'stage_identity_map', earliest)[0]).toContain(
      'WHERE (EXCLUDED.mapped_at < identity_map.mapped_at OR',
    );
  });

  test('identity statements: one temp table and upsert per identity table, the same SQL but for the temp table and upsert', () => {
    const pg = identityStatements(postgres, 'stage_events');
    const rs = identityStatements(redshift, 'stage_events');
    expect(pg.filter((s) => s.startsWith('CREATE TEMP TABLE'))).toHaveLength(5);
    expect(pg[0]).toMatch(/^CREATE TEMP TABLE stage_identifies ON COMMIT DROP AS\nSELECT/);
    expect(rs[0]).toMatch(/^CREATE TEMP TABLE stage_identifies AS\nSELECT/);
    expect(pg[0]?.replace(' ON COMMIT DROP', '')).toBe(rs[0]);
  });

  test('platform_minute differs only in how per-platform counts are unnested', () => {
    const [pg] = platformViewStatements(postgres);
    const [rs] = platformViewStatements(redshift);
    expect(pg).toContain(
      'CROSS JOIN LATERAL jsonb_each_text(m.views_by_platform) AS counted(name, n)',
    );
    expect(rs).toContain(', UNPIVOT m.views_by_platform AS n AT name');
    expect(rs).toContain('SUM(n::BIGINT) AS orders');
  });

  test('views differ only in how per-currency money is unnested', () => {
    const pg = viewStatements(postgres);
    const rs = viewStatements(redshift);
    expect(pg.find((v) => v.startsWith('CREATE VIEW revenue_minute'))).toContain(
      'CROSS JOIN LATERAL jsonb_each_text(m.revenue_by_currency) AS money(currency, amount)',
    );
    expect(rs.find((v) => v.startsWith('CREATE VIEW revenue_minute'))).toContain(
      ', UNPIVOT m.revenue_by_currency AS amount AT currency',
    );
    const sessions = (views: string[]) => views.find((v) => v.startsWith('CREATE VIEW sessions'));
    expect(sessions(pg)).toBe(sessions(rs));
    expect(sessions(rs)).toContain("+ INTERVAL '30 minutes' THEN 1");
    expect(sessions(rs)).toContain('ROWS UNBOUNDED PRECEDING');
    // 004's sessions and funnel are the same SQL in both dialects.
    const stitched = stitchedViewStatements();
    expect(stitched.find((v) => v.startsWith('CREATE VIEW sessions'))).toContain(
      'PARTITION BY person_id ORDER BY event_time, event_id',
    );
    expect(stitched.find((v) => v.startsWith('CREATE VIEW funnel'))).toContain(
      'LEFT JOIN identity_map m ON m.anonymous_id = e.anonymous_id',
    );
  });

  test.each(['events; DROP TABLE x', 'Events', '1abc', 'a-b', ''])('ident refuses %j', (name) => {
    expect(() => ident(name)).toThrow('not an allowed SQL identifier');
  });
});
