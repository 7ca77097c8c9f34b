import type { StagedRow } from './staged-cells.ts';
import { eventsCopyText, parseObject, type ObjectKind, type ParsedObject } from './parse-object.ts';
import { TABLES, type TableSpec } from '../warehouse-schema/tables.ts';

/**
 * The load use case: one S3 object into the warehouse, exactly once.
 *
 * In one transaction: claim the object's key in `loads` (a committed key means the object
 * is in already: skip), stage each target's rows, upsert them on the target's key, record
 * the row count. Events and bad events keep the row already there (a replay of an event
 * changes nothing); metrics rows are replaced (a re-emitted part carries newer figures).
 * A crash anywhere rolls everything back, the claim included, so a retry starts clean.
 */
export interface S3Object {
  key: string;
  kind: ObjectKind;
  /** Read only when the object is not loaded yet. */
  body(): Promise<Uint8Array | string>;
}

export type LoadCounts = Record<'lines' | StagedTable, number>;

export interface LoadResult {
  key: string;
  kind: ObjectKind;
  status: 'loaded' | 'skipped';
  /** Lines read, and rows written (inserted or replaced) per table. */
  counts: LoadCounts;
}

/** What the orchestration needs from a warehouse that stages rows it is given. */
export interface LoadTransaction {
  /** False when a load of `key` has committed. Waits while another load holds the claim. */
  claim(key: string, kind: ObjectKind): Promise<boolean>;
  /** Copies rows into a fresh staging table for `table` (dropped at commit). */
  stage(table: TableSpec, rows: readonly StagedRow[]): Promise<void>;
  /**
   * Where the warehouse takes COPY text: as `stage`, from chunks of text in the columns of
   * loadedColumns(table), read as they are made.
   */
  stageCopyText?(table: TableSpec, chunks: Iterable<string>): Promise<void>;
  /** Moves the staged rows into `table`; answers the rows written. */
  upsert(table: TableSpec, onMatch: 'ignore' | 'replace'): Promise<number>;
  /**
   * Brings the identity tables (identifies, users, groups, group_members, identity_map) up
   * to date with the staged events (warehouse-schema/identity.ts). Replays change nothing.
   */
  resolveIdentities(): Promise<void>;
  /** Completes the claim: the audit row of this load. */
  complete(key: string, lines: number): Promise<void>;
}

export interface StagingWarehouse {
  /** True when its transactions have stageCopyText: events objects then go in as COPY text. */
  readonly stagesCopyText?: boolean;
  /** Cheap check before reading the object: a loaded key needs no download. */
  isLoaded(key: string): Promise<boolean>;
  inTransaction<T>(work: (tx: LoadTransaction) => Promise<T>): Promise<T>;
}

/** Any way of loading an object: the staging use case below, or Redshift's server-side COPY. */
export interface ObjectLoader {
  load(object: S3Object): Promise<LoadResult>;
}

type StagedTable = 'events' | 'bad_events' | 'metrics' | 'product_metrics';

const PLAN: readonly {
  table: StagedTable;
  rows: keyof Omit<ParsedObject, 'lines'>;
  onMatch: 'ignore' | 'replace';
}[] = [
  { table: 'events', rows: 'events', onMatch: 'ignore' },
  { table: 'bad_events', rows: 'badEvents', onMatch: 'ignore' },
  { table: 'metrics', rows: 'metrics', onMatch: 'replace' },
  { table: 'product_metrics', rows: 'productMetrics', onMatch: 'replace' },
];

const zero = (): LoadCounts => ({
  lines: 0,
  events: 0,
  bad_events: 0,
  metrics: 0,
  product_metrics: 0,
});

export async function loadObject(
  warehouse: StagingWarehouse,
  object: S3Object,
): Promise<LoadResult> {
  const skipped: LoadResult = {
    key: object.key,
    kind: object.kind,
    status: 'skipped',
    counts: zero(),
  };
  if (await warehouse.isLoaded(object.key)) return skipped;
  // Downloaded before the transaction opens, so no lock is held while the body downloads.
  const body = await object.body();
  const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
  if (object.kind === 'events' && warehouse.stagesCopyText === true) {
    return loadEventsAsCopyText(warehouse, object, text, skipped);
  }
  // Parsed before the transaction opens, so the claim is held only while the rows go in.
  const parsed = parseObject(object.kind, object.key, text);

  return warehouse.inTransaction(async (tx) => {
    if (!(await tx.claim(object.key, object.kind))) return skipped;
    const counts = zero();
    counts.lines = parsed.lines;
    for (const step of PLAN) {
      const rows = parsed[step.rows];
      if (rows.length === 0) continue;
      await tx.stage(TABLES[step.table], rows);
      counts[step.table] = await tx.upsert(TABLES[step.table], step.onMatch);
      if (step.table === 'events') await tx.resolveIdentities();
    }
    await tx.complete(object.key, parsed.lines);
    return { key: object.key, kind: object.kind, status: 'loaded', counts };
  });
}

/**
 * An events object where the warehouse takes COPY text: parsed in the same pass that makes
 * the events' COPY text, while the database reads the chunks made so far (the rows are the
 * same as parseObject's; see eventsCopyText). Parsing inside the transaction costs less than
 * building every row first: a 100,000-line object's rows kept the garbage collector busy.
 */
async function loadEventsAsCopyText(
  warehouse: StagingWarehouse,
  object: S3Object,
  text: string,
  skipped: LoadResult,
): Promise<LoadResult> {
  return warehouse.inTransaction(async (tx) => {
    const stageCopyText = tx.stageCopyText?.bind(tx);
    if (stageCopyText === undefined) throw new Error('stagesCopyText without stageCopyText');
    if (!(await tx.claim(object.key, object.kind))) return skipped;
    const counts = zero();
    const copy = eventsCopyText(object.key, text);
    await stageCopyText(TABLES.events, copy.chunks);
    const { summary } = copy;
    counts.lines = summary.lines;
    if (summary.events > 0) {
      counts.events = await tx.upsert(TABLES.events, 'ignore');
      await tx.resolveIdentities();
    }
    if (summary.badEvents.length > 0) {
      await tx.stage(TABLES.bad_events, summary.badEvents);
      counts.bad_events = await tx.upsert(TABLES.bad_events, 'ignore');
    }
    await tx.complete(object.key, summary.lines);
    return { key: object.key, kind: object.kind, status: 'loaded', counts };
  });
}

export function stagingLoader(warehouse: StagingWarehouse): ObjectLoader {
  return { load: (object) => loadObject(warehouse, object) };
}
