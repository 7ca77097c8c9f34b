import type { DashboardFigures, WindowFigures } from '../../../shared/dashboard/figures.ts';
import {
  eventsPerMinute,
  formatAmount,
  formatReport,
  table,
} from '../../../tools/report/report-text.ts';

const window = (windowStart: string, byKind: number[], badEvents = 0): WindowFigures => ({
  windowStart,
  events: byKind.reduce((a, b) => a + b, 0),
  badEvents,
  views: 0,
  addToCarts: 0,
  checkouts: 0,
  orders: 0,
  activeUsers: 0,
  revenue: [],
  byKind,
});

describe('the report as text', () => {
  test.each([
    ['50.000000', '50.00'],
    ['0.125000', '0.125'],
    ['19.990000', '19.99'],
    ['1234567.100000', '1234567.10'],
    ['0.000001', '0.000001'],
  ])('money %s is printed exactly as %s', (amount, printed) => {
    expect(formatAmount(amount)).toBe(printed);
  });

  test('tables align: first column left, the rest right', () => {
    expect(
      table(
        ['what', 'n'],
        [
          ['orders', '3'],
          ['bad events', '12'],
        ],
      ),
    ).toBe(
      ['  what         n', '  ----------  --', '  orders       3', '  bad events  12'].join('\n'),
    );
  });

  test('10-second windows are summed per minute', () => {
    expect(
      eventsPerMinute([
        window('2026-11-25T10:00:00.000Z', [1, 2], 1),
        window('2026-11-25T10:00:50.000Z', [3, 0]),
        window('2026-11-25T10:01:00.000Z', [0, 5], 2),
      ]),
    ).toEqual([
      { minute: '2026-11-25T10:00:00.000Z', events: 6, badEvents: 1, byKind: [4, 2] },
      { minute: '2026-11-25T10:01:00.000Z', events: 5, badEvents: 2, byKind: [0, 5] },
    ]);
  });

  test('the whole report', () => {
    const figures: DashboardFigures = {
      generatedAt: '2026-11-25T10:02:30.000Z',
      period: {
        start: '2026-11-25T09:02:00.000Z',
        end: '2026-11-25T10:02:00.000Z',
        minutes: 60,
        windows: 2,
      },
      totals: {
        events: 11,
        badEvents: 3,
        orders: 2,
        activeUsers: 4,
        revenue: [
          { currency: 'USD', amount: '50.000000' },
          { currency: 'EUR', amount: '5.500000' },
        ],
        conversion: 0.25,
      },
      funnel: [
        { step: 'viewed', label: 'Product viewed', count: 8, fromPrevious: null, fromFirst: 1 },
        { step: 'added', label: 'Added to cart', count: 4, fromPrevious: 0.5, fromFirst: 0.5 },
        {
          step: 'checkout',
          label: 'Checkout started',
          count: 2,
          fromPrevious: 0.5,
          fromFirst: 0.25,
        },
        { step: 'ordered', label: 'Order completed', count: 2, fromPrevious: 1, fromFirst: 0.25 },
      ],
      eventKinds: ['Product Viewed', 'page', 'identify'],
      windows: [
        window('2026-11-25T10:00:00.000Z', [5, 1, 0], 1),
        window('2026-11-25T10:01:00.000Z', [3, 1, 1], 2),
      ],
      topProducts: [
        {
          productId: 'p-1',
          name: 'Yoga Mat',
          views: 5,
          addToCarts: 2,
          purchases: 3,
          revenue: [{ currency: 'USD', amount: '50.000000' }],
        },
        { productId: 'p-2', name: null, views: 4, addToCarts: 1, purchases: 0, revenue: [] },
      ],
      platforms: [],
    };
    expect(formatReport(figures, { kindColumns: 2 }))
      .toBe(`Clickstream report: 2026-11-25 09:02:00–10:02:00 UTC, 2 windows (the 60 minutes up to the newest window)

Totals
  figure                                value
  ------------------------------------  -------------------
  revenue                               50.00 USD, 5.50 EUR
  orders                                2
  active users                          4
  conversion (orders per product view)  25.0 %
  events                                11
  bad events                            3

Funnel
  step              count  of previous  of viewed
  ----------------  -----  -----------  ---------
  Product viewed        8                 100.0 %
  Added to cart         4       50.0 %     50.0 %
  Checkout started      2       50.0 %     25.0 %
  Order completed       2      100.0 %     25.0 %

Top products
  #  product         views  added  units ordered    revenue
  -  --------------  -----  -----  -------------  ---------
  1  Yoga Mat (p-1)      5      2              3  50.00 USD
  2  p-2                 4      1              0          –

Events per minute by kind (the last 2 minutes)
  minute (UTC)  events  Product Viewed  page  other  bad events
  ------------  ------  --------------  ----  -----  ----------
  10:00              6               5     1      0           1
  10:01              5               3     1      1           2

Generated 2026-11-25T10:02:30.000Z
`);
  });

  test('web and app side by side, when the period has events', () => {
    const text = formatReport({
      generatedAt: '2026-11-25T10:02:30.000Z',
      period: { start: null, end: null, minutes: 60, windows: 0 },
      totals: { events: 0, badEvents: 0, orders: 0, activeUsers: 0, revenue: [], conversion: null },
      funnel: [],
      eventKinds: [],
      windows: [],
      platforms: [
        { platform: 'web', events: 13, views: 5, orders: 3 },
        { platform: 'ios', events: 3, views: 2, orders: 0 },
      ],
      topProducts: [],
    });
    const section = text.slice(text.indexOf('Web and app\n'), text.indexOf('Top products'));
    expect(section.split('\n').map((line) => line.trim().split(/\s+/))).toEqual([
      ['Web', 'and', 'app'],
      ['platform', 'events', 'page/screen', 'views', 'orders'],
      expect.arrayContaining([]),
      ['web', '13', '5', '3'],
      ['ios', '3', '2', '0'],
      [''],
      [''],
    ]);
  });

  test('an empty warehouse says so and what to do', () => {
    const text = formatReport({
      generatedAt: '2026-11-25T10:02:30.000Z',
      period: { start: null, end: null, minutes: 60, windows: 0 },
      totals: { events: 0, badEvents: 0, orders: 0, activeUsers: 0, revenue: [], conversion: null },
      funnel: [],
      eventKinds: [],
      windows: [],
      platforms: [],
      topProducts: [],
    });
    expect(text).toContain('no windows in the warehouse yet (send events: npm run simulate)');
    expect(text).toMatch(/\n  revenue +0\.00\n/);
    expect(text).toContain('Top products\n  none in this period');
  });
});
