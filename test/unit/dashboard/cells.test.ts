import {
  FigureError,
  toCount,
  toCountObject,
  toIsoTime,
  toMoney,
} from '../../../shared/dashboard/figure-cells.ts';

describe('reading result cells from any driver', () => {
  test.each<[string, unknown, number]>([
    ['pg bigint as text', '42', 42],
    ['a number (PGlite, Data API longValue)', 7, 7],
    ['a bigint', 12n, 12],
    ['NULL (SUM over no rows)', null, 0],
    ['zero', '0', 0],
  ])('count from %s', (_, cell, expected) => {
    expect(toCount(cell, 'n')).toBe(expected);
  });

  test.each<[string, unknown]>([
    ['a negative count', -1],
    ['a fraction', '1.5'],
    ['text', 'many'],
    ['an empty string', ''],
    ['an unsafe integer', '9007199254740993'],
    ['a boolean', true],
  ])('refuses %s as a count', (_, cell) => {
    expect(() => toCount(cell, 'orders')).toThrow(FigureError);
    expect(() => toCount(cell, 'orders')).toThrow(/^orders: not a count/);
  });

  test.each<[string, unknown, string]>([
    ['a Date (pg)', new Date('2026-11-25T10:00:00Z'), '2026-11-25T10:00:00.000Z'],
    ['Redshift text, +00', '2026-11-25 10:00:00+00', '2026-11-25T10:00:00.000Z'],
    [
      'text with micros and an offset',
      '2026-11-25 11:30:00.123456+01:30',
      '2026-11-25T10:00:00.123Z',
    ],
    ['a compact offset', '2026-11-25 15:30:00-0530', '2026-11-25T21:00:00.000Z'],
    ['ISO with Z', '2026-11-25T10:00:00.000Z', '2026-11-25T10:00:00.000Z'],
    ['no zone (read as UTC)', '2026-11-25 10:00:00', '2026-11-25T10:00:00.000Z'],
  ])('time from %s', (_, cell, expected) => {
    expect(toIsoTime(cell, 'window_start')).toBe(expected);
  });

  test.each<[string, unknown]>([
    ['null', null],
    ['an invalid Date', new Date('nope')],
    ['a date alone', '2026-11-25'],
    ['an impossible time', '2026-11-25 25:00:00+00'],
  ])('refuses %s as a time', (_, cell) => {
    expect(() => toIsoTime(cell, 'window_start')).toThrow(/^window_start: not a timestamp/);
  });

  test.each<[unknown, string]>([
    ['19.990000', '19.990000'],
    ['5.5', '5.500000'],
    [null, '0.000000'],
    [12, '12.000000'],
  ])('money %p is kept exact as %p', (cell, expected) => {
    expect(toMoney(cell, 'revenue')).toBe(expected);
  });

  test.each<unknown>(['1.1234567', 'abc', {}, ''])('refuses %p as money', (cell) => {
    expect(() => toMoney(cell, 'revenue')).toThrow(/^revenue: not a decimal amount/);
  });

  test.each<[string, unknown, [string, number][]]>([
    [
      'jsonb (parsed)',
      { track: 3, page: 1 },
      [
        ['track', 3],
        ['page', 1],
      ],
    ],
    ['SUPER (JSON text)', '{"track":3}', [['track', 3]]],
    ['NULL', null, []],
    ['an own __proto__ key', JSON.parse('{"__proto__":2}'), [['__proto__', 2]]],
  ])('count objects from %s', (_, cell, expected) => {
    expect(toCountObject(cell, 'events_by_type')).toEqual(expected);
  });

  test.each<unknown>(['[1]', 'not json', 5, { track: 'x' }])(
    'refuses %p as a count object',
    (cell) => {
      expect(() => toCountObject(cell, 'events_by_type')).toThrow(FigureError);
    },
  );
});
