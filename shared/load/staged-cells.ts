import { isPlainUtcMillis } from '../event-contract/event-time.ts';
import type { Column, LogicalType, TableSpec } from '../warehouse-schema/tables.ts';

/**
 * Checks that a value will load into a column of its logical type in every dialect, so a
 * malformed line becomes a bad_events row instead of failing the COPY (and with it the
 * whole object) inside the database.
 */
export type Cell = string | number | boolean | null | { json: unknown };

/** A row ready for a staging table: one cell per loaded column, keyed by column name. */
export type StagedRow = Record<string, Cell>;

// Fits DECIMAL(38,6): at most 32 digits before the point. Extra decimals are rounded by the
// database, as for any numeric cast.
const MONEY = /^-?\d{1,32}(\.\d+)?$/;
const ISO_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/;
const INT32_MAX = 2_147_483_647;

/** A real instant in ISO-8601 with an explicit zone: what both databases parse alike. */
export function isIsoTime(value: string): boolean {
  return isPlainUtcMillis(value) || matchesIsoTime(value);
}

/** isIsoTime by its definition: the pattern, and a date and time of day that exist. */
export function matchesIsoTime(value: string): boolean {
  const match = ISO_TIME.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number);
  if (year === undefined || month === undefined || day === undefined) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    (hour ?? 99) < 24 &&
    (minute ?? 99) < 60 &&
    (second ?? 99) < 60
  );
}

/**
 * Why `value` cannot fill `column`, or undefined when it can. `nulPossible` false skips the
 * NUL checks: JSON text can only yield a NUL through the escape \u0000, so a line without
 * that escape has none, and most lines are spared a JSON.stringify per JSON column.
 */
export function cellProblem(
  column: Column,
  value: unknown,
  nulPossible = true,
): string | undefined {
  if (value === null || value === undefined) {
    return column.notNull ? `${column.name}: required` : undefined;
  }
  const problem = typeProblem(column.type, value, nulPossible);
  return problem === undefined ? undefined : `${column.name}: ${problem}`;
}

function typeProblem(type: LogicalType, value: unknown, nulPossible: boolean): string | undefined {
  switch (type) {
    case 'key':
    case 'text':
    case 'longText':
      if (typeof value !== 'string') return 'not a string';
      // NUL is legal in JSON strings but not in PostgreSQL text.
      return nulPossible && value.includes('\u0000') ? 'contains NUL' : undefined;
    case 'timestamp':
      return typeof value === 'string' && isIsoTime(value) ? undefined : 'not an ISO-8601 time';
    case 'money':
      return typeof value === 'string' && MONEY.test(value) ? undefined : 'not a decimal string';
    case 'count':
      return Number.isSafeInteger(value) && (value as number) >= 0 ? undefined : 'not a count';
    case 'int':
      return Number.isSafeInteger(value) && Math.abs(value as number) <= INT32_MAX
        ? undefined
        : 'not a 32-bit integer';
    case 'bool':
      return typeof value === 'boolean' ? undefined : 'not a boolean';
    case 'json':
      return nulPossible && containsNul(value) ? 'contains NUL' : undefined;
  }
}

function containsNul(value: unknown): boolean {
  // jsonb refuses \u0000 in strings and keys; rare enough that stringifying is fine.
  return JSON.stringify(value).includes('\\u0000');
}

/**
 * The staged row of `table` read from `source` (`keyOf` maps a column to the source's
 * field), or the reasons it cannot be loaded.
 */
export function toStagedRow(
  table: TableSpec,
  columns: readonly Column[],
  source: Record<string, unknown>,
  keyOf: (column: string) => string = (column) => column,
  nulPossible = true,
): { row: StagedRow } | { reasons: string[] } {
  const row: StagedRow = {};
  const reasons: string[] = [];
  for (const column of columns) {
    const field = keyOf(column.name);
    const value = Object.hasOwn(source, field) ? source[field] : null;
    const problem = cellProblem(column, value, nulPossible);
    if (problem !== undefined) reasons.push(`${table.name}.${problem}`);
    else row[column.name] = toCell(column.type, value);
  }
  return reasons.length > 0 ? { reasons } : { row };
}

/**
 * toStagedRow's row as one line of COPY text (no newline), made without the row: the same
 * checks and reasons, and each field as copyField writes the cell toStagedRow would hold.
 */
export function toCopyLine(
  table: TableSpec,
  columns: readonly Column[],
  source: Record<string, unknown>,
  nulPossible = true,
): { line: string } | { reasons: string[] } {
  // Joined rather than concatenated: one flat string, not a rope of 2 x columns pieces
  // that lives until its chunk is sent (a 100,000-line object kept the GC busy).
  const fields: string[] = [];
  let reasons: string[] | undefined;
  for (const column of columns) {
    const value = Object.hasOwn(source, column.name) ? source[column.name] : null;
    const problem = cellProblem(column, value, nulPossible);
    if (problem !== undefined) (reasons ??= []).push(`${table.name}.${problem}`);
    else if (reasons === undefined) fields.push(copyField(toCell(column.type, value)));
  }
  return reasons !== undefined ? { reasons } : { line: fields.join('\t') };
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

function toCell(type: LogicalType, value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (type === 'json') return { json: value };
  return value as Cell;
}
