import { isDeepStrictEqual } from 'node:util';
import type pg from 'pg';
import {
  decimalToMicros,
  POISON_PREFIX,
  type StreamExpectations,
} from '../reconcile/stream-oracle.ts';
import { productFigures, windowFigures } from '../reconcile/warehouse-figures.ts';
import type { SentTraffic } from './honest-traffic.ts';
import type { Leftovers } from './leftovers.ts';

/**
 * The exact reconciliation of a chaos run, as rows of a verdict table: what the ledger (or
 * the stream) says, what the warehouse holds, and whether they are equal. No tolerance.
 */
export interface Check {
  check: string;
  expected: string;
  got: string;
  ok: boolean;
}

export interface ReconcileInput {
  db: pg.Pool;
  sent: SentTraffic;
  stream: StreamExpectations;
  /** bad_events ids of the records the faults put on the stream themselves. */
  poisonIds: string[];
  leftovers: Leftovers;
  /** Dead letters / failed notifications a fault's afterDrain named (and so accounted for). */
  named: { deadLetters: number; failedNotifications: number };
}

const n = (value: number) => value.toLocaleString('en-US');
const few = (ids: Iterable<string>) => [...ids].slice(0, 3).join(', ');
const minus = (a: Set<string>, b: Set<string>) => [...a].filter((x) => !b.has(x));

function setCheck(check: string, expected: Set<string>, got: Set<string>): Check {
  const missing = minus(expected, got);
  const extra = minus(got, expected);
  const ok = missing.length === 0 && extra.length === 0;
  return {
    check,
    expected: n(expected.size),
    got: ok
      ? n(got.size)
      : `${n(got.size)} (missing ${missing.length}: ${few(missing)}; extra ${extra.length}: ${few(extra)})`,
    ok,
  };
}

export async function reconcile(input: ReconcileInput): Promise<Check[]> {
  const { db, sent, stream } = input;
  const rows = async <T>(sql: string) => (await db.query<T & pg.QueryResultRow>(sql)).rows;
  const checks: Check[] = [];

  checks.push({
    check: 'every message answered 200',
    expected: n(sent.ledger.sent),
    got: `${n(sent.ledger.sent - sent.notSent)} (${n(sent.resentRequests)} requests resent)`,
    ok: sent.notSent === 0,
  });
  checks.push(setCheck('stream: unique valid ids = ledger', sent.validIds, stream.validIds));
  const streamRejected = new Set(
    [...stream.rejectedIds].filter((id) => !id.startsWith(POISON_PREFIX)),
  );
  checks.push(
    setCheck('stream: ingest bad rows = ledger invalid', sent.invalidIds, streamRejected),
  );
  const poisonOnStream = stream.rejectedIds.size - streamRejected.size;
  checks.push({
    check: 'stream: poison records',
    expected: n(input.poisonIds.length),
    got: n(poisonOnStream),
    ok: poisonOnStream === input.poisonIds.length,
  });

  const eventIds = new Set(
    (await rows<{ id: string }>('SELECT event_id AS id FROM events')).map((r) => r.id),
  );
  checks.push(setCheck('events = ledger unique valid', sent.validIds, eventIds));
  const bad = await rows<{ id: string; reasons: unknown }>(
    'SELECT event_id AS id, reasons FROM bad_events',
  );
  checks.push(
    setCheck(
      'bad_events = invalid + poison',
      new Set([...sent.invalidIds, ...input.poisonIds]),
      new Set(bad.map((r) => r.id)),
    ),
  );
  const reasonless = bad.filter((r) => !Array.isArray(r.reasons) || r.reasons.length === 0);
  checks.push({
    check: 'every bad row has a reason',
    expected: '0 without',
    got: `${reasonless.length} without`,
    ok: reasonless.length === 0,
  });

  const revenue = await rows<{ currency: string; revenue: string }>(
    `SELECT currency, sum(revenue)::text AS revenue FROM events
     WHERE event_name = 'Order Completed' GROUP BY currency ORDER BY currency`,
  );
  const got = Object.fromEntries(
    revenue.map((r) => [r.currency, decimalToMicros(r.revenue) / 10_000n]),
  );
  const expected = Object.fromEntries(
    Object.entries(sent.ledger.revenue).map(([c, r]) => [c, BigInt(r.cents)]),
  );
  const money = (sums: Record<string, bigint>) =>
    Object.entries(sums)
      .map(([c, cents]) => `${c} ${(Number(cents) / 100).toFixed(2)}`)
      .join(', ');
  checks.push({
    check: 'revenue per currency, to the cent',
    expected: money(expected),
    got: money(got),
    ok: isDeepStrictEqual(got, expected),
  });

  const windows = await windowFigures(db);
  checks.push(
    figuresCheck('real-time metrics per (window, shard)', stream.windows, windows.windows),
  );
  checks.push(
    figuresCheck(
      'real-time metrics per (window, product)',
      stream.products,
      await productFigures(db),
    ),
  );

  const { deadLetters, failedNotifications } = input.leftovers;
  checks.push({
    check: 'dead-letter queue: nothing unnamed',
    expected: `${input.named.deadLetters} named`,
    got: String(deadLetters),
    ok: deadLetters <= input.named.deadLetters,
  });
  checks.push({
    check: '.failed-notifications: nothing unnamed',
    expected: `${input.named.failedNotifications} named`,
    got: String(failedNotifications.length),
    ok: failedNotifications.length <= input.named.failedNotifications,
  });
  return checks;
}

function figuresCheck(
  check: string,
  expected: Record<string, unknown>,
  got: Record<string, unknown>,
): Check {
  const keys = new Set([...Object.keys(expected), ...Object.keys(got)]);
  const differing = [...keys].filter((k) => !isDeepStrictEqual(expected[k], got[k]));
  const first = differing[0];
  return {
    check,
    expected: `${n(Object.keys(expected).length)} keys`,
    got:
      differing.length === 0
        ? `${n(Object.keys(got).length)} keys, all equal`
        : `${differing.length} differ, e.g. ${first}: expected ${JSON.stringify(expected[first ?? ''])} got ${JSON.stringify(got[first ?? ''])}`,
    ok: differing.length === 0,
  };
}
