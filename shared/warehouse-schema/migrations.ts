import type { Dialect } from './dialect.ts';
import type { SqlExecutor } from '../adapters/postgres/sql-executor.ts';
import { EVENT_COLUMNS_SINCE_004 } from '../transform/event-rows.ts';
import { ident } from './dialect.ts';
import { IDENTITY_TABLES, identityStatements } from './identity.ts';
import { TABLES, type TableSpec } from './tables.ts';
import {
  platformViewStatements,
  singleCurrencyRevenueStatements,
  stitchedViewStatements,
  viewStatements,
} from './views.ts';

/** Metrics columns migration 005 added. */
const METRICS_COLUMNS_SINCE_005: ReadonlySet<string> = new Set([
  'events_by_platform',
  'views_by_platform',
  'orders_by_platform',
]);

/** A table as 001 created it: the columns added later come with their own migration. */
const as001 = (table: TableSpec, later: ReadonlySet<string>): TableSpec => ({
  ...table,
  columns: table.columns.filter((c) => !later.has(c.name)),
});
const EVENTS_001 = as001(TABLES.events, EVENT_COLUMNS_SINCE_004);
const METRICS_001 = as001(TABLES.metrics, METRICS_COLUMNS_SINCE_005);

const addColumns = (dialect: Dialect, table: TableSpec, names: ReadonlySet<string>) =>
  table.columns
    .filter((c) => names.has(c.name))
    .map(
      (c) =>
        `ALTER TABLE ${ident(table.name)} ADD COLUMN ${ident(c.name)} ${dialect.columnType(c.type)}`,
    );

/**
 * Versioned schema changes. A migration is never edited once released: a change is a new
 * version. Each one runs in its own transaction together with its schema_migrations row, so
 * a failure leaves the schema at the previous version and the next cold start retries it.
 */
export interface Migration {
  version: number;
  name: string;
  statements(dialect: Dialect): string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: '001_tables',
    statements: (dialect) =>
      [EVENTS_001, TABLES.bad_events, METRICS_001, TABLES.product_metrics, TABLES.loads].map(
        (table) => dialect.createTable(table),
      ),
  },
  { version: 2, name: '002_views', statements: viewStatements },
  {
    version: 3,
    name: '003_single_currency_revenue',
    statements: () => singleCurrencyRevenueStatements(),
  },
  {
    // The Spec's screen, group and alias calls: their columns on events, the identity
    // tables (filled from the identify calls already loaded), stitched sessions, the funnel.
    version: 4,
    name: '004_identity',
    statements: (dialect) => [
      ...addColumns(dialect, TABLES.events, EVENT_COLUMNS_SINCE_004),
      ...IDENTITY_TABLES.map((name) => dialect.createTable(TABLES[name])),
      ...identityStatements(dialect, 'events'),
      ...stitchedViewStatements(),
    ],
  },
  {
    // The real-time figures per platform: events, views (pages and screens), orders.
    version: 5,
    name: '005_platform_metrics',
    statements: (dialect) => [
      ...addColumns(dialect, TABLES.metrics, METRICS_COLUMNS_SINCE_005),
      ...platformViewStatements(dialect),
    ],
  },
];

export class MigrationOrderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationOrderError';
  }
}

export interface MigrateResult {
  applied: string[];
  skipped: string[];
}

/**
 * Applies pending migrations in version order. Safe to call on every cold start, and from
 * several loaders at once: each migration takes a lock on schema_migrations and re-checks
 * its version under that lock, so exactly one caller applies it.
 */
export async function migrate(
  executor: SqlExecutor,
  dialect: Dialect,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrateResult> {
  checkOrder(migrations);
  await createMigrationsTable(executor, dialect);
  const result: MigrateResult = { applied: [], skipped: [] };
  for (const migration of migrations) {
    const applied = await executor.transaction(async (tx) => {
      await tx.query('LOCK TABLE schema_migrations');
      const done = await tx.query('SELECT version FROM schema_migrations WHERE version = $1', [
        migration.version,
      ]);
      if (done.rows.length > 0) return false;
      for (const statement of migration.statements(dialect)) await tx.query(statement);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
      return true;
    });
    (applied ? result.applied : result.skipped).push(migration.name);
  }
  return result;
}

function checkOrder(migrations: readonly Migration[]): void {
  let previous = 0;
  for (const migration of migrations) {
    const prefix = String(migration.version).padStart(3, '0');
    if (migration.version <= previous || !migration.name.startsWith(`${prefix}_`)) {
      throw new MigrationOrderError(
        `migration ${migration.name} (version ${migration.version}) is out of order or misnamed`,
      );
    }
    previous = migration.version;
  }
}

async function createMigrationsTable(executor: SqlExecutor, dialect: Dialect): Promise<void> {
  const ddl = dialect.createTable(TABLES.schema_migrations, { ifNotExists: true });
  try {
    await executor.query(ddl);
  } catch (error: unknown) {
    // Two first-ever cold starts can race on IF NOT EXISTS in Postgres (a unique violation
    // in the catalog); the loser finds the table there on a second try.
    await executor.query(ddl).catch(() => {
      throw error;
    });
  }
}
