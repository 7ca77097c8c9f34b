import type { Dialect } from './dialect.ts';

/**
 * Read models over the loaded tables, in SQL that PostgreSQL and Redshift both run (window
 * functions with explicit frames, CTEs, BOOL_OR/BOOL_AND); only the JSON unnesting of
 * per-currency money comes from the dialect.
 *
 * The metrics tables hold one row per (window, shard, part): every figure is a count or a
 * sum, so a window's totals are SUMs over shards and parts (shared/analytics/metric-rows.ts).
 * Money stays per currency: adding euros to dollars means nothing, so revenue has its own
 * views with a currency column rather than a single number on the count views.
 */

/** A minute's counts over every shard and part: what metrics_minute has shown since 002. */
const METRICS_COUNTS = `SELECT window_start,
  MAX(window_end) AS window_end,
  SUM(events) AS events,
  SUM(rejected_events) AS rejected_events,
  SUM(product_views) AS views,
  SUM(cart_adds) AS add_to_carts,
  SUM(cart_removes) AS cart_removes,
  SUM(checkouts_started) AS checkouts,
  SUM(orders) AS orders,
  SUM(refunds) AS refunds,
  SUM(active_users) AS active_users,
  BOOL_AND(active_users_exact) AS active_users_exact,
  COUNT(DISTINCT shard_id) AS shards
FROM metrics
GROUP BY window_start`;

/** A product-minute's counts: what product_metrics_minute has shown since 002. */
const PRODUCT_COUNTS = `SELECT window_start, product_id,
  SUM(views) AS views,
  SUM(adds) AS add_to_carts,
  SUM(removes) AS removes,
  SUM(purchases) AS purchases
FROM product_metrics
GROUP BY window_start, product_id`;

/** The revenue of a minute (or product-minute) when its orders are all in one currency. */
const SINGLE_CURRENCY_REVENUE = `SELECT counts.*,
  CASE WHEN money.currencies = 1 THEN money.revenue END AS revenue,
  CASE WHEN money.currencies = 1 THEN money.currency END AS currency`;

/**
 * 003: the minute views also carry `revenue` and its `currency`, as dashboards expect one
 * figure per minute: the sum when every order of that minute (or product-minute) is in one
 * currency, NULL when currencies are mixed, where revenue_minute has the per-currency sums.
 */
export function singleCurrencyRevenueStatements(): string[] {
  return [
    'DROP VIEW metrics_minute',
    `CREATE VIEW metrics_minute AS
WITH counts AS (
${METRICS_COUNTS}
), money AS (
  SELECT window_start, COUNT(*) AS currencies, MAX(currency) AS currency, SUM(revenue) AS revenue
  FROM revenue_minute
  GROUP BY window_start
)
${SINGLE_CURRENCY_REVENUE}
FROM counts LEFT JOIN money ON money.window_start = counts.window_start`,
    'DROP VIEW product_metrics_minute',
    `CREATE VIEW product_metrics_minute AS
WITH counts AS (
${PRODUCT_COUNTS}
), money AS (
  SELECT window_start, product_id, COUNT(*) AS currencies, MAX(currency) AS currency,
    SUM(revenue) AS revenue
  FROM product_revenue_minute
  GROUP BY window_start, product_id
)
${SINGLE_CURRENCY_REVENUE}
FROM counts LEFT JOIN money
  ON money.window_start = counts.window_start AND money.product_id = counts.product_id`,
  ];
}

/** Visitors' sessions end after this much inactivity (the usual web-analytics default). */
export const SESSION_GAP_MINUTES = 30;

export function viewStatements(dialect: Dialect): string[] {
  const revenue = dialect.eachMoney('m', 'revenue_by_currency');
  const productRevenue = dialect.eachMoney('p', 'revenue_by_currency');
  return [
    `CREATE VIEW metrics_minute AS
${METRICS_COUNTS}`,
    `CREATE VIEW revenue_minute AS
SELECT m.window_start, ${revenue.key} AS currency, SUM(${revenue.amount}) AS revenue
FROM metrics m ${revenue.join}
GROUP BY m.window_start, ${revenue.key}`,
    `CREATE VIEW product_metrics_minute AS
${PRODUCT_COUNTS}`,
    `CREATE VIEW product_revenue_minute AS
SELECT p.window_start, p.product_id, ${productRevenue.key} AS currency,
  SUM(${productRevenue.amount}) AS revenue
FROM product_metrics p ${productRevenue.join}
GROUP BY p.window_start, p.product_id, ${productRevenue.key}`,
    sessionsView(),
  ];
}

/**
 * Sessionisation: a visitor's event starts a new session when it is their first, or comes
 * more than the gap after their previous event; a running SUM of those starts numbers the
 * sessions. Ties on event_time are broken by event_id so the numbering is deterministic.
 */
function sessionsView(): string {
  const order = 'PARTITION BY anonymous_id ORDER BY event_time, event_id';
  return `CREATE VIEW sessions AS
WITH marked AS (
  SELECT anonymous_id, user_id, event_id, event_time, event_type, event_name, product_id,
    COALESCE(revenue, total) AS order_revenue,
    CASE
      WHEN LAG(event_time) OVER (${order}) IS NULL THEN 1
      WHEN event_time > LAG(event_time) OVER (${order}) + INTERVAL '${SESSION_GAP_MINUTES} minutes' THEN 1
      ELSE 0
    END AS starts_session
  FROM events
  WHERE anonymous_id IS NOT NULL
),
numbered AS (
  SELECT marked.*,
    SUM(starts_session) OVER (${order} ROWS UNBOUNDED PRECEDING) AS session_number
  FROM marked
)
SELECT anonymous_id,
  session_number,
  anonymous_id || ':' || CAST(session_number AS VARCHAR(20)) AS session_id,
  MAX(user_id) AS user_id,
  MIN(event_time) AS session_start,
  MAX(event_time) AS session_end,
  COUNT(*) AS events,
  SUM(CASE WHEN event_type = 'page' THEN 1 ELSE 0 END) AS pages,
  COUNT(DISTINCT CASE WHEN event_name = 'Product Viewed' THEN product_id END) AS products_viewed,
  BOOL_OR(event_name = 'Order Completed') AS converted,
  COALESCE(SUM(CASE WHEN event_name = 'Order Completed' THEN order_revenue END), 0) AS revenue
FROM numbered
GROUP BY anonymous_id, session_number`;
}

/**
 * Each event with the person it belongs to (identity resolution, "user stitching"): the
 * userId its anonymousId is mapped to (identity_map, from alias and identify calls), else
 * its own userId, else its anonymousId. A visitor's anonymous browsing, their known
 * purchases and their second device are then one person.
 */
const STITCHED_EVENTS = `SELECT e.event_id, e.event_time, e.event_type, e.event_name, e.product_id,
    e.anonymous_id, COALESCE(m.user_id, e.user_id) AS user_id,
    COALESCE(m.user_id, e.user_id, e.anonymous_id) AS person_id,
    COALESCE(e.revenue, e.total) AS order_revenue
  FROM events e LEFT JOIN identity_map m ON m.anonymous_id = e.anonymous_id`;

/**
 * 004: sessions per person rather than per anonymousId (002's view split one shopper into
 * as many visitors as they had devices and sign-ins), screens counted beside pages, and a
 * funnel of people.
 */
export function stitchedViewStatements(): string[] {
  const order = 'PARTITION BY person_id ORDER BY event_time, event_id';
  return [
    'DROP VIEW sessions',
    `CREATE VIEW sessions AS
WITH stitched AS (
  ${STITCHED_EVENTS}
),
marked AS (
  SELECT stitched.*,
    CASE
      WHEN LAG(event_time) OVER (${order}) IS NULL THEN 1
      WHEN event_time > LAG(event_time) OVER (${order}) + INTERVAL '${SESSION_GAP_MINUTES} minutes' THEN 1
      ELSE 0
    END AS starts_session
  FROM stitched
),
numbered AS (
  SELECT marked.*,
    SUM(starts_session) OVER (${order} ROWS UNBOUNDED PRECEDING) AS session_number
  FROM marked
)
SELECT person_id,
  session_number,
  person_id || ':' || CAST(session_number AS VARCHAR(20)) AS session_id,
  MIN(anonymous_id) AS anonymous_id,
  MAX(user_id) AS user_id,
  COUNT(DISTINCT anonymous_id) AS anonymous_ids,
  MIN(event_time) AS session_start,
  MAX(event_time) AS session_end,
  COUNT(*) AS events,
  SUM(CASE WHEN event_type = 'page' THEN 1 ELSE 0 END) AS pages,
  SUM(CASE WHEN event_type = 'screen' THEN 1 ELSE 0 END) AS screens,
  COUNT(DISTINCT CASE WHEN event_name = 'Product Viewed' THEN product_id END) AS products_viewed,
  BOOL_OR(event_name = 'Order Completed') AS converted,
  COALESCE(SUM(CASE WHEN event_name = 'Order Completed' THEN order_revenue END), 0) AS revenue
FROM numbered
GROUP BY person_id, session_number`,
    `CREATE VIEW funnel AS
WITH stitched AS (
  ${STITCHED_EVENTS}
),
reached AS (
  SELECT person_id,
    MAX(CASE WHEN event_name = 'Product Viewed' THEN 1 ELSE 0 END) AS viewed,
    MAX(CASE WHEN event_name = 'Product Added' THEN 1 ELSE 0 END) AS added,
    MAX(CASE WHEN event_name = 'Checkout Started' THEN 1 ELSE 0 END) AS checkout,
    MAX(CASE WHEN event_name = 'Order Completed' THEN 1 ELSE 0 END) AS ordered
  FROM stitched
  GROUP BY person_id
)
SELECT COUNT(*) AS people,
  SUM(viewed) AS viewed,
  SUM(viewed * added) AS added,
  SUM(viewed * added * checkout) AS checkout,
  SUM(viewed * added * checkout * ordered) AS ordered
FROM reached`,
  ];
}

/**
 * 005: the real-time figures per platform and minute (web / ios / android / server): events,
 * views (pages and screens alike) and orders, summed over shards and parts.
 */
export function platformViewStatements(dialect: Dialect): string[] {
  const per = (column: string, as: string) => {
    const each = dialect.eachCount('m', column);
    return `SELECT m.window_start, ${each.key} AS platform, SUM(${each.count}) AS ${as}
  FROM metrics m ${each.join}
  GROUP BY m.window_start, ${each.key}`;
  };
  return [
    `CREATE VIEW platform_minute AS
WITH counted AS (
  SELECT window_start, platform, events, 0 AS views, 0 AS orders FROM (${per('events_by_platform', 'events')}) e
  UNION ALL
  SELECT window_start, platform, 0, views, 0 FROM (${per('views_by_platform', 'views')}) v
  UNION ALL
  SELECT window_start, platform, 0, 0, orders FROM (${per('orders_by_platform', 'orders')}) o
)
SELECT window_start, platform, SUM(events) AS events, SUM(views) AS views, SUM(orders) AS orders
FROM counted
GROUP BY window_start, platform`,
  ];
}
