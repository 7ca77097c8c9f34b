import { copyField, type Cell, type StagedRow } from './staged-cells.ts';
import { ident, postgres } from '../warehouse-schema/dialect.ts';
import { identityStatements } from '../warehouse-schema/identity.ts';
import type { LoadTransaction } from './load-object.ts';
import type { SqlResult, SqlValue } from '../adapters/postgres/sql-executor.ts';
import { TABLES, loadedColumns, type TableSpec } from '../warehouse-schema/tables.ts';

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
  const copyIn = connection.copyIn?.bind(connection);
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
      const names = await createStaging(connection, table);
      const staging = stagingName(table);
      if (connection.copyIn) {
        await connection.copyIn(staging, names.map(ident), copyTextChunks(names, rows));
      } else {
        await insertAsJson(connection, staging, names, rows);
      }
    },
    ...(copyIn !== undefined && {
      async stageCopyText(table: TableSpec, chunks: Iterable<string>) {
        const names = await createStaging(connection, table);
        await copyIn(stagingName(table), names.map(ident), chunks);
      },
    }),
    async upsert(table, onMatch) {
      let written = 0;
      for (const sql of postgres.upsert(table, stagingName(table), onMatch)) {
        written = (await connection.query(sql)).rowCount;
      }
      return written;
    },
    async resolveIdentities() {
      for (const sql of identityStatements(postgres, stagingName(TABLES.events))) {
        await connection.query(sql);
      }
    },
    async complete(key, lines) {
      await connection.query(
        `UPDATE loads SET rows = $2, loaded_at = now() WHERE object_key = $1`,
        [key, lines],
      );
    },
  };
}

/** The staging table of `table`, dropped at commit; answers its columns' names. */
async function createStaging(connection: PgConnection, table: TableSpec): Promise<string[]> {
  const columns = loadedColumns(table);
  const definitions = columns.map((c) => `${ident(c.name)} ${postgres.columnType(c.type)}`);
  await connection.query(
    `CREATE TEMP TABLE ${stagingName(table)} (${definitions.join(', ')}) ON COMMIT DROP`,
  );
  return columns.map((c) => c.name);
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

export { copyField };
