import { postgres } from '../../../shared/warehouse-schema/dialect.ts';
import {
  MIGRATIONS,
  MigrationOrderError,
  migrate,
  type Migration,
} from '../../../shared/warehouse-schema/migrations.ts';
import type { SqlExecutor, SqlValue } from '../../../shared/adapters/postgres/sql-executor.ts';

/**
 * A database that understands just the migration bookkeeping: it remembers applied
 * versions, logs every statement, and rolls back a failed transaction's versions.
 */
class FakeDatabase implements SqlExecutor {
  applied = new Set<number>();
  log: string[] = [];
  failOn?: string;

  async query(sql: string, params: readonly SqlValue[] = []) {
    this.log.push(sql.split('\n')[0] ?? '');
    if (this.failOn && sql.includes(this.failOn)) throw new Error(`boom: ${this.failOn}`);
    if (sql.startsWith('SELECT version FROM schema_migrations')) {
      const rows = this.applied.has(Number(params[0])) ? [{ version: params[0] }] : [];
      return { rows, rowCount: rows.length };
    }
    if (sql.startsWith('INSERT INTO schema_migrations')) this.applied.add(Number(params[0]));
    return { rows: [], rowCount: 0 };
  }

  async transaction<T>(work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
    const before = new Set(this.applied);
    this.log.push('BEGIN');
    try {
      const result = await work(this);
      this.log.push('COMMIT');
      return result;
    } catch (error) {
      this.applied = before;
      this.log.push('ROLLBACK');
      throw error;
    }
  }
}

const migration = (
  version: number,
  name: string,
  sql = `CREATE TABLE t${version} (x int)`,
): Migration => ({
  version,
  name,
  statements: () => [sql],
});

describe('migrate', () => {
  test('the project migrations are numbered 001, 002, ... in order', () => {
    expect(MIGRATIONS.map((m) => m.name)).toEqual([
      '001_tables',
      '002_views',
      '003_single_currency_revenue',
      '004_identity',
      '005_platform_metrics',
    ]);
  });

  test('applies pending migrations in order, each in its own locked transaction', async () => {
    const db = new FakeDatabase();
    const result = await migrate(db, postgres, [migration(1, '001_a'), migration(2, '002_b')]);

    expect(result).toEqual({ applied: ['001_a', '002_b'], skipped: [] });
    expect(db.log).toEqual([
      'CREATE TABLE IF NOT EXISTS schema_migrations (',
      'BEGIN',
      'LOCK TABLE schema_migrations',
      'SELECT version FROM schema_migrations WHERE version = $1',
      'CREATE TABLE t1 (x int)',
      'INSERT INTO schema_migrations (version, name) VALUES ($1, $2)',
      'COMMIT',
      'BEGIN',
      'LOCK TABLE schema_migrations',
      'SELECT version FROM schema_migrations WHERE version = $1',
      'CREATE TABLE t2 (x int)',
      'INSERT INTO schema_migrations (version, name) VALUES ($1, $2)',
      'COMMIT',
    ]);
  });

  test('is idempotent: a second run applies nothing', async () => {
    const db = new FakeDatabase();
    const all = [migration(1, '001_a'), migration(2, '002_b')];
    await migrate(db, postgres, all);
    db.log = [];

    expect(await migrate(db, postgres, all)).toEqual({ applied: [], skipped: ['001_a', '002_b'] });
    expect(db.log.filter((sql) => sql.startsWith('CREATE TABLE t'))).toEqual([]);
  });

  test('a new migration is applied on top of earlier ones', async () => {
    const db = new FakeDatabase();
    await migrate(db, postgres, [migration(1, '001_a')]);

    const result = await migrate(db, postgres, [migration(1, '001_a'), migration(2, '002_b')]);

    expect(result).toEqual({ applied: ['002_b'], skipped: ['001_a'] });
  });

  test('a failing migration rolls back, stops the run, and is retried next time', async () => {
    const db = new FakeDatabase();
    db.failOn = 'CREATE TABLE t2';
    const all = [migration(1, '001_a'), migration(2, '002_b'), migration(3, '003_c')];

    await expect(migrate(db, postgres, all)).rejects.toThrow('boom');
    expect([...db.applied]).toEqual([1]);
    expect(db.log).not.toContain('CREATE TABLE t3 (x int)');

    db.failOn = undefined;
    expect(await migrate(db, postgres, all)).toEqual({
      applied: ['002_b', '003_c'],
      skipped: ['001_a'],
    });
  });

  test.each([
    ['a version repeated', [migration(1, '001_a'), migration(1, '001_b')]],
    ['versions out of order', [migration(2, '002_a'), migration(1, '001_b')]],
    ['a name not matching its version', [migration(1, '002_a')]],
  ])('refuses %s before touching the database', async (_why, list) => {
    const db = new FakeDatabase();
    await expect(migrate(db, postgres, list)).rejects.toBeInstanceOf(MigrationOrderError);
    expect(db.log).toEqual([]);
  });
});
