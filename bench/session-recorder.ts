/**
 * One visitor's browser, as analytics.js sees it: a clock, the current page, and the
 * Segment messages each step sends. Order arithmetic is in whole cents.
 */
import { LIBRARY, SHOP_ORIGIN, type Product, type Random } from './fixture-catalog.ts';

export interface PageContext {
  url: string;
  path: string;
  referrer: string;
  title: string;
  search: string;
}

export interface FixtureEvent {
  type: 'track' | 'page' | 'identify';
  messageId: string;
  anonymousId: string;
  userId?: string;
  timestamp: string;
  event?: string;
  name?: string;
  properties?: Record<string, unknown>;
  traits?: Record<string, unknown>;
  context: {
    ip: string;
    userAgent: string;
    locale: string;
    timezone: string;
    library: { name: string; version: string };
    page: PageContext;
  };
}

/** 2026-11-25T09:00:00Z: a Wednesday morning in Europe, the night in the Americas. */
export const FIXTURE_EPOCH_MS = Date.UTC(2026, 10, 25, 9, 0, 0);

export interface Visitor {
  anonymousId: string;
  userId?: string;
  ip: string;
  userAgent: string;
  locale: string;
  timezone: string;
}

/** Records one visitor's messages, keeping the clock and the current page as a browser would. */
export class SessionRecorder {
  readonly events: FixtureEvent[] = [];
  private page: PageContext;

  constructor(
    private readonly rng: Random,
    readonly visitor: Visitor,
    private clockMs: number,
    referrer: string,
  ) {
    this.page = { url: SHOP_ORIGIN, path: '/', referrer, title: '', search: '' };
  }

  /** The page now shown: the referrer is the page before, unless the visitor went back first. */
  visit(name: string, path: string, title: string, referrer?: string): void {
    this.tick(3, 40);
    const [pathname = path, query] = path.split('?');
    this.page = {
      url: `${SHOP_ORIGIN}${path}`,
      path: pathname,
      referrer: referrer ?? (this.page.title === '' ? this.page.referrer : this.page.url),
      title,
      search: query ? `?${query}` : '',
    };
    this.push({ ...this.envelope('page'), name, properties: { ...this.page, name } });
  }

  get pageUrl(): string {
    return this.page.url;
  }

  track(event: string, properties: Record<string, unknown>): void {
    this.tick(1, 25);
    this.push({ ...this.envelope('track'), event, properties });
  }

  identify(userId: string, traits: Record<string, unknown>): void {
    this.visitor.userId = userId;
    this.tick(1, 5);
    this.push({ ...this.envelope('identify'), traits });
  }

  private envelope(type: FixtureEvent['type']): FixtureEvent {
    const { anonymousId, userId, ip, userAgent, locale, timezone } = this.visitor;
    return {
      type,
      messageId: `ajs-next-${this.rng.uuid()}`,
      anonymousId,
      ...(userId ? { userId } : {}),
      timestamp: new Date(this.clockMs).toISOString(),
      context: { ip, userAgent, locale, timezone, library: { ...LIBRARY }, page: { ...this.page } },
    };
  }

  private push(event: FixtureEvent): void {
    this.events.push(event);
  }

  private tick(minSeconds: number, maxSeconds: number): void {
    this.clockMs += this.rng.int(minSeconds * 1000, maxSeconds * 1000);
  }
}

export const dollars = (cents: number) => cents / 100;

export function productProperties(product: Product, extra: Record<string, unknown> = {}) {
  const { priceCents, ...fields } = product;
  return { ...fields, price: dollars(priceCents), ...extra };
}

export interface CartLine {
  product: Product;
  quantity: number;
}

/** Order arithmetic in whole cents, so totals in the events add up to the cent. */
export function priceOrder(lines: readonly CartLine[], couponPercent: number) {
  const subtotal = lines.reduce((sum, l) => sum + l.product.priceCents * l.quantity, 0);
  const discount = Math.round((subtotal * couponPercent) / 100);
  const revenue = subtotal - discount;
  const shipping = revenue >= 7_500 ? 0 : 595;
  const tax = Math.round(revenue * 0.0825);
  return {
    subtotal: dollars(subtotal),
    discount: dollars(discount),
    revenue: dollars(revenue),
    shipping: dollars(shipping),
    tax: dollars(tax),
    total: dollars(revenue + shipping + tax),
  };
}
