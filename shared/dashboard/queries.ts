import type { SqlValue } from '../adapters/postgres/sql-executor.ts';

/**
 * The dashboard's SQL, which PostgreSQL (and PGlite) and Redshift both run: plain SELECTs over
 * the read models of shared/warehouse-schema/views.ts, values always parameters ($n; the Data API
 * client turns them into :pn), timestamps passed as ISO text and CASTed, since the Data API
 * binds every value as text. JSON columns are read as they are and summed in TypeScript
 * (figures.ts), which keeps the dialects' different JSON functions out of this file.
 *
 * The period is half-open on window_start, [start, end): `end` is the end of the newest
 * window in the warehouse, `start` is `minutes` before it.
 */
export interface Query {
  sql: string;
  params: SqlValue[];
}

export interface Period {
  /** ISO-8601 instants. */
  start: string;
  end: string;
}

const inPeriod = (column: string) =>
  `${column} >= CAST($1 AS TIMESTAMPTZ) AND ${column} < CAST($2 AS TIMESTAMPTZ)`;
/**
 * "2026-11-25T10:00:00.000Z" -> "2026-11-25 10:00:00.000+00": the form that PostgreSQL and
 * Redshift both document for TIMESTAMPTZ input.
 */
export const sqlTimestamp = (iso: string) => iso.replace('T', ' ').replace(/Z$/, '+00');
const periodParams = (period: Period): SqlValue[] => [
  sqlTimestamp(period.start),
  sqlTimestamp(period.end),
];

/** The end of the newest window loaded: the dashboard's "now". */
export function latestWindowQuery(): Query {
  return { sql: 'SELECT MAX(window_end) AS period_end FROM metrics', params: [] };
}

/** One row per window: the counts of metrics_minute, summed over shards and parts. */
export function windowsQuery(period: Period): Query {
  return {
    sql: `SELECT window_start, events, rejected_events, views, add_to_carts, checkouts, orders,
  active_users
FROM metrics_minute
WHERE ${inPeriod('window_start')}
ORDER BY window_start`,
    params: periodParams(period),
  };
}

/** Revenue per window and currency (revenue_minute keeps currencies apart, always). */
export function revenueQuery(period: Period): Query {
  return {
    sql: `SELECT window_start, currency, revenue
FROM revenue_minute
WHERE ${inPeriod('window_start')}
ORDER BY window_start, currency`,
    params: periodParams(period),
  };
}

/** The per-part JSON tallies of events by type and by name (no view unnests them). */
export function eventKindsQuery(period: Period): Query {
  return {
    sql: `SELECT window_start, events_by_type, events_by_name
FROM metrics
WHERE ${inPeriod('window_start')}`,
    params: periodParams(period),
  };
}

/** Events, views (pages and screens) and orders per platform: web, ios, android, server. */
export function platformsQuery(period: Period): Query {
  return {
    sql: `SELECT platform, SUM(events) AS events, SUM(views) AS views, SUM(orders) AS orders
FROM platform_minute
WHERE ${inPeriod('window_start')}
GROUP BY platform`,
    params: periodParams(period),
  };
}

export const MAX_TOP_PRODUCTS = 50;

/**
 * The `limit` products with the most units ordered (then views, then id, so ties are stable),
 * with their revenue per currency: one row per product and currency, or one with NULL
 * currency for a product not ordered.
 */
export function topProductsQuery(period: Period, limit: number): Query {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_TOP_PRODUCTS) {
    throw new RangeError(`top products: limit must be an integer 1-${MAX_TOP_PRODUCTS}`);
  }
  return {
    sql: `WITH top AS (
  SELECT product_id, SUM(views) AS views, SUM(add_to_carts) AS add_to_carts,
    SUM(purchases) AS purchases
  FROM product_metrics_minute
  WHERE ${inPeriod('window_start')}
  GROUP BY product_id
  ORDER BY purchases DESC, views DESC, product_id
  LIMIT ${limit}
), money AS (
  SELECT product_id, currency, SUM(revenue) AS revenue
  FROM product_revenue_minute
  WHERE ${inPeriod('window_start')} AND product_id IN (SELECT product_id FROM top)
  GROUP BY product_id, currency
)
SELECT top.product_id, top.views, top.add_to_carts, top.purchases, money.currency, money.revenue
FROM top LEFT JOIN money ON money.product_id = top.product_id
ORDER BY top.purchases DESC, top.views DESC, top.product_id, money.currency`,
    params: periodParams(period),
  };
}

/** Product names as the shop sent them with its events, for the ids on the table. */
export function productNamesQuery(period: Period, productIds: readonly string[]): Query {
  const list = productIds.map((_, i) => `$${i + 3}`).join(', ');
  return {
    sql: `SELECT product_id, MAX(product_name) AS name
FROM events
WHERE ${inPeriod('received_at')} AND product_id IN (${list})
GROUP BY product_id`,
    params: [...periodParams(period), ...productIds],
  };
}

/**
 * Distinct visitors (anonymousId, else userId) with an event received in the period. Exact,
 * from the events table: per-window active users do not add up across windows.
 */
export function activeUsersQuery(period: Period): Query {
  return {
    sql: `SELECT COUNT(DISTINCT COALESCE(anonymous_id, user_id)) AS active_users
FROM events
WHERE ${inPeriod('received_at')}`,
    params: periodParams(period),
  };
}
