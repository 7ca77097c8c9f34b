import type { SqlExecutor } from '../adapters/postgres/sql-executor.ts';
import { toCount, toIsoTime } from './figure-cells.ts';
import { shapeFigures, type DashboardFigures } from './figures.ts';
import {
  activeUsersQuery,
  eventKindsQuery,
  platformsQuery,
  latestWindowQuery,
  productNamesQuery,
  revenueQuery,
  topProductsQuery,
  windowsQuery,
  type Period,
  type Query,
} from './queries.ts';

/** The port the dashboard, its JSON endpoint and `npm run report` read figures through. */
export interface DashboardReader {
  figures(options?: ReadOptions): Promise<DashboardFigures>;
}

export interface ReadOptions {
  /** How far back from the newest window; default 60. */
  minutes?: number;
  /** Rows of the top-products table; default 10. */
  topProducts?: number;
}

export const DEFAULT_MINUTES = 60;
export const MAX_MINUTES = 7 * 24 * 60;
export const DEFAULT_TOP_PRODUCTS = 10;

/**
 * Reads the figures with a few SELECTs over any SqlExecutor: a pg Pool (PostgresWarehouse:
 * PostgreSQL, the local PGlite on the wire), PGlite in process, or the Redshift Data API
 * (RedshiftDataApiClient.statements()). The newest window is read first and bounds every
 * other query, so a window loaded while they run is left for the next refresh rather than
 * counted in some figures and not in others.
 */
export class SqlDashboardReader implements DashboardReader {
  constructor(
    private readonly warehouse: SqlExecutor,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async figures(options: ReadOptions = {}): Promise<DashboardFigures> {
    const minutes = options.minutes ?? DEFAULT_MINUTES;
    const limit = options.topProducts ?? DEFAULT_TOP_PRODUCTS;
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_MINUTES) {
      throw new RangeError(`minutes must be an integer 1-${MAX_MINUTES}`);
    }
    const generatedAt = this.now().toISOString();
    const [latest] = await this.rows(latestWindowQuery());
    const end = latest?.period_end ?? null;
    if (end === null || end === undefined) {
      const empty = {
        windows: [],
        revenue: [],
        eventKinds: [],
        platforms: [],
        topProducts: [],
        productNames: [],
      };
      return shapeFigures({ ...empty, activeUsers: 0 }, { generatedAt, period: null, minutes });
    }
    const endIso = toIsoTime(end, 'period_end');
    const period: Period = {
      start: new Date(Date.parse(endIso) - minutes * 60_000).toISOString(),
      end: endIso,
    };
    const [windows, revenue, eventKinds, platforms, topProducts, activeUsers] = await Promise.all([
      this.rows(windowsQuery(period)),
      this.rows(revenueQuery(period)),
      this.rows(eventKindsQuery(period)),
      this.rows(platformsQuery(period)),
      this.rows(topProductsQuery(period, limit)),
      this.rows(activeUsersQuery(period)),
    ]);
    const ids = [...new Set(topProducts.map((row) => String(row.product_id)))];
    const productNames = ids.length > 0 ? await this.rows(productNamesQuery(period, ids)) : [];
    return shapeFigures(
      {
        windows,
        revenue,
        eventKinds,
        platforms,
        topProducts,
        productNames,
        activeUsers: toCount(activeUsers[0]?.active_users, 'active_users'),
      },
      { generatedAt, period, minutes },
    );
  }

  private async rows(query: Query): Promise<Record<string, unknown>[]> {
    return (await this.warehouse.query(query.sql, query.params)).rows;
  }
}
