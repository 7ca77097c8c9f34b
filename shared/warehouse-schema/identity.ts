import type { Dialect, OnMatch } from './dialect.ts';
import { ident } from './dialect.ts';
import { TABLES, type IdentityTableName } from './tables.ts';

/**
 * The identity tables, derived from event rows in SQL both dialects run: from the load's
 * staged events (each load, in its transaction, after the events are in) and once from
 * `events` itself (migration 004, for the identify calls loaded before it).
 *
 * Exactly once: every table is upserted on its natural key, and where two calls compete for
 * one key the winner is chosen by (event time, event id): the latest traits, the earliest
 * mapping of an anonymousId, the first group call of a member. Replays and any order of
 * loads end in the same rows.
 */
interface Derivation {
  table: IdentityTableName;
  /** The rows to stage, at most one per key of `table`, in the table's loaded columns. */
  select(source: string): string;
  onMatch: OnMatch;
}

/** The one row per `partition` that comes first in `order`. */
const firstPer = (columns: string, inner: string, partition: string, order: string) =>
  `SELECT ${columns} FROM (
  SELECT ${columns}, ROW_NUMBER() OVER (PARTITION BY ${partition} ORDER BY ${order}) AS pick
  FROM (${inner}) candidates
) ranked WHERE pick = 1`;

const latestTraits = (idColumn: 'user_id' | 'group_id', type: string) => (source: string) =>
  firstPer(
    `${idColumn}, traits, traits_at, traits_event_id`,
    `SELECT ${idColumn}, traits, event_time AS traits_at, event_id AS traits_event_id
    FROM ${ident(source)} WHERE event_type = '${type}' AND ${idColumn} IS NOT NULL`,
    idColumn,
    'traits_at DESC, traits_event_id DESC',
  );

const DERIVATIONS: readonly Derivation[] = [
  {
    table: 'identifies',
    select: (source) => `SELECT event_id, user_id, anonymous_id, event_time, traits, platform
FROM ${ident(source)} WHERE event_type = 'identify'`,
    onMatch: 'ignore',
  },
  {
    table: 'users',
    select: latestTraits('user_id', 'identify'),
    onMatch: { keep: 'latest', time: 'traits_at', id: 'traits_event_id' },
  },
  {
    table: 'groups',
    select: latestTraits('group_id', 'group'),
    onMatch: { keep: 'latest', time: 'traits_at', id: 'traits_event_id' },
  },
  {
    table: 'group_members',
    select: (source) =>
      firstPer(
        'group_id, member_id, joined_at, joined_event_id',
        `SELECT group_id, COALESCE(user_id, anonymous_id) AS member_id, event_time AS joined_at,
      event_id AS joined_event_id
    FROM ${ident(source)} WHERE event_type = 'group' AND group_id IS NOT NULL`,
        'group_id, member_id',
        'joined_at, joined_event_id',
      ),
    onMatch: { keep: 'earliest', time: 'joined_at', id: 'joined_event_id' },
  },
  {
    // alias: previousId -> userId; identify: its anonymousId -> its userId.
    table: 'identity_map',
    select: (source) =>
      firstPer(
        'anonymous_id, user_id, source, mapped_at, event_id',
        `SELECT previous_id AS anonymous_id, user_id, CAST('alias' AS VARCHAR(16)) AS source,
      event_time AS mapped_at, event_id
    FROM ${ident(source)}
    WHERE event_type = 'alias' AND previous_id IS NOT NULL AND user_id IS NOT NULL
      AND previous_id <> user_id
    UNION ALL
    SELECT anonymous_id, user_id, CAST('identify' AS VARCHAR(16)), event_time, event_id
    FROM ${ident(source)}
    WHERE event_type = 'identify' AND anonymous_id IS NOT NULL AND user_id IS NOT NULL
      AND anonymous_id <> user_id`,
        'anonymous_id',
        'mapped_at, event_id',
      ),
    onMatch: { keep: 'earliest', time: 'mapped_at', id: 'event_id' },
  },
];

export const IDENTITY_TABLES: readonly IdentityTableName[] = DERIVATIONS.map((d) => d.table);

/** Statements that bring the identity tables up to date with the event rows in `source`. */
export function identityStatements(dialect: Dialect, source: string): string[] {
  return DERIVATIONS.flatMap((derivation) => {
    const staging = `stage_${derivation.table}`;
    return [
      dialect.createTempTableAs(staging, derivation.select(source)),
      ...dialect.upsert(TABLES[derivation.table], staging, derivation.onMatch),
    ];
  });
}
