/**
 * The per-stage throughput figures beside the profile: inside the stack, read from the
 * warehouse's `loads` audit (each object's rows and load time) and the API's accept rate;
 * alone, the latest figures of each stage's own bench (docs/benchmarks.md), for reference.
 */
import type pg from 'pg';
import type { StackFigures } from './profile-session.ts';
import { fmtFixed, fmtInt, fmtMs } from '../table.ts';

/** The stage benches' latest figures (`npm run bench -- <name>`, docs/benchmarks.md). */
const ALONE: StackFigures['alone'] = {
  'HTTP API + ingest': '52,938 (ingest, 2026-12-07)',
  'Kinesis emulator': '8,242 PutRecords (throughput floor)',
  'ESM + aggregate': '80,706 (aggregate, 2026-12-01)',
  'Firehose + transform': '46,218 (transform, 2026-12-01)',
  'async invoke + load': '5,796 (load PGlite, 2026-12-01)',
};

export async function stageFigures(
  db: pg.Pool,
  sinceMs: number,
  events: number,
  apiRate: number,
): Promise<StackFigures & { notes: string[] }> {
  const { rows } = await db.query<{ n: string; rows: string; first: string; last: string }>(
    `SELECT count(*) AS n, coalesce(sum(rows), 0) AS rows,
            (extract(epoch FROM min(loaded_at)) * 1000)::bigint AS first,
            (extract(epoch FROM max(loaded_at)) * 1000)::bigint AS last
       FROM loads WHERE kind = 'events' AND loaded_at >= to_timestamp($1::double precision / 1000)`,
    [sinceMs],
  );
  const r = rows[0];
  const objects = Number(r?.n ?? 0);
  const lines = Number(r?.rows ?? 0);
  const spanMs = Number(r?.last ?? 0) - Number(r?.first ?? 0);
  const loadRate = spanMs > 0 ? lines / (spanMs / 1000) : Number.NaN;
  return {
    events,
    alone: ALONE,
    inside: {
      'HTTP API + ingest': apiRate,
      ...(Number.isFinite(loadRate) && { 'async invoke + load': loadRate }),
    },
    notes: [
      `burst loads: ${fmtInt(objects)} events objects, ${fmtInt(lines)} lines, ${fmtFixed(lines / Math.max(objects, 1), 0)} lines per object; first to last load ${fmtMs(spanMs)}`,
    ],
  };
}
