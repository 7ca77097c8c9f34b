import { mapKeyed, ownValue, type Keyed } from './keyed.ts';
import { formatMicros } from './money.ts';
import type { WindowState } from './window-state.ts';

/**
 * Rows for two warehouse tables. Their key, (windowStart, shardId, part) and for products
 * also productId, names one part of one shard's window: emitting the same part again after
 * a retry produces the same key, so the load MERGEs (replaces) instead of adding. Every
 * figure is a count or a sum, so a dashboard gets a window's totals with SUM over shards
 * and parts, and derives rates from those sums at read time (see funnelRates).
 *
 * Money is a decimal string with exactly 6 decimals ("19.990000"): exact, and loaded as
 * it is into DECIMAL(38,6). Per-currency figures are objects keyed by ISO 4217 code
 * (a SUPER column in Redshift, JSONB in Postgres); "XXX" is an order without a currency.
 */
export interface WindowKey {
  /** The window bounds Lambda gives (ISO-8601); windows follow arrival time. */
  windowStart: string;
  windowEnd: string;
  shardId: string;
}

interface RowKey extends WindowKey {
  part: number;
}

/** metrics table: one row per (windowStart, shardId, part). */
export interface MetricsRow extends RowKey {
  events: number;
  rejectedEvents: number;
  duplicatesDropped: number;
  eventsByType: Keyed<number>;
  eventsByName: Keyed<number>;
  /** Events, views (pages and screens) and orders by platform: web / ios / android / server. */
  eventsByPlatform: Keyed<number>;
  viewsByPlatform: Keyed<number>;
  ordersByPlatform: Keyed<number>;
  /** The funnel, as counts: viewed -> added -> checkout -> ordered. */
  productViews: number;
  cartAdds: number;
  cartRemoves: number;
  checkoutsStarted: number;
  orders: number;
  revenueByCurrency: Keyed<string>;
  refunds: number;
  refundAmountByCurrency: Keyed<string>;
  /** Users first seen in this part of the window (so parts and shards sum to distinct users). */
  activeUsers: number;
  /** False when the window's user set outgrew its carry limit: parts may then share users. */
  activeUsersExact: boolean;
}

/** product_metrics table: one row per (windowStart, shardId, part, productId). */
export interface ProductMetricsRow extends RowKey {
  productId: string;
  views: number;
  adds: number;
  removes: number;
  /** Units in Order Completed products[] (quantity, default 1). */
  purchases: number;
  /** price * quantity of those units, by currency. */
  revenueByCurrency: Keyed<string>;
}

export interface EmittedRows {
  metrics: MetricsRow;
  products: ProductMetricsRow[];
}

/** The rows of the state's current part. Reads the state only. */
export function emitRows(state: WindowState, window: WindowKey): EmittedRows {
  const key: RowKey = {
    windowStart: window.windowStart,
    windowEnd: window.windowEnd,
    shardId: window.shardId,
    part: state.part,
  };
  const tally = state.tally;
  const money = (sums: Keyed<string>) => mapKeyed(sums, (micros) => formatMicros(BigInt(micros)));
  const metrics: MetricsRow = {
    ...key,
    events: tally.events,
    rejectedEvents: tally.rejected,
    duplicatesDropped: tally.duplicates,
    eventsByType: mapKeyed(tally.byType, (count) => count),
    eventsByName: mapKeyed(tally.byName, (count) => count),
    eventsByPlatform: mapKeyed(tally.byPlatform ?? {}, (count) => count),
    viewsByPlatform: mapKeyed(tally.viewsByPlatform ?? {}, (count) => count),
    ordersByPlatform: mapKeyed(tally.ordersByPlatform ?? {}, (count) => count),
    productViews: tally.productViews,
    cartAdds: tally.cartAdds,
    cartRemoves: tally.cartRemoves,
    checkoutsStarted: tally.checkoutsStarted,
    orders: tally.orders,
    revenueByCurrency: money(tally.revenue),
    refunds: tally.refunds,
    refundAmountByCurrency: money(tally.refundAmount),
    activeUsers: state.users.length - state.usersInEarlierParts,
    activeUsersExact: state.usersExact,
  };
  const products = Object.keys(tally.products).map((productId): ProductMetricsRow => {
    const product = ownValue(tally.products, productId) ?? {};
    return {
      ...key,
      productId,
      views: product.v ?? 0,
      adds: product.a ?? 0,
      removes: product.r ?? 0,
      purchases: product.q ?? 0,
      revenueByCurrency: money(product.m ?? {}),
    };
  });
  return { metrics, products };
}

export interface FunnelRates {
  viewToAdd: number | null;
  addToCheckout: number | null;
  checkoutToOrder: number | null;
  viewToOrder: number | null;
}

/**
 * Conversion rates, for read time only: computed from counts already summed over shards
 * and parts, never stored, since rates of parts do not add up. Null where nothing entered.
 */
export function funnelRates(
  counts: Pick<MetricsRow, 'productViews' | 'cartAdds' | 'checkoutsStarted' | 'orders'>,
): FunnelRates {
  const rate = (to: number, from: number) => (from === 0 ? null : to / from);
  return {
    viewToAdd: rate(counts.cartAdds, counts.productViews),
    addToCheckout: rate(counts.checkoutsStarted, counts.cartAdds),
    checkoutToOrder: rate(counts.orders, counts.checkoutsStarted),
    viewToOrder: rate(counts.orders, counts.productViews),
  };
}
