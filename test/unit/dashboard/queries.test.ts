import {
  activeUsersQuery,
  eventKindsQuery,
  latestWindowQuery,
  productNamesQuery,
  revenueQuery,
  sqlTimestamp,
  topProductsQuery,
  windowsQuery,
  type Query,
} from '../../../shared/dashboard/queries.ts';

const period = { start: '2026-11-25T09:00:00.000Z', end: '2026-11-25T10:00:00.000Z' };

describe('the dashboard SQL', () => {
  test.each<[string, Query]>([
    ['latest window', latestWindowQuery()],
    ['windows', windowsQuery(period)],
    ['revenue', revenueQuery(period)],
    ['event kinds', eventKindsQuery(period)],
    ['top products', topProductsQuery(period, 10)],
    ['product names', productNamesQuery(period, ['p-1', "p-2'; DROP TABLE events; --"])],
    ['active users', activeUsersQuery(period)],
  ])('%s: every value a parameter, every parameter used', (_, query) => {
    const used = new Set([...query.sql.matchAll(/\$(\d+)/g)].map((m) => Number(m[1])));
    expect([...used].sort((a, b) => a - b)).toEqual(query.params.map((_, i) => i + 1));
    expect(query.sql).not.toContain('2026');
    expect(query.sql).not.toContain("'");
  });

  test('timestamps travel as text both dialects parse', () => {
    expect(windowsQuery(period).params).toEqual([
      '2026-11-25 09:00:00.000+00',
      '2026-11-25 10:00:00.000+00',
    ]);
    expect(sqlTimestamp('2026-11-25T09:00:00.123Z')).toBe('2026-11-25 09:00:00.123+00');
  });

  test.each([0, 51, 1.5, Number.NaN])('a top-products limit of %p is refused', (limit) => {
    expect(() => topProductsQuery(period, limit)).toThrow(RangeError);
  });
});
