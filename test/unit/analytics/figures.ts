import { parseMoney } from '../../../shared/analytics/money.ts';
import type { MetricsRow, ProductMetricsRow } from '../../../shared/analytics/metric-rows.ts';

/**
 * A window's figures in a form jest compares exactly: Maps turned into key-sorted entry
 * lists, money as bigint micro-units. Filled either from emitted rows (summed over shards
 * and parts, as a warehouse query would) or by the test's oracle from the unique events.
 */
export interface Figures {
  events: number;
  rejected: number;
  byType: Entries<number>;
  byName: Entries<number>;
  byPlatform: Entries<number>;
  viewsByPlatform: Entries<number>;
  ordersByPlatform: Entries<number>;
  productViews: number;
  cartAdds: number;
  cartRemoves: number;
  checkoutsStarted: number;
  orders: number;
  refunds: number;
  revenue: Entries<bigint>;
  refundAmount: Entries<bigint>;
  activeUsers: number;
  products: Entries<ProductFigures>;
}

export interface ProductFigures {
  views: number;
  adds: number;
  removes: number;
  purchases: number;
  revenue: Entries<bigint>;
}

type Entries<T> = Array<[string, T]>;
const ROW_COUNTERS = [
  'productViews',
  'cartAdds',
  'cartRemoves',
  'checkoutsStarted',
  'orders',
  'refunds',
  'activeUsers',
] as const;
type Counter = 'events' | 'rejected' | (typeof ROW_COUNTERS)[number];
type ProductCounter = 'views' | 'adds' | 'removes' | 'purchases';

const sorted = <T>(map: Map<string, T>): Entries<T> =>
  [...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));

export function bump<T extends number | bigint>(map: Map<string, T>, key: string, by: T): void {
  const current = map.get(key);
  map.set(key, (current === undefined ? by : (current as number) + (by as number)) as T);
}

class ProductSums {
  counts = new Map<ProductCounter, number>();
  revenue = new Map<string, bigint>();
}

export class FigureSums {
  private counts = new Map<Counter, number>();
  byType = new Map<string, number>();
  byName = new Map<string, number>();
  byPlatform = new Map<string, number>();
  viewsByPlatform = new Map<string, number>();
  ordersByPlatform = new Map<string, number>();
  revenue = new Map<string, bigint>();
  refundAmount = new Map<string, bigint>();
  private products = new Map<string, ProductSums>();

  count(field: Counter, by = 1): void {
    bump(this.counts, field, by);
  }

  /** Touches the product even when `by` is 0, as a row exists for every product mentioned. */
  countProduct(productId: string, field: ProductCounter, by = 1): void {
    bump(this.product(productId).counts, field, by);
  }

  addProductRevenue(productId: string, currency: string, micros: bigint): void {
    bump(this.product(productId).revenue, currency, micros);
  }

  private product(productId: string): ProductSums {
    let sums = this.products.get(productId);
    if (!sums) this.products.set(productId, (sums = new ProductSums()));
    return sums;
  }

  addMetricsRow(row: MetricsRow): void {
    this.count('events', row.events);
    this.count('rejected', row.rejectedEvents);
    for (const field of ROW_COUNTERS) this.count(field, row[field]);
    for (const [name, n] of Object.entries(row.eventsByType)) bump(this.byType, name, n);
    for (const [name, n] of Object.entries(row.eventsByName)) bump(this.byName, name, n);
    for (const [p, n] of Object.entries(row.eventsByPlatform)) bump(this.byPlatform, p, n);
    for (const [p, n] of Object.entries(row.viewsByPlatform)) bump(this.viewsByPlatform, p, n);
    for (const [p, n] of Object.entries(row.ordersByPlatform)) bump(this.ordersByPlatform, p, n);
    for (const [code, text] of Object.entries(row.revenueByCurrency)) {
      bump(this.revenue, code, parseMoney(text));
    }
    for (const [code, text] of Object.entries(row.refundAmountByCurrency)) {
      bump(this.refundAmount, code, parseMoney(text));
    }
  }

  addProductRow(row: ProductMetricsRow): void {
    this.countProduct(row.productId, 'views', row.views);
    this.countProduct(row.productId, 'adds', row.adds);
    this.countProduct(row.productId, 'removes', row.removes);
    this.countProduct(row.productId, 'purchases', row.purchases);
    for (const [code, text] of Object.entries(row.revenueByCurrency)) {
      this.addProductRevenue(row.productId, code, parseMoney(text));
    }
  }

  figures(): Figures {
    const n = (field: Counter) => this.counts.get(field) ?? 0;
    const products = new Map<string, ProductFigures>();
    for (const [id, sums] of this.products) {
      const c = (field: ProductCounter) => sums.counts.get(field) ?? 0;
      products.set(id, {
        views: c('views'),
        adds: c('adds'),
        removes: c('removes'),
        purchases: c('purchases'),
        revenue: sorted(sums.revenue),
      });
    }
    return {
      events: n('events'),
      rejected: n('rejected'),
      byType: sorted(this.byType),
      byName: sorted(this.byName),
      byPlatform: sorted(this.byPlatform),
      viewsByPlatform: sorted(this.viewsByPlatform),
      ordersByPlatform: sorted(this.ordersByPlatform),
      productViews: n('productViews'),
      cartAdds: n('cartAdds'),
      cartRemoves: n('cartRemoves'),
      checkoutsStarted: n('checkoutsStarted'),
      orders: n('orders'),
      refunds: n('refunds'),
      revenue: sorted(this.revenue),
      refundAmount: sorted(this.refundAmount),
      activeUsers: n('activeUsers'),
      products: sorted(products),
    };
  }
}
