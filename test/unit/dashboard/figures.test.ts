import { shapeFigures, type FigureRows } from '../../../shared/dashboard/figures.ts';

const W1 = '2026-11-25T10:00:00.000Z';
const W2 = '2026-11-25T10:00:10.000Z';
const options = {
  generatedAt: '2026-11-25T10:01:00.000Z',
  period: { start: '2026-11-25T09:00:20.000Z', end: '2026-11-25T10:00:20.000Z' },
  minutes: 60,
};

const windowRow = (start: string, counts: Record<string, unknown> = {}) => ({
  window_start: new Date(start),
  events: '0',
  rejected_events: '0',
  views: '0',
  add_to_carts: '0',
  checkouts: '0',
  orders: '0',
  active_users: '0',
  ...counts,
});

function rows(overrides: Partial<FigureRows> = {}): FigureRows {
  return {
    windows: [],
    revenue: [],
    eventKinds: [],
    platforms: [],
    topProducts: [],
    productNames: [],
    activeUsers: 0,
    ...overrides,
  };
}

describe('shaping the dashboard figures', () => {
  test.each<[string, [number, number, number, number], (number | null)[][]]>([
    [
      'a full funnel',
      [200, 50, 20, 10],
      [
        [null, 1],
        [0.25, 0.25],
        [0.4, 0.1],
        [0.5, 0.05],
      ],
    ],
    [
      'nothing viewed: no rates at all',
      [0, 0, 0, 0],
      [
        [null, null],
        [null, null],
        [null, null],
        [null, null],
      ],
    ],
    [
      'checkouts with no cart adds (a direct buy link)',
      [10, 0, 2, 1],
      [
        [null, 1],
        [0, 0],
        [null, 0.2],
        [0.5, 0.1],
      ],
    ],
  ])('funnel rates from summed counts: %s', (_, [views, adds, checkouts, orders], rates) => {
    // Split over two windows: rates come from the sums, not from per-window rates.
    const half = (n: number) => Math.floor(n / 2);
    const figures = shapeFigures(
      rows({
        windows: [
          windowRow(W1, {
            views: half(views),
            add_to_carts: half(adds),
            checkouts: half(checkouts),
            orders: half(orders),
          }),
          windowRow(W2, {
            views: views - half(views),
            add_to_carts: adds - half(adds),
            checkouts: checkouts - half(checkouts),
            orders: orders - half(orders),
          }),
        ],
      }),
      options,
    );
    expect(figures.funnel.map((s) => s.count)).toEqual([views, adds, checkouts, orders]);
    expect(figures.funnel.map((s) => [s.fromPrevious, s.fromFirst])).toEqual(rates);
    expect(figures.totals.conversion).toBe(rates[3]?.[1]);
  });

  test('event kinds: track events by name, other types by type, unnamed track as "track"', () => {
    const figures = shapeFigures(
      rows({
        windows: [windowRow(W1), windowRow(W2)],
        eventKinds: [
          { window_start: W1, events_by_type: { track: 5, page: 2 }, events_by_name: { A: 4 } },
          { window_start: W1, events_by_type: '{"track":1}', events_by_name: '{"B":1}' },
          {
            window_start: W2,
            events_by_type: { track: 3, identify: 1 },
            events_by_name: { B: 3 },
          },
        ],
      }),
      options,
    );
    // Totals: A 4, B 4, page 2, identify 1, track (unnamed) 1; ties by name.
    expect(figures.eventKinds).toEqual(['A', 'B', 'page', 'identify', 'track']);
    expect(figures.windows.map((w) => w.byKind)).toEqual([
      [4, 1, 2, 0, 1],
      [0, 3, 0, 1, 0],
    ]);
  });

  test('a window with no tallies has zeros for every kind', () => {
    const figures = shapeFigures(
      rows({
        windows: [windowRow(W1), windowRow(W2)],
        eventKinds: [{ window_start: W2, events_by_type: { page: 2 }, events_by_name: {} }],
      }),
      options,
    );
    expect(figures.windows.map((w) => w.byKind)).toEqual([[0], [2]]);
  });

  test('revenue per currency, exact, largest first; never added across currencies', () => {
    const figures = shapeFigures(
      rows({
        windows: [windowRow(W1), windowRow(W2)],
        revenue: [
          { window_start: W1, currency: 'EUR', revenue: '0.100000' },
          { window_start: W1, currency: 'USD', revenue: '0.100000' },
          { window_start: W2, currency: 'EUR', revenue: '0.200000' },
          { window_start: W2, currency: 'GBP', revenue: '0.300000' },
        ],
      }),
      options,
    );
    expect(figures.totals.revenue).toEqual([
      { currency: 'EUR', amount: '0.300000' }, // 0.1 + 0.2, exactly
      { currency: 'GBP', amount: '0.300000' },
      { currency: 'USD', amount: '0.100000' },
    ]);
    expect(figures.windows[1]?.revenue).toEqual([
      { currency: 'EUR', amount: '0.200000' },
      { currency: 'GBP', amount: '0.300000' },
    ]);
  });

  test('totals are the sums of the windows; active users come as counted', () => {
    const figures = shapeFigures(
      rows({
        windows: [
          windowRow(W1, { events: '10', rejected_events: '1', orders: '2', active_users: '4' }),
          windowRow(W2, { events: 5, rejected_events: 2, orders: 1, active_users: 3 }),
        ],
        activeUsers: 6,
      }),
      options,
    );
    expect(figures.totals).toMatchObject({ events: 15, badEvents: 3, orders: 3, activeUsers: 6 });
    expect(figures.period).toEqual({ ...options.period, minutes: 60, windows: 2 });
    expect(figures.windows.map((w) => w.windowStart)).toEqual([W1, W2]);
  });

  test('top products keep their order, gather currencies and take names where known', () => {
    const product = (id: string, currency: string | null, revenue: string | null) => ({
      product_id: id,
      views: '9',
      add_to_carts: '3',
      purchases: '2',
      currency,
      revenue,
    });
    const figures = shapeFigures(
      rows({
        topProducts: [
          product('p-2', 'EUR', '10.000000'),
          product('p-2', 'USD', '1.500000'),
          product('__proto__', null, null),
        ],
        productNames: [
          { product_id: 'p-2', name: 'Mug' },
          { product_id: '__proto__', name: null },
        ],
      }),
      options,
    );
    expect(figures.topProducts).toEqual([
      {
        productId: 'p-2',
        name: 'Mug',
        views: 9,
        addToCarts: 3,
        purchases: 2,
        revenue: [
          { currency: 'EUR', amount: '10.000000' },
          { currency: 'USD', amount: '1.500000' },
        ],
      },
      { productId: '__proto__', name: null, views: 9, addToCarts: 3, purchases: 2, revenue: [] },
    ]);
  });

  test('no period: empty figures', () => {
    const figures = shapeFigures(rows(), { ...options, period: null });
    expect(figures.period).toEqual({ start: null, end: null, minutes: 60, windows: 0 });
    expect(figures.totals.conversion).toBeNull();
  });
});
