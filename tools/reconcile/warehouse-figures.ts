import type pg from 'pg';
import { decimalToMicros, type ProductFigures, type WindowFigures } from './stream-oracle.ts';

/**
 * The warehouse's side of a reconciliation: row counts while the pipeline drains, and the
 * real-time figures per (window, shard) and per (window, product), parts summed, in the
 * shapes stream-oracle.ts computes from the stream.
 */
export interface Progress {
  events: number;
  badEvents: number;
  metricsEvents: number;
  metricsRejected: number;
  loads: number;
}

export async function progress(db: pg.Pool): Promise<Progress> {
  const { rows } = await db.query<Record<keyof Progress, string>>(
    `SELECT (SELECT count(*) FROM events) AS "events",
       (SELECT count(*) FROM bad_events) AS "badEvents",
       (SELECT COALESCE(sum(events), 0) FROM metrics) AS "metricsEvents",
       (SELECT COALESCE(sum(rejected_events), 0) FROM metrics) AS "metricsRejected",
       (SELECT count(*) FROM loads) AS "loads"`,
  );
  const row = rows[0];
  if (!row) throw new Error('no answer from the warehouse');
  return {
    events: Number(row.events),
    badEvents: Number(row.badEvents),
    metricsEvents: Number(row.metricsEvents),
    metricsRejected: Number(row.metricsRejected),
    loads: Number(row.loads),
  };
}

const iso = (ms: string) => new Date(Number(ms)).toISOString();

function addMoney(sums: Record<string, string>, byCurrency: unknown): void {
  for (const [currency, amount] of Object.entries((byCurrency ?? {}) as Record<string, string>)) {
    sums[currency] = String(BigInt(sums[currency] ?? '0') + decimalToMicros(String(amount)));
  }
}

export async function windowFigures(
  db: pg.Pool,
): Promise<{ windows: Record<string, WindowFigures>; allUsersExact: boolean }> {
  const { rows } = await db.query<Record<string, string> & { revenue: unknown; exact: boolean }>(
    `SELECT (extract(epoch FROM window_start) * 1000)::bigint AS start_ms, shard_id,
       events, rejected_events, duplicates_dropped, product_views, cart_adds, cart_removes,
       checkouts_started, orders, active_users, active_users_exact AS exact,
       revenue_by_currency AS revenue
     FROM metrics ORDER BY window_start, shard_id, part`,
  );
  const windows: Record<string, WindowFigures> = {};
  let allUsersExact = true;
  for (const row of rows) {
    const figures = (windows[`${iso(String(row.start_ms))} ${String(row.shard_id)}`] ??= {
      ...{ events: 0, rejected: 0, duplicates: 0, views: 0, adds: 0, removes: 0 },
      ...{ checkouts: 0, orders: 0, activeUsers: 0, revenue: {} },
    });
    figures.events += Number(row.events);
    figures.rejected += Number(row.rejected_events);
    figures.duplicates += Number(row.duplicates_dropped);
    figures.views += Number(row.product_views);
    figures.adds += Number(row.cart_adds);
    figures.removes += Number(row.cart_removes);
    figures.checkouts += Number(row.checkouts_started);
    figures.orders += Number(row.orders);
    figures.activeUsers += Number(row.active_users);
    addMoney(figures.revenue, row.revenue);
    allUsersExact &&= row.exact;
  }
  return { windows, allUsersExact };
}

export async function productFigures(db: pg.Pool): Promise<Record<string, ProductFigures>> {
  const { rows } = await db.query<Record<string, string> & { revenue: unknown }>(
    `SELECT (extract(epoch FROM window_start) * 1000)::bigint AS start_ms, product_id,
       views, adds, removes, purchases, revenue_by_currency AS revenue
     FROM product_metrics ORDER BY window_start, product_id, shard_id, part`,
  );
  const products: Record<string, ProductFigures> = {};
  for (const row of rows) {
    const figures = (products[`${iso(String(row.start_ms))} ${String(row.product_id)}`] ??= {
      ...{ views: 0, adds: 0, removes: 0, purchases: 0, revenue: {} },
    });
    figures.views += Number(row.views);
    figures.adds += Number(row.adds);
    figures.removes += Number(row.removes);
    figures.purchases += Number(row.purchases);
    addMoney(figures.revenue, row.revenue);
  }
  return products;
}

/** Polls until `done`, then once more after `settleMs` (nothing may arrive late); fails with what was reached. */
export async function waitForDrain(
  read: () => Promise<Progress>,
  done: (p: Progress) => boolean,
  options: {
    timeoutMs: number;
    settleMs?: number;
    expected: string;
    /** Appended to the failure: e.g. the warnings and errors the stack printed. */
    diagnostics?: () => string;
  },
): Promise<Progress> {
  const started = Date.now();
  const history: string[] = [];
  let last: Progress | undefined;
  let lastError = '';
  let lastSeen = '';
  const line = (p: Progress) =>
    `${((Date.now() - started) / 1000).toFixed(0)} s: events ${p.events}, bad_events ${p.badEvents}, metrics events ${p.metricsEvents}, metrics rejected ${p.metricsRejected}, objects loaded ${p.loads}`;
  for (;;) {
    try {
      last = await read();
      // Only changes are kept: the message then reads as the pipeline's progress.
      if (JSON.stringify(last) !== lastSeen) history.push(line(last));
      lastSeen = JSON.stringify(last);
      if (done(last)) break;
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() - started > options.timeoutMs) {
      throw new Error(
        `the pipeline did not drain within ${options.timeoutMs / 1000} s.\nexpected: ${options.expected}\nreached:\n  ${history.join('\n  ')}${lastError ? `\nlast error: ${lastError}` : ''}${options.diagnostics ? `\n${options.diagnostics()}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
  if (options.settleMs) {
    await new Promise((resolve) => setTimeout(resolve, options.settleMs));
    last = await read();
  }
  return last;
}
