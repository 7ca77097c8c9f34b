import { createHash } from 'node:crypto';
import { toCopyLine, toStagedRow, type StagedRow } from './staged-cells.ts';
import { BAD_EVENT_COLUMNS } from '../transform/event-rows.ts';
import { EVENT_TABLE_COLUMNS, TABLES, loadedColumns } from '../warehouse-schema/tables.ts';

/**
 * One S3 object, parsed into the rows of each target table. Pure: the Postgres-family
 * adapters stage these rows; Redshift COPYs the object itself (see redshift-load.ts) and
 * applies the same rules in SQL where it can.
 *
 * Nothing is lost: a line that is not JSON, not an object of a known kind, or holds a value
 * its column cannot take becomes a bad_events row (source "load") whose id is a hash of the
 * line, so that reloading or replaying the object stores it once.
 */
export type ObjectKind = 'events' | 'metrics' | 'processing-failed';

export const OBJECT_KINDS: readonly ObjectKind[] = ['events', 'metrics', 'processing-failed'];

export interface ParsedObject {
  lines: number;
  events: StagedRow[];
  badEvents: StagedRow[];
  metrics: StagedRow[];
  productMetrics: StagedRow[];
}

/** Payloads kept in bad_events are cut here, as the transform does (32 KB). */
export const MAX_BAD_PAYLOAD_CHARS = 32 * 1024;

const BAD_COLUMNS = loadedColumns(TABLES.bad_events);
const METRICS_COLUMNS = loadedColumns(TABLES.metrics);
const PRODUCT_COLUMNS = loadedColumns(TABLES.product_metrics);
/** BAD_EVENT_COLUMNS of the transform's rows, and where the row was found. */
const TRANSFORM_BAD_COLUMNS = BAD_COLUMNS.filter((column) =>
  [...BAD_EVENT_COLUMNS, 'object_key'].includes(column.name),
);

export function parseObject(kind: ObjectKind, key: string, body: string): ParsedObject {
  const parsed: ParsedObject = {
    lines: 0,
    events: [],
    badEvents: [],
    metrics: [],
    productMetrics: [],
  };
  const seen = new Map<string, StagedRow>();
  const keep = (target: Target, id: string, row: StagedRow, lastWins: boolean) => {
    const earlier = seen.get(`${target}:${id}`);
    // Within one object: the first copy of an event wins (later ones are replays), the last
    // emission of a metrics part wins (it was emitted later, with the fuller tally).
    if (earlier === undefined) {
      parsed[target].push(row);
      seen.set(`${target}:${id}`, row);
    } else if (lastWins) Object.assign(earlier, row);
  };
  const bad = (line: string, reasons: string[], payload?: unknown) => {
    const row = loadFailure(key, line, reasons, payload);
    keep('badEvents', String(row.event_id), row, false);
  };

  for (const line of body.split('\n')) {
    if (line.trim() === '') continue;
    parsed.lines += 1;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      bad(line, ['line is not JSON']);
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      bad(line, ['line is not a JSON object'], value);
      continue;
    }
    const record = value as Record<string, unknown>;
    const result = classify(kind, key, record, line.includes('\\u0000'));
    if ('reasons' in result) bad(line, result.reasons, record);
    else keep(result.target, result.id, result.row, result.lastWins);
  }
  return parsed;
}

/**
 * An events object for a Postgres-family load: the events table's rows as COPY text (the
 * columns of loadedColumns(TABLES.events), which are EVENT_TABLE_COLUMNS) made in the pass
 * that parses the object, so no row object is built and none outlives its line, and the pass
 * can run while the database takes the chunks already made. The same rows and bad rows as
 * parseObject('events', ...) followed by copyTextChunks; `summary` is complete once `chunks`
 * has been read to its end.
 */
export interface EventsCopyText {
  chunks: Generator<string>;
  readonly summary: { lines: number; events: number; badEvents: StagedRow[] };
}

/** Chunks of about 1 MB, as copyTextChunks makes them. */
const COPY_CHUNK_CHARS = 1 << 20;

export function eventsCopyText(key: string, body: string): EventsCopyText {
  const summary = { lines: 0, events: 0, badEvents: [] as StagedRow[] };
  const eventIds = new Set<string>();
  const badIds = new Set<string>();
  // The first copy of an event (or bad row) wins, as in parseObject.
  const bad = (row: StagedRow) => {
    const id = String(row.event_id);
    if (badIds.has(id)) return;
    badIds.add(id);
    summary.badEvents.push(row);
  };
  function* chunks(): Generator<string> {
    let chunk: string[] = [];
    let chunkChars = 0;
    let start = 0;
    while (start < body.length) {
      let end = body.indexOf('\n', start);
      if (end === -1) end = body.length;
      const line = body.slice(start, end);
      start = end + 1;
      if (line.trim() === '') continue;
      summary.lines += 1;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        bad(loadFailure(key, line, ['line is not JSON']));
        continue;
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        bad(loadFailure(key, line, ['line is not a JSON object'], value));
        continue;
      }
      const record = value as Record<string, unknown>;
      const nulPossible = line.includes('\\u0000');
      if (record.row_kind !== 'event') {
        const result = classify('events', key, record, nulPossible);
        bad('reasons' in result ? loadFailure(key, line, result.reasons, record) : result.row);
        continue;
      }
      const copy = toCopyLine(TABLES.events, EVENT_TABLE_COLUMNS, record, nulPossible);
      if ('reasons' in copy) {
        bad(loadFailure(key, line, copy.reasons, record));
        continue;
      }
      // event_id is a required text column: a string once the line passed.
      const id = record.event_id as string;
      if (eventIds.has(id)) continue;
      eventIds.add(id);
      summary.events += 1;
      chunk.push(copy.line, '\n');
      chunkChars += copy.line.length + 1;
      if (chunkChars >= COPY_CHUNK_CHARS) {
        yield chunk.join('');
        chunk = [];
        chunkChars = 0;
      }
    }
    if (chunkChars > 0) yield chunk.join('');
  }
  return { chunks: chunks(), summary };
}

type Target = 'events' | 'badEvents' | 'metrics' | 'productMetrics';

type Classified =
  | {
      target: Target;
      id: string;
      row: StagedRow;
      lastWins: boolean;
    }
  | { reasons: string[] };

function classify(
  kind: ObjectKind,
  key: string,
  record: Record<string, unknown>,
  nulPossible: boolean,
): Classified {
  if (kind === 'processing-failed') return processingFailed(key, record);
  if (kind === 'metrics') {
    const product = Object.hasOwn(record, 'productId');
    const table = product ? TABLES.product_metrics : TABLES.metrics;
    const columns = product ? PRODUCT_COLUMNS : METRICS_COLUMNS;
    const result = toStagedRow(table, columns, record, camel, nulPossible);
    if ('reasons' in result) return result;
    const id = table.key.map((column) => String(result.row[column])).join('\u0000');
    return { target: product ? 'productMetrics' : 'metrics', id, row: result.row, lastWins: true };
  }
  if (record.row_kind === 'event') {
    const result = toStagedRow(TABLES.events, EVENT_TABLE_COLUMNS, record, undefined, nulPossible);
    if ('reasons' in result) return result;
    return { target: 'events', id: String(result.row.event_id), row: result.row, lastWins: false };
  }
  if (record.row_kind === 'bad_event') {
    const result = toStagedRow(TABLES.bad_events, TRANSFORM_BAD_COLUMNS, {
      ...record,
      object_key: key,
    });
    if ('reasons' in result) return result;
    const row = withNulls(result.row);
    return { target: 'badEvents', id: String(row.event_id), row, lastWins: false };
  }
  return { reasons: [`row_kind: expected "event" or "bad_event"`] };
}

/**
 * A record of Firehose's processing-failed output: the original record (base64) that the
 * transform could not turn into rows. Its id is a hash of that record: a redelivered
 * failure is the same record, stored once.
 */
function processingFailed(key: string, record: Record<string, unknown>): Classified {
  const rawData = record.rawData;
  if (typeof rawData !== 'string') return { reasons: ['rawData: not a string'] };
  const bytes = Buffer.from(rawData, 'base64');
  const arrival = record.arrivalTimestamp;
  const fields = {
    // Hash of the base64 text, not of the bytes: Redshift computes the same id in SQL.
    event_id: `firehose:${sha256(Buffer.from(rawData))}`,
    source: 'firehose',
    received_at: typeof arrival === 'number' ? isoOrNull(arrival) : null,
    reasons: [`${String(record.errorCode ?? 'unknown')}: ${String(record.errorMessage ?? '')}`],
    payload: jsonOrNull(bytes.toString('utf8')),
    payload_truncated: false,
    attempts_made: record.attemptsMade ?? null,
    error_code: record.errorCode ?? null,
    error_message: record.errorMessage ?? null,
    raw_data: rawData,
    lambda_arn: record.lambdaArn ?? null,
    object_key: key,
  };
  const result = toStagedRow(TABLES.bad_events, BAD_COLUMNS, fields);
  if ('reasons' in result) return result;
  return { target: 'badEvents', id: fields.event_id, row: result.row, lastWins: false };
}

/** The bad_events row for a line that could not be loaded as what it claims to be. */
function loadFailure(key: string, line: string, reasons: string[], payload?: unknown): StagedRow {
  const truncated = line.length > MAX_BAD_PAYLOAD_CHARS;
  const kept = payload !== undefined && !truncated ? payload : line.slice(0, MAX_BAD_PAYLOAD_CHARS);
  const anonymousId =
    typeof payload === 'object' && payload !== null && 'anonymous_id' in payload
      ? payload.anonymous_id
      : null;
  return withNulls({
    event_id: `load:${sha256(Buffer.from(line))}`,
    source: 'load',
    anonymous_id: typeof anonymousId === 'string' ? anonymousId : null,
    reasons: { json: reasons },
    // Stored as JSON when the line was JSON; else as a JSON string of the raw text.
    payload: { json: kept },
    payload_truncated: truncated,
    object_key: key,
  });
}

function withNulls(row: StagedRow): StagedRow {
  const full: StagedRow = {};
  for (const column of BAD_COLUMNS) full[column.name] = row[column.name] ?? null;
  return full;
}

const camel = (column: string) => column.replace(/_([a-z])/g, (_all, c: string) => c.toUpperCase());

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function isoOrNull(ms: number): string | null {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function jsonOrNull(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
