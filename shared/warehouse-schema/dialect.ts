import type { Column, LogicalType, TableSpec } from './tables.ts';
import { loadedColumns } from './tables.ts';

/**
 * The one place where PostgreSQL (and PGlite) and Redshift differ. Everything else (the
 * migrations, views, loader) writes SQL both accept and asks this module for the rest:
 * column types (SUPER vs jsonb), table layout (DISTKEY/SORTKEY), surrogate keys (IDENTITY vs
 * bigserial), the clock, unnesting a JSON object, and how a staged batch is upserted.
 */
export type DialectName = 'postgres' | 'redshift';

/**
 * What happens when a staged row's key is in the target already: `ignore` keeps the row
 * there (events: the first copy wins, later ones are replays); `replace` overwrites it
 * (metrics: a re-emitted part carries the newer figures); `keep` keeps whichever of the two
 * is the latest (or earliest) by (time, id), so the outcome is the same in any load order.
 */
export type OnMatch =
  'ignore' | 'replace' | { keep: 'latest' | 'earliest'; time: string; id: string };

export interface Dialect {
  readonly name: DialectName;
  columnType(type: LogicalType): string;
  /** Current time as a column default and in statements. */
  readonly now: string;
  createTable(table: TableSpec, options?: { ifNotExists?: boolean }): string;
  /**
   * Rows of a JSON object column {currency: "decimal"}, joined to `alias`: the FROM-clause
   * fragment and the expressions of the key and the (DECIMAL) value.
   */
  eachMoney(alias: string, column: string): { join: string; key: string; amount: string };
  /** As eachMoney, for a JSON object column of counts {key: n}: the key and the (BIGINT) count. */
  eachCount(alias: string, column: string): { join: string; key: string; count: string };
  /** Statements that move a staging table, at most one row per key, into its target. */
  upsert(target: TableSpec, staging: string, onMatch: OnMatch): string[];
  /** A temporary table made from a query, gone by the end of the load. */
  createTempTableAs(name: string, query: string): string;
}

/** SQL true when `a`'s (time, id) wins over `b`'s under `keep`. */
function wins(onMatch: Exclude<OnMatch, 'ignore' | 'replace'>, a: string, b: string): string {
  const op = onMatch.keep === 'latest' ? '>' : '<';
  const t = ident(onMatch.time);
  const i = ident(onMatch.id);
  return `(${a}.${t} ${op} ${b}.${t} OR (${a}.${t} = ${b}.${t} AND ${a}.${i} ${op} ${b}.${i}))`;
}

const IDENT = /^[a-z_][a-z0-9_]*$/;

/** Identifiers come from tables.ts; this guards against a future typo becoming SQL. */
export function ident(name: string): string {
  if (!IDENT.test(name)) throw new Error(`not an allowed SQL identifier: ${JSON.stringify(name)}`);
  return name;
}

const names = (columns: readonly { name: string }[]) => columns.map((c) => ident(c.name));

function columnDefinition(dialect: Dialect, column: Column): string {
  if (column.identity) {
    return dialect.name === 'redshift'
      ? `${ident(column.name)} BIGINT IDENTITY(1,1)`
      : `${ident(column.name)} bigserial`;
  }
  const parts = [ident(column.name), dialect.columnType(column.type)];
  if (column.notNull) parts.push('NOT NULL');
  if (column.defaultNow) parts.push(`DEFAULT ${dialect.now}`);
  return parts.join(' ');
}

function tableBody(dialect: Dialect, table: TableSpec): string {
  const lines = table.columns.map((column) => `  ${columnDefinition(dialect, column)}`);
  lines.push(`  PRIMARY KEY (${table.key.map(ident).join(', ')})`);
  return lines.join(',\n');
}

const keyMatch = (table: TableSpec, left: string, right: string) =>
  table.key.map((k) => `${left}.${ident(k)} = ${right}.${ident(k)}`).join(' AND ');

export const postgres: Dialect = {
  name: 'postgres',
  now: 'now()',
  columnType(type) {
    const types: Record<LogicalType, string> = {
      key: 'text',
      text: 'text',
      longText: 'text',
      timestamp: 'timestamptz',
      money: 'numeric(38,6)',
      count: 'bigint',
      int: 'integer',
      bool: 'boolean',
      json: 'jsonb',
    };
    return types[type];
  },
  createTable(table, options = {}) {
    const exists = options.ifNotExists ? 'IF NOT EXISTS ' : '';
    return `CREATE TABLE ${exists}${ident(table.name)} (\n${tableBody(this, table)}\n)`;
  },
  eachMoney(alias, column) {
    return {
      join: `CROSS JOIN LATERAL jsonb_each_text(${ident(alias)}.${ident(column)}) AS money(currency, amount)`,
      key: 'money.currency',
      amount: 'money.amount::numeric(38,6)',
    };
  },
  eachCount(alias, column) {
    return {
      join: `CROSS JOIN LATERAL jsonb_each_text(${ident(alias)}.${ident(column)}) AS counted(name, n)`,
      key: 'counted.name',
      count: 'counted.n::bigint',
    };
  },
  upsert(target, staging, onMatch) {
    // INSERT ... ON CONFLICT rather than MERGE here: two loads of overlapping objects that
    // run at once both insert the same key, and Postgres' MERGE then fails with a unique
    // violation, whereas ON CONFLICT waits for the other transaction and takes its row.
    const columns = names(loadedColumns(target));
    const list = columns.join(', ');
    const conflict = `ON CONFLICT (${target.key.map(ident).join(', ')})`;
    const update = `DO UPDATE SET ${[...columns.filter((c) => !target.key.includes(c)).map((c) => `${c} = EXCLUDED.${c}`), `loaded_at = ${this.now}`].join(', ')}`;
    const action =
      onMatch === 'ignore'
        ? 'DO NOTHING'
        : onMatch === 'replace'
          ? update
          : `${update} WHERE ${wins(onMatch, 'EXCLUDED', ident(target.name))}`;
    return [
      `INSERT INTO ${ident(target.name)} (${list})\nSELECT ${list} FROM ${ident(staging)}\n${conflict} ${action}`,
    ];
  },
  createTempTableAs(name, query) {
    return `CREATE TEMP TABLE ${ident(name)} ON COMMIT DROP AS\n${query}`;
  },
};

export const redshift: Dialect = {
  name: 'redshift',
  now: 'GETDATE()',
  columnType(type) {
    const types: Record<LogicalType, string> = {
      key: 'VARCHAR(512)',
      text: 'VARCHAR(1024)',
      longText: 'VARCHAR(65535)',
      timestamp: 'TIMESTAMPTZ',
      money: 'DECIMAL(38,6)',
      count: 'BIGINT',
      int: 'INTEGER',
      bool: 'BOOLEAN',
      json: 'SUPER',
    };
    return types[type];
  },
  createTable(table, options = {}) {
    const exists = options.ifNotExists ? 'IF NOT EXISTS ' : '';
    const distribution =
      'key' in table.distribution
        ? `DISTSTYLE KEY DISTKEY(${ident(table.distribution.key)})`
        : `DISTSTYLE ${table.distribution.style}`;
    const sortKey = `SORTKEY(${table.sortKey.map(ident).join(', ')})`;
    return `CREATE TABLE ${exists}${ident(table.name)} (\n${tableBody(this, table)}\n)\n${distribution}\n${sortKey}`;
  },
  eachMoney(alias, column) {
    // PartiQL: UNPIVOT iterates a SUPER object's attributes; values are SUPER strings.
    return {
      join: `, UNPIVOT ${ident(alias)}.${ident(column)} AS amount AT currency`,
      key: 'currency',
      amount: 'amount::VARCHAR::DECIMAL(38,6)',
    };
  },
  eachCount(alias, column) {
    return {
      join: `, UNPIVOT ${ident(alias)}.${ident(column)} AS n AT name`,
      key: 'name',
      count: 'n::BIGINT',
    };
  },
  upsert(target, staging, onMatch) {
    // Redshift enforces no keys; the loader LOCKs the targets, so nothing races these.
    const columns = names(loadedColumns(target));
    const list = columns.join(', ');
    const table = ident(target.name);
    const source = ident(staging);
    if (onMatch === 'ignore') {
      // Redshift's MERGE needs a WHEN MATCHED action, and any UPDATE rewrites the row
      // (delete + insert in Redshift): dropping the known keys from staging is cheaper.
      return [
        `DELETE FROM ${source} USING ${table} WHERE ${keyMatch(target, source, table)}`,
        `INSERT INTO ${table} (${list})\nSELECT ${list} FROM ${source}`,
      ];
    }
    // keep: the staged rows that lose to the row already there go first; the rest replace.
    const losers =
      onMatch === 'replace'
        ? []
        : [
            `DELETE FROM ${source} USING ${table} WHERE ${keyMatch(target, source, table)} AND NOT ${wins(onMatch, source, table)}`,
          ];
    const updates = columns
      .filter((c) => !target.key.includes(c))
      .map((c) => `${c} = s.${c}`)
      .concat(`loaded_at = ${this.now}`);
    return [
      ...losers,
      `MERGE INTO ${table} USING ${source} s ON ${keyMatch(target, table, 's')}\n` +
        `WHEN MATCHED THEN UPDATE SET ${updates.join(', ')}\n` +
        `WHEN NOT MATCHED THEN INSERT (${list}) VALUES (${columns.map((c) => `s.${c}`).join(', ')})`,
    ];
  },
  createTempTableAs(name, query) {
    // A Data API batch is its own session: its temp tables end with it.
    return `CREATE TEMP TABLE ${ident(name)} AS\n${query}`;
  },
};

export const DIALECTS: Record<DialectName, Dialect> = { postgres, redshift };
