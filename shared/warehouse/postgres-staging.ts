import type { Cell, StagedRow } from './cells.ts';
import { ident, postgres } from './dialect.ts';
import type { LoadTransaction } from './load-object.ts';
import type { SqlResult, SqlValue } from './sql-executor.ts';
import { loadedColumns, type TableSpec } from './tables.ts';

/**
 * The load transaction for PostgreSQL and PGlite, over the two things they do differently:
 * running a query, and feeding COPY ... FROM STDIN (pg-copy-streams) or '/dev/blob' (PGlite).
 *
 * Staging is COPY of typed columns in COPY's text format into an unconstrained temp table.
 * Measured against COPY of one jsonb column per line followed by INSERT ... SELECT of
 * (doc->>'col')::type casts, typed columns were faster on both engines (see README.md).
 */
export interface PgConnection {
  query(sql: string, params?: readonly SqlValue[]): Promise<SqlResult>;
  /**
   * COPY `table` (`columns`) from `chunks` of COPY text-format data. Names are allow-listed.
   * Absent where the server cannot take COPY FROM STDIN (PGlite behind its socket server):
   * rows then go in as one JSON parameter per chunk, through json_populate_recordset.
   */
  copyIn?(table: string, columns: readonly string[], chunks: Iterable<string>): Promise<void>;
}

export const stagingName = (table: TableSpec) => `stage_${ident(table.name)}`;

/** Postgres-family ops for `loads`, shared by the staging transaction and the fast path. */
export async function isLoaded(connection: PgConnection, key: string): Promise<boolean> {
  const found = await connection.query('SELECT 1 FROM loads WHERE object_key = $1', [key]);
  return found.rows.length > 0;
}

export function pgLoadTransaction(connection: PgConnection): LoadTransaction {
  return {
    async claim(key, kind) {
      // A concurrent claim of the same key waits here on the unique index until the other
      // transaction ends: DO NOTHING once it committed, our row once it rolled back.
      const claimed = await connection.query(
        'INSERT INTO loads (object_key, kind, rows) VALUES ($1, $2, 0) ON CONFLICT (object_key) DO NOTHING',
        [key, kind],
      );
      return claimed.rowCount === 1;
    },
    async stage(table, rows) {
      const columns = loadedColumns(table);
      const staging = stagingName(table);
      const definitions = columns.map((c) => `${ident(c.name)} ${postgres.columnType(c.type)}`);
      await connection.query(
        `CREATE TEMP TABLE ${staging} (${definitions.join(', ')}) ON COMMIT DROP`,
      );
      const names = columns.map((c) => c.name);
      if (connection.copyIn) {
        await connection.copyIn(staging, names.map(ident), copyTextChunks(names, rows));
      } else {
        await insertAsJson(connection, staging, names, rows);
      }
    },
    async upsert(table, onMatch) {
      let written = 0;
      for (const sql of postgres.upsert(table, stagingName(table), onMatch)) {
        written = (await connection.query(sql)).rowCount;
      }
      return written;
    },
    async complete(key, lines) {
      await connection.query(
        `UPDATE loads SET rows = $2, loaded_at = now() WHERE object_key = $1`,
        [key, lines],
      );
    },
  };
}

const CHUNK_CHARS = 1 << 20;
const JSON_CHUNK_ROWS = 2_000;

/** Staging without COPY: each chunk of rows is one JSON array, typed by the staging table. */
async function insertAsJson(
  connection: PgConnection,
  staging: string,
  names: readonly string[],
  rows: readonly StagedRow[],
): Promise<void> {
  const list = names.map(ident).join(', ');
  for (let start = 0; start < rows.length; start += JSON_CHUNK_ROWS) {
    const chunk = rows.slice(start, start + JSON_CHUNK_ROWS).map((row) => {
      const out: Record<string, unknown> = {};
      for (const name of names) out[name] = jsonCell(row[name] ?? null);
      return out;
    });
    await connection.query(
      `INSERT INTO ${staging} (${list}) SELECT ${list} FROM json_populate_recordset(NULL::${staging}, $1::json)`,
      [JSON.stringify(chunk)],
    );
  }
}

function jsonCell(cell: Cell): unknown {
  return cell !== null && typeof cell === 'object' ? cell.json : cell;
}

/** COPY text format, in chunks of about 1 MB so a large object never becomes one string. */
export function* copyTextChunks(
  columns: readonly string[],
  rows: readonly StagedRow[],
): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    let line = '';
    for (let i = 0; i < columns.length; i += 1) {
      const name = columns[i] as string;
      line += (i === 0 ? '' : '\t') + copyField(row[name] ?? null);
    }
    chunk += `${line}\n`;
    if (chunk.length >= CHUNK_CHARS) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

const NEEDS_ESCAPE = /[\\\n\r\t]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** One field of COPY's text format: \N is NULL; backslash, tab and line breaks escaped. */
export function copyField(cell: Cell): string {
  if (cell === null) return '\\N';
  let text: string;
  if (typeof cell === 'object') text = JSON.stringify(cell.json);
  else if (typeof cell === 'boolean') text = cell ? 't' : 'f';
  else text = String(cell);
  return NEEDS_ESCAPE.test(text) ? text.replace(/[\\\n\r\t]/g, (c) => ESCAPES[c] ?? c) : text;
}
