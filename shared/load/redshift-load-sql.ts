import { BAD_EVENT_COLUMNS } from '../transform/event-rows.ts';
import { ident, redshift } from '../warehouse-schema/dialect.ts';
import { IDENTITY_TABLES, identityStatements } from '../warehouse-schema/identity.ts';
import type { ObjectKind } from './parse-object.ts';
import {
  EVENT_TABLE_COLUMNS,
  TABLES,
  loadedColumns,
  type Column,
} from '../warehouse-schema/tables.ts';

/**
 * The load of one S3 object into Redshift, as the statements of ONE BatchExecuteStatement
 * (one transaction, one round trip): Redshift reads the object itself with COPY, so the
 * Lambda never downloads it.
 *
 * BatchExecuteStatement takes no parameters and COPY takes none anyway, so the object key,
 * bucket and role appear as literals: each is checked against a strict pattern with no
 * quote or backslash in it before it is quoted (see `literal`).
 *
 * Exactly once without a round trip to ask "loaded already?": the batch LOCKs loads and the
 * targets (serialising loaders), empties staging when the key is in `loads`, so every later
 * statement is a no-op, and inserts the key only when absent. Its last statement's row
 * count (1 or 0) tells the caller whether this run loaded the object.
 */
export interface RedshiftLoadConfig {
  bucket: string;
  iamRoleArn: string;
  /** Where the JSONPaths files (jsonPathsFor) were uploaded, e.g. "s3://bucket/jsonpaths/". */
  jsonPathsPrefix: string;
  /** Firehose's compression of the objects, when any. */
  compression?: 'GZIP';
  /**
   * Where COPY's rejected lines are read back from, to land in bad_events: stl_load_errors on
   * provisioned clusters. Redshift Serverless keeps no raw line (sys_load_error_detail), so
   * there ('fail') COPY refuses the whole object on any bad line: the load fails, is retried,
   * and ends in the on-failure destination with its key, rather than losing lines silently.
   */
  loadErrors?: 'stl_load_errors' | 'fail';
}

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const KEY = /^[A-Za-z0-9!_.*()/=:+@,-]{1,1024}$/;
const ROLE = /^arn:aws[a-z-]*:iam::\d{12}:role\/[A-Za-z0-9+=,.@_/-]{1,512}$/;
const S3_PREFIX = /^s3:\/\/[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]\/[A-Za-z0-9!_.*()/=:+@,-]*$/;

export class UnsafeLiteralError extends Error {
  constructor(what: string, value: string) {
    super(`${what} has characters the loader does not put in SQL: ${JSON.stringify(value)}`);
    this.name = 'UnsafeLiteralError';
  }
}

/** A quoted SQL literal of a value that matched a pattern excluding quotes and backslashes. */
export function literal(what: string, value: string, pattern: RegExp): string {
  if (!pattern.test(value)) throw new UnsafeLiteralError(what, value);
  return `'${value}'`;
}

/** Staging columns per kind: the union of the columns the object's lines can carry. */
function stagingColumns(kind: ObjectKind): { column: Column; path: string }[] {
  const snake = (column: Column) => ({ column, path: `$.${column.name}` });
  const camel = (column: Column) => ({
    column,
    path: `$.${column.name.replace(/_([a-z])/g, (_all, c: string) => c.toUpperCase())}`,
  });
  if (kind === 'events') {
    const badOnly = loadedColumns(TABLES.bad_events).filter(
      (c) =>
        (BAD_EVENT_COLUMNS as readonly string[]).includes(c.name) &&
        !EVENT_TABLE_COLUMNS.some((e) => e.name === c.name),
    );
    const rowKind: Column = { name: 'row_kind', type: 'text' };
    return [rowKind, ...EVENT_TABLE_COLUMNS, ...badOnly].map(snake);
  }
  if (kind === 'metrics') {
    const metrics = loadedColumns(TABLES.metrics);
    const productOnly = loadedColumns(TABLES.product_metrics).filter(
      (c) => !metrics.some((m) => m.name === c.name),
    );
    return [...metrics, ...productOnly].map(camel);
  }
  const failed: Column[] = [
    { name: 'attempts_made', type: 'int' },
    { name: 'arrival_timestamp', type: 'count' },
    { name: 'error_code', type: 'text' },
    { name: 'error_message', type: 'longText' },
    { name: 'raw_data', type: 'longText' },
    { name: 'lambda_arn', type: 'text' },
  ];
  return failed.map(camel);
}

/** The JSONPaths document for a kind: upload it under jsonPathsPrefix as `<kind>.jsonpaths`. */
export function jsonPathsFor(kind: ObjectKind): { jsonpaths: string[] } {
  return { jsonpaths: stagingColumns(kind).map((c) => c.path) };
}

export function redshiftLoadStatements(
  config: RedshiftLoadConfig,
  key: string,
  kind: ObjectKind,
): string[] {
  const k = literal('object key', key, KEY);
  const source = `s3://${config.bucket}/${key}`;
  literal('bucket', config.bucket, BUCKET);
  const jsonPaths = literal(
    'JSONPaths location',
    `${config.jsonPathsPrefix}${kind}.jsonpaths`,
    S3_PREFIX,
  );
  const loaded = `EXISTS (SELECT 1 FROM loads WHERE object_key = ${k})`;
  const columns = stagingColumns(kind).map((c) => c.column);
  const targets =
    kind === 'metrics'
      ? ['metrics', 'product_metrics']
      : kind === 'events'
        ? ['events', 'bad_events', ...IDENTITY_TABLES]
        : ['events', 'bad_events'];

  return [
    `LOCK loads, ${targets.join(', ')}`,
    `CREATE TEMP TABLE stage_rows (${columns.map((c) => `${ident(c.name)} ${redshift.columnType(c.type)}`).join(', ')})`,
    [
      `COPY stage_rows FROM '${source}'`,
      `IAM_ROLE ${literal('IAM role', config.iamRoleArn, ROLE)}`,
      `FORMAT AS JSON ${jsonPaths}`,
      // Lines that do not convert are skipped and logged, then moved to bad_events below.
      `TIMEFORMAT 'auto' TRUNCATECOLUMNS ACCEPTINVCHARS MAXERROR ${config.loadErrors === 'fail' ? 0 : 100000}`,
      config.compression ?? '',
    ]
      .filter(Boolean)
      .join('\n'),
    ...(config.loadErrors === 'fail'
      ? []
      : [
          `INSERT INTO bad_events (event_id, source, reasons, payload, payload_truncated, object_key)
SELECT 'load:' || SHA2(TRIM(raw_line), 256), 'load', ARRAY(TRIM(err_reason)), TRIM(raw_line)::SUPER, LEN(TRIM(raw_line)) >= 1024, ${k}
FROM stl_load_errors WHERE query = pg_last_copy_id() AND NOT ${loaded}`,
        ]),
    `DELETE FROM stage_rows WHERE ${loaded}`,
    ...(kind === 'events' ? eventStatements() : []),
    ...(kind === 'metrics' ? metricsStatements() : []),
    ...(kind === 'processing-failed' ? failedStatements(k) : []),
    `INSERT INTO loads (object_key, kind, rows)
SELECT ${k}, '${kind}', staged.n FROM (SELECT COUNT(*) AS n FROM stage_rows) staged WHERE NOT ${loaded}`,
  ];
}

/** CREATE TEMP TABLE ... AS the first row per key of the staged rows that pass `where`. */
function dedupe(
  table: 'events' | 'bad_events' | 'metrics' | 'product_metrics',
  where: string,
  order: string,
): string {
  const spec = TABLES[table];
  const list = loadedColumns(spec)
    .map((c) => ident(c.name))
    .join(', ');
  return `CREATE TEMP TABLE stage_${table} AS
SELECT ${list} FROM (
  SELECT ${list}, ROW_NUMBER() OVER (PARTITION BY ${spec.key.map(ident).join(', ')} ORDER BY ${order}) AS copy_number
  FROM stage_rows WHERE ${where}
) ranked WHERE copy_number = 1`;
}

function eventStatements(): string[] {
  const required = EVENT_TABLE_COLUMNS.filter((c) => c.notNull).map(
    (c) => `${ident(c.name)} IS NOT NULL`,
  );
  const badRequired = ['event_id IS NOT NULL', 'source IS NOT NULL'];
  return [
    // A line of neither kind, or missing what its table requires: kept, not dropped.
    `INSERT INTO bad_events (event_id, source, reasons, payload, object_key)
SELECT 'load:' || MD5(COALESCE(row_kind, '') || '|' || COALESCE(event_id, '') || '|' || COALESCE(CAST(received_at AS VARCHAR), '')),
  'load', ARRAY('row_kind unknown or a required column missing'),
  OBJECT('row_kind', row_kind, 'event_id', event_id), NULL
FROM stage_rows
WHERE NOT (row_kind = 'event' AND ${required.join(' AND ')})
  AND NOT (row_kind = 'bad_event' AND ${badRequired.join(' AND ')})`,
    dedupe('events', `row_kind = 'event' AND ${required.join(' AND ')}`, 'received_at'),
    // Before the events upsert, which drops the staged events already loaded.
    ...identityStatements(redshift, 'stage_events'),
    ...redshift.upsert(TABLES.events, 'stage_events', 'ignore'),
    dedupe('bad_events', `row_kind = 'bad_event' AND ${badRequired.join(' AND ')}`, 'received_at'),
    ...redshift.upsert(TABLES.bad_events, 'stage_bad_events', 'ignore'),
  ];
}

function metricsStatements(): string[] {
  // Within one object the fuller tally of a part wins: figures only grow within a part.
  return [
    dedupe('metrics', 'product_id IS NULL', 'events DESC'),
    ...redshift.upsert(TABLES.metrics, 'stage_metrics', 'replace'),
    dedupe('product_metrics', 'product_id IS NOT NULL', 'views + adds + removes + purchases DESC'),
    ...redshift.upsert(TABLES.product_metrics, 'stage_product_metrics', 'replace'),
  ];
}

function failedStatements(k: string): string[] {
  // SUPER values cannot be compared, so duplicates go by ROW_NUMBER, not DISTINCT.
  return [
    `CREATE TEMP TABLE stage_bad_events AS
SELECT 'firehose:' || SHA2(raw_data, 256) AS event_id, 'firehose' AS source,
  CAST(NULL AS VARCHAR(512)) AS anonymous_id,
  TIMESTAMP 'epoch' + arrival_timestamp / 1000.0 * INTERVAL '1 second' AS received_at,
  ARRAY(COALESCE(error_code, 'unknown') || ': ' || COALESCE(error_message, '')) AS reasons,
  CAST(NULL AS SUPER) AS payload, FALSE AS payload_truncated,
  attempts_made, error_code, error_message, raw_data, lambda_arn, ${k} AS object_key
FROM (
  SELECT *, ROW_NUMBER() OVER (PARTITION BY raw_data ORDER BY arrival_timestamp) AS copy_number
  FROM stage_rows WHERE raw_data IS NOT NULL
) ranked WHERE copy_number = 1`,
    ...redshift.upsert(TABLES.bad_events, 'stage_bad_events', 'ignore'),
  ];
}
