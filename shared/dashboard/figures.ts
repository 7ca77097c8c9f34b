import { addCount, ownValue, type Keyed } from '../analytics/keyed.ts';
import { parseMoney } from '../analytics/money.ts';
import { funnelRates } from '../analytics/metric-rows.ts';
import { addMoney, toCount, toCountObject, toIsoTime, toMoney, toText } from './figure-cells.ts';

/**
 * The dashboard's figures, shaped from the warehouse's rows: the JSON that /dashboard/data
 * answers and `npm run report` prints. Pure: rows in, figures out. Counts are exact integers;
 * money is exact decimal text ("19.990000") per currency, never added across currencies;
 * rates are computed here from summed counts, as the aggregate's rows intend.
 */
export interface MoneyAmount {
  currency: string;
  amount: string;
}

export interface WindowFigures {
  windowStart: string;
  events: number;
  badEvents: number;
  views: number;
  addToCarts: number;
  checkouts: number;
  orders: number;
  activeUsers: number;
  revenue: MoneyAmount[];
  /** Events by kind, in the order of DashboardFigures.eventKinds. */
  byKind: number[];
}

export type FunnelStepName = 'viewed' | 'added' | 'checkout' | 'ordered';

export interface FunnelStep {
  step: FunnelStepName;
  label: string;
  count: number;
  /** Share of the previous step (null for the first step, or when the previous is 0). */
  fromPrevious: number | null;
  /** Share of the first step (null when nothing was viewed). */
  fromFirst: number | null;
}

export interface ProductFigures {
  productId: string;
  name: string | null;
  views: number;
  addToCarts: number;
  purchases: number;
  revenue: MoneyAmount[];
}

/** Web and app side by side: the period's counts per platform (from the context). */
export interface PlatformFigures {
  platform: string;
  events: number;
  /** Page and screen calls: views of either kind. */
  views: number;
  orders: number;
}

export interface DashboardFigures {
  generatedAt: string;
  /** [start, end) on window_start; null bounds when the warehouse has no window yet. */
  period: { start: string | null; end: string | null; minutes: number; windows: number };
  totals: {
    events: number;
    badEvents: number;
    orders: number;
    activeUsers: number;
    /** Per currency, largest first. */
    revenue: MoneyAmount[];
    /** Orders per product view (the funnel's end to end rate). */
    conversion: number | null;
  };
  funnel: FunnelStep[];
  /** Event names of track events, and the other types (page, identify ...), most frequent first. */
  eventKinds: string[];
  windows: WindowFigures[];
  /** Most events first. */
  platforms: PlatformFigures[];
  topProducts: ProductFigures[];
}

type Row = Record<string, unknown>;

export interface FigureRows {
  windows: Row[];
  revenue: Row[];
  eventKinds: Row[];
  platforms: Row[];
  topProducts: Row[];
  productNames: Row[];
  activeUsers: number;
}

export interface ShapeOptions {
  generatedAt: string;
  period: { start: string; end: string } | null;
  minutes: number;
}

export function shapeFigures(rows: FigureRows, options: ShapeOptions): DashboardFigures {
  const kinds = eventKindsPerWindow(rows.eventKinds);
  const revenue = revenuePerWindow(rows.revenue);
  const windows = rows.windows.map((row): WindowFigures => {
    const windowStart = toIsoTime(row.window_start, 'window_start');
    const perKind = kinds.perWindow.get(windowStart) ?? {};
    return {
      windowStart,
      events: toCount(row.events, 'events'),
      badEvents: toCount(row.rejected_events, 'rejected_events'),
      views: toCount(row.views, 'views'),
      addToCarts: toCount(row.add_to_carts, 'add_to_carts'),
      checkouts: toCount(row.checkouts, 'checkouts'),
      orders: toCount(row.orders, 'orders'),
      activeUsers: toCount(row.active_users, 'active_users'),
      revenue: revenue.perWindow.get(windowStart) ?? [],
      byKind: kinds.order.map((kind) => ownValue(perKind, kind) ?? 0),
    };
  });
  const sum = (pick: (w: WindowFigures) => number) => windows.reduce((t, w) => t + pick(w), 0);
  const counts = {
    productViews: sum((w) => w.views),
    cartAdds: sum((w) => w.addToCarts),
    checkoutsStarted: sum((w) => w.checkouts),
    orders: sum((w) => w.orders),
  };
  return {
    generatedAt: options.generatedAt,
    period: {
      start: options.period?.start ?? null,
      end: options.period?.end ?? null,
      minutes: options.minutes,
      windows: windows.length,
    },
    totals: {
      events: sum((w) => w.events),
      badEvents: sum((w) => w.badEvents),
      orders: counts.orders,
      activeUsers: rows.activeUsers,
      revenue: revenue.totals,
      conversion: funnelRates(counts).viewToOrder,
    },
    funnel: funnel(counts),
    eventKinds: kinds.order,
    windows,
    platforms: rows.platforms
      .map((row): PlatformFigures => ({
        platform: toText(row.platform, 'platform'),
        events: toCount(row.events, 'events'),
        views: toCount(row.views, 'views'),
        orders: toCount(row.orders, 'orders'),
      }))
      .sort((a, b) => b.events - a.events || a.platform.localeCompare(b.platform)),
    topProducts: topProducts(rows.topProducts, rows.productNames),
  };
}

function funnel(counts: {
  productViews: number;
  cartAdds: number;
  checkoutsStarted: number;
  orders: number;
}): FunnelStep[] {
  const steps: [FunnelStepName, string, number][] = [
    ['viewed', 'Product viewed', counts.productViews],
    ['added', 'Added to cart', counts.cartAdds],
    ['checkout', 'Checkout started', counts.checkoutsStarted],
    ['ordered', 'Order completed', counts.orders],
  ];
  const rate = (to: number, from: number | undefined) =>
    from === undefined || from === 0 ? null : to / from;
  return steps.map(([step, label, count], i) => ({
    step,
    label,
    count,
    fromPrevious: i === 0 ? null : rate(count, steps[i - 1]?.[2]),
    fromFirst: rate(count, steps[0]?.[2]),
  }));
}

/**
 * Events by kind per window, summed over shards and parts: each track event name, and each
 * other type (page, identify ...) as its own kind. A track event with no name, if any, counts
 * as "track".
 */
function eventKindsPerWindow(rows: Row[]): {
  order: string[];
  perWindow: Map<string, Keyed<number>>;
} {
  const perWindow = new Map<string, Keyed<number>>();
  const totals: Keyed<number> = {};
  for (const row of rows) {
    const windowStart = toIsoTime(row.window_start, 'window_start');
    const kinds = perWindow.get(windowStart) ?? {};
    perWindow.set(windowStart, kinds);
    let named = 0;
    for (const [name, count] of toCountObject(row.events_by_name, 'events_by_name')) {
      addCount(kinds, name, count);
      addCount(totals, name, count);
      named += count;
    }
    for (const [type, count] of toCountObject(row.events_by_type, 'events_by_type')) {
      const unnamed = type === 'track' ? count - named : count;
      if (unnamed <= 0) continue;
      addCount(kinds, type, unnamed);
      addCount(totals, type, unnamed);
    }
  }
  const order = Object.keys(totals).sort(
    (a, b) => (ownValue(totals, b) ?? 0) - (ownValue(totals, a) ?? 0) || (a < b ? -1 : 1),
  );
  return { order, perWindow };
}

function revenuePerWindow(rows: Row[]): {
  perWindow: Map<string, MoneyAmount[]>;
  totals: MoneyAmount[];
} {
  const perWindow = new Map<string, MoneyAmount[]>();
  const totals = new Map<string, string>();
  for (const row of rows) {
    const windowStart = toIsoTime(row.window_start, 'window_start');
    const currency = toText(row.currency, 'currency');
    const amount = toMoney(row.revenue, 'revenue');
    perWindow.set(windowStart, [...(perWindow.get(windowStart) ?? []), { currency, amount }]);
    totals.set(currency, addMoney(totals.get(currency) ?? '0', amount));
  }
  return { perWindow, totals: largestFirst(totals) };
}

function largestFirst(amounts: Map<string, string>): MoneyAmount[] {
  return [...amounts]
    .map(([currency, amount]) => ({ currency, amount }))
    .sort((a, b) => compareMoney(b.amount, a.amount) || (a.currency < b.currency ? -1 : 1));
}

function compareMoney(a: string, b: string): number {
  const difference = parseMoney(a) - parseMoney(b);
  return difference === 0n ? 0 : difference > 0n ? 1 : -1;
}

function topProducts(rows: Row[], names: Row[]): ProductFigures[] {
  const nameOf = new Map<string, string>();
  for (const row of names) {
    if (typeof row.name === 'string') nameOf.set(toText(row.product_id, 'product_id'), row.name);
  }
  const products = new Map<string, ProductFigures>();
  for (const row of rows) {
    const productId = toText(row.product_id, 'product_id');
    let product = products.get(productId);
    if (!product) {
      product = {
        productId,
        name: nameOf.get(productId) ?? null,
        views: toCount(row.views, 'views'),
        addToCarts: toCount(row.add_to_carts, 'add_to_carts'),
        purchases: toCount(row.purchases, 'purchases'),
        revenue: [],
      };
      products.set(productId, product);
    }
    if (row.currency !== null && row.currency !== undefined) {
      const currency = toText(row.currency, 'currency');
      product.revenue.push({ currency, amount: toMoney(row.revenue, 'revenue') });
    }
  }
  return [...products.values()];
}
