import type { Dialect } from './dialect.ts';
import type { SqlExecutor } from '../adapters/postgres/sql-executor.ts';
import { EVENT_COLUMNS_SINCE_004 } from '../transform/event-rows.ts';
import { ident } from './dialect.ts';
import { IDENTITY_TABLES, identityStatements } from './identity.ts';
import { TABLES, type TableSpec } from './tables.ts';
import {
  singleCurrencyRevenueStatements,
  stitchedViewStatements,
  viewStatements,
} from './views.ts';

/** `events` as 001 created it: the columns added later come with their own migration. */
const EVENTS_001: TableSpec = {
  ...TABLES.events,
  columns: TABLES.events.columns.filter((c) => !EVENT_COLUMNS_SINCE_004.has(c.name)),
};

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
      [EVENTS_001, TABLES.bad_events, TABLES.metrics, TABLES.product_metrics, TABLES.loads].map(
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
      ...TABLES.events.columns
        .filter((c) => EVENT_COLUMNS_SINCE_004.has(c.name))
        .map((c) => `ALTER TABLE events ADD COLUMN ${ident(c.name)} ${dialect.columnType(c.type)}`),
      ...IDENTITY_TABLES.map((name) => dialect.createTable(TABLES[name])),
      ...identityStatements(dialect, 'events'),
      ...stitchedViewStatements(),
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
