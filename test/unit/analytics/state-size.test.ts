import { accumulate } from '../../../shared/analytics/accumulate.ts';
import { emitRows, type ProductMetricsRow } from '../../../shared/analytics/metric-rows.ts';
import {
  emptyState,
  isStateTooLarge,
  nextPartState,
  restoreState,
  stateBytes,
  type WindowState,
} from '../../../shared/analytics/window-state.ts';
import type { StreamRecord } from '../../../shared/event-contract/clickstream-event.ts';
import { page, track, WINDOW } from './fixtures.ts';

const LAMBDA_STATE_CAP = 1_048_576;

/** A UUID-sized id, as SDKs make them, so sizes are those of real traffic. */
const uuidLike = (prefix: string, n: number) =>
  `${prefix}${n.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`.slice(0, 36);

function views(from: number, count: number): StreamRecord[] {
  return Array.from({ length: count }, (_, i) =>
    track(
      'Product Viewed',
      { product_id: `product-${String(from + i).padStart(6, '0')}` },
      { messageId: uuidLike('m', from + i), anonymousId: uuidLike('a', (from + i) % 5000) },
    ),
  );
}

describe('state size against the 1 MB cap', () => {
  it('50,000 distinct products: too large is reported before the state passes 1 MiB', () => {
    let state = emptyState();
    let firstTooLarge: number | undefined;
    for (let from = 0; from < 50_000 && firstTooLarge === undefined; from += 500) {
      state = accumulate(state, views(from, 500));
      if (isStateTooLarge(state)) firstTooLarge = stateBytes(state);
    }
    expect(firstTooLarge).toBeDefined();
    expect(firstTooLarge).toBeLessThanOrEqual(LAMBDA_STATE_CAP);
    expect(firstTooLarge).toBeLessThanOrEqual(1_000_000);
  });

  it('a handler that ends parts when told counts all 50,000 and never returns a state over the limit', () => {
    let state = emptyState();
    const products: ProductMetricsRow[] = [];
    let largestReturned = 0;
    for (let from = 0; from < 50_000; from += 2500) {
      state = accumulate(state, views(from, 2500));
      if (isStateTooLarge(state)) {
        products.push(...emitRows(state, WINDOW).products);
        state = nextPartState(state);
      }
      largestReturned = Math.max(largestReturned, stateBytes(state));
    }
    const last = emitRows(state, WINDOW);
    products.push(...last.products);

    expect(largestReturned).toBeLessThanOrEqual(state.limits.maxStateBytes);
    expect(last.metrics.part).toBeGreaterThan(1);
    expect(new Set(products.map((row) => row.productId)).size).toBe(50_000);
    expect(products.reduce((sum, row) => sum + row.views, 0)).toBe(50_000);
  });

  it('users that outgrow their carry limit are dropped at the cut, and the rows say so', () => {
    const limits = { maxStateBytes: 10_000, dedupBytes: 2_000, carriedUserBytes: 1_000 };
    const users = (from: number) =>
      Array.from({ length: 50 }, (_, i) => page({ anonymousId: uuidLike('a', from + i) }));
    const part1 = accumulate(emptyState(limits), users(0));
    expect(isStateTooLarge(part1)).toBe(false);
    expect(emitRows(part1, WINDOW).metrics).toMatchObject({
      activeUsers: 50,
      activeUsersExact: true,
    });

    const part2 = nextPartState(part1);
    expect(part2.users).toEqual([]);
    expect(stateBytes(part2)).toBeLessThan(limits.maxStateBytes);
    const rows = emitRows(accumulate(part2, users(25)), WINDOW).metrics;
    expect(rows).toMatchObject({ part: 2, activeUsers: 50, activeUsersExact: false });
  });

  it('users that fit are carried: the next part emits only new users', () => {
    const part1 = accumulate(emptyState(), [
      page({ anonymousId: 'a1' }),
      page({ anonymousId: 'a2' }),
    ]);
    const part2 = accumulate(nextPartState(part1), [
      page({ anonymousId: 'a2' }),
      page({ anonymousId: 'a3' }),
    ]);
    expect(emitRows(part2, WINDOW).metrics).toMatchObject({
      activeUsers: 1,
      activeUsersExact: true,
    });
  });
});

describe('the state is JSON', () => {
  const busy = (): WindowState =>
    accumulate(emptyState(), [
      track('Order Completed', {
        order_id: 'o1',
        revenue: 12.34,
        currency: 'EUR',
        products: [{ product_id: '__proto__', price: 1.5, quantity: 2 }],
      }),
      track('constructor'),
      page(),
    ]);

  it('survives JSON as Lambda passes it between invocations, "__proto__" keys included', () => {
    const state = busy();
    const restored = restoreState(JSON.parse(JSON.stringify(state)));
    expect(restored).toStrictEqual(state);
    expect(emitRows(restored, WINDOW)).toEqual(emitRows(state, WINDOW));
    const more = accumulate(restored, [track('Product Added', { product_id: '__proto__' })]);
    const row = emitRows(more, WINDOW).products.find((p) => p.productId === '__proto__');
    expect(row).toMatchObject({ adds: 1, purchases: 2, revenueByCurrency: { EUR: '3.000000' } });
  });

  it.each([[{}], [null], [undefined], [{ version: 2, tally: {} }]])(
    'restoreState(%j) starts a new window',
    (raw) => {
      expect(restoreState(raw)).toEqual(emptyState());
    },
  );

  it.each([
    [{ dedupIds: 0 }],
    [{ maxStateBytes: 1.5 }],
    [{ carriedUserBytes: -1 }],
    [{ maxStateBytes: 500_000, dedupBytes: 300_000, carriedUserBytes: 200_000 }],
  ])('emptyState(%j) refuses limits that cannot work', (limits) => {
    expect(() => emptyState(limits)).toThrow(RangeError);
  });
});
