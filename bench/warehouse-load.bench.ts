/**
 * The warehouse load (loadObject: parse and validate, stage by COPY, upsert, `loads` audit,
 * in one transaction) of a 100,000-event object, against a raw COPY of the same rows into an
 * unindexed table of typed columns, on PGlite in process ('/dev/blob') and on the machine's
 * PostgreSQL (COPY FROM STDIN), each in a schema of its own that is dropped afterwards.
 */
import { performance } from 'node:perf_hooks';
import type { FirehoseTransformationEvent } from '#shared/transform/firehose-transformation';
import { transformRecords } from '#shared/transform/transform-records';
import { ident } from '#shared/warehouse-schema/dialect';
import { loadObject } from '#shared/load/load-object';
import { eventsCopyText, parseObject } from '#shared/load/parse-object';
import { copyTextChunks } from '#shared/load/postgres-staging';
import type { SqlExecutor } from '#shared/adapters/postgres/sql-executor';
import {
  EVENT_LOAD_COLUMNS,
  RAW_TABLE,
  startPglite,
  startPostgres,
  type Engine,
} from './bench-warehouses.ts';
import { arrivalMs, base64Record, normalisedEvents, sequenceNumber } from './stream-records.ts';
import {
  fmtFixed,
  fmtInt,
  fmtMiB,
  fmtMs,
  fmtRate,
  fmtRatio,
  printNotes,
  printTable,
} from './table.ts';

const ROWS = 100_000;
const DISTINCT_EVENTS = 10_000;
const TRANSFORM_BATCH = 500;
const TARGET_RATIO = 0.5;
const NOW = new Date('2026-11-25T10:00:00.000Z');
const COLUMNS = EVENT_LOAD_COLUMNS;

/**
 * The events object Firehose would write: DISTINCT_EVENTS events through transformRecords
 * in invocations of TRANSFORM_BATCH records, the Ok records' data decoded; then each line
 * repeated under new event_ids up to ROWS rows (making 100,000 events and transforming
 * them all takes longer than the loads themselves).
 */
export function eventsObject(): string {
  const events = normalisedEvents(31, DISTINCT_EVENTS);
  const lines: string[] = [];
  for (let start = 0; start < events.length; start += TRANSFORM_BATCH) {
    const event: FirehoseTransformationEvent = {
      invocationId: `bench-${start}`,
      deliveryStreamArn:
        'arn:aws:firehose:us-east-1:000000000000:deliverystream/clickstream-events',
      region: 'us-east-1',
      records: events.slice(start, start + TRANSFORM_BATCH).map((e, i) => ({
        recordId: sequenceNumber(start + i),
        approximateArrivalTimestamp: arrivalMs(e),
        data: base64Record(e),
      })),
    };
    for (const record of transformRecords(event, { now: NOW }).response.records) {
      if (record.result !== 'Ok') throw new Error(`record ${record.recordId}: ${record.result}`);
      lines.push(Buffer.from(record.data, 'base64').toString('utf8'));
    }
  }
  const out: string[] = [];
  for (let copy = 0; out.length < ROWS; copy++) {
    for (const line of lines) {
      if (out.length === ROWS) break;
      const { event_id: id } = JSON.parse(line) as { event_id: string };
      const field = `"event_id":${JSON.stringify(id)}`;
      if (copy > 0 && !line.includes(field)) throw new Error(`no ${field} in ${line}`);
      out.push(
        copy === 0 ? line : line.replace(field, `"event_id":${JSON.stringify(`${id}-${copy}`)}`),
      );
    }
  }
  return out.join('');
}

/**
 * The rows as COPY text, made once (by parseObject and copyTextChunks), and how long the
 * pass loadObject makes over the object alone takes (eventsCopyText: parse, check, COPY text).
 */
function copyText(body: string): { chunks: string[]; parseMs: number } {
  const parsed = parseObject('events', 'events/bench.ndjson', body);
  if (parsed.events.length !== ROWS || parsed.badEvents.length !== 0)
    throw new Error(`parsed ${parsed.events.length} events and ${parsed.badEvents.length} bad`);
  const chunks = [
    ...copyTextChunks(
      COLUMNS.map((c) => c.name),
      parsed.events,
    ),
  ];
  const start = performance.now();
  const streamed = eventsCopyText('events/bench.ndjson', body);
  let chars = 0;
  for (const chunk of streamed.chunks) chars += chunk.length;
  const parseMs = performance.now() - start;
  if (chars !== chunks.reduce((sum, c) => sum + c.length, 0))
    throw new Error('eventsCopyText made other COPY text than parseObject + copyTextChunks');
  return { chunks, parseMs };
}

async function timed(work: () => Promise<void>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

async function count(warehouse: SqlExecutor, table: string): Promise<number> {
  const result = await warehouse.query(`SELECT count(*) AS n FROM ${ident(table)}`);
  return Number(result.rows[0]?.n);
}

interface Measured {
  rawMs: number[];
  loadMs: number[];
}

async function measure(engine: Engine, body: string, chunks: readonly string[]): Promise<Measured> {
  const out: Measured = { rawMs: [], loadMs: [] };
  const { warehouse } = engine;
  for (let round = 0; round < engine.rounds; round++) {
    await warehouse.query(`TRUNCATE ${RAW_TABLE}`);
    out.rawMs.push(await timed(() => engine.rawCopy(chunks)));
    if ((await count(warehouse, RAW_TABLE)) !== ROWS) throw new Error('raw COPY lost rows');

    await warehouse.query('TRUNCATE events, bad_events, loads');
    const key = `events/2026/11/25/10/clickstream-events-bench-${round}.ndjson`;
    let loaded = 0;
    out.loadMs.push(
      await timed(async () => {
        const result = await loadObject(warehouse, { key, kind: 'events', body: async () => body });
        loaded = result.status === 'loaded' ? result.counts.events : 0;
      }),
    );
    if (loaded !== ROWS || (await count(warehouse, 'events')) !== ROWS)
      throw new Error(`loadObject wrote ${loaded} events, expected ${ROWS}`);
  }
  return out;
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0);
const rate = (ms: readonly number[]) => (ROWS * ms.length * 1000) / sum(ms);
const range = (ms: readonly number[]) =>
  ms.length < 2
    ? '(one round)'
    : `${fmtRate((ROWS * 1000) / Math.max(...ms))}–${fmtRate((ROWS * 1000) / Math.min(...ms))}`;

export async function run(): Promise<void> {
  const start = performance.now();
  const body = eventsObject();
  const prepMs = performance.now() - start;
  const { chunks, parseMs } = copyText(body);
  const copyBytes = sum(chunks.map((c) => Buffer.byteLength(c, 'utf8')));

  const rows: string[][] = [];
  const notes: string[] = [];
  for (const startEngine of [startPglite, startPostgres]) {
    let engine: Engine;
    try {
      engine = await startEngine();
    } catch (error: unknown) {
      notes.push(`skipped an engine: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    try {
      const { rawMs, loadMs } = await measure(engine, body, chunks);
      const loadRate = rate(loadMs);
      const rawRate = rate(rawMs);
      rows.push(
        [
          engine.label,
          'loadObject (parse, stage, upsert, audit)',
          fmtRate(loadRate),
          range(loadMs),
          fmtMs(sum(loadMs) / loadMs.length),
          fmtRatio(loadRate, rawRate),
        ],
        [
          '',
          'raw COPY, unindexed (baseline)',
          fmtRate(rawRate),
          range(rawMs),
          fmtMs(sum(rawMs) / rawMs.length),
          '1.00×',
        ],
      );
      const ratio = loadRate / rawRate;
      notes.push(
        `${engine.label}: load/raw COPY = ${fmtFixed(ratio, 2)} over ${engine.rounds} round(s); target >= ${TARGET_RATIO}: ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'}`,
      );
    } finally {
      await engine.close();
    }
  }

  printTable(
    `Warehouse load of one events object: ${fmtInt(ROWS)} rows, ${fmtMiB(Buffer.byteLength(body, 'utf8'))} of NDJSON (${fmtMiB(copyBytes)} as COPY text), rounds of raw COPY then loadObject, tables truncated before each`,
    [
      { header: 'engine' },
      { header: 'code path', align: 'left' },
      { header: 'rows/s' },
      { header: 'per-round range' },
      { header: 'per load' },
      { header: 'vs raw COPY' },
    ],
    rows,
  );
  printNotes([
    ...notes,
    `raw COPY = the same rows as COPY text, typed columns (${COLUMNS.length}), no key or index: PGlite from '/dev/blob' (Blob built in the timing), PostgreSQL FROM STDIN through pg-copy-streams; the COPY text is made before timing`,
    `loadObject = isLoaded + BEGIN, claim in loads, COPY into a temp staging table of the COPY text made while the object is parsed and checked (TS, as the database reads), INSERT ... ON CONFLICT DO NOTHING into events (primary key), loads row, COMMIT`,
    `of which the TS pass alone (eventsCopyText: parse, check, COPY text; no database): ${fmtRate((ROWS * 1000) / parseMs)} rows/s (${fmtMs(parseMs)}), measured once`,
    `the object: ${fmtInt(DISTINCT_EVENTS)} events through transformRecords in invocations of ${TRANSFORM_BATCH}, Ok data decoded, each line repeated under new event_ids to ${fmtInt(ROWS)} (made in ${fmtMs(prepMs)}, not timed)`,
  ]);
}
