import fc from 'fast-check';
import { formatMicros, parseMoney, toMicros } from '../../../shared/analytics/money.ts';

describe('toMicros reads the decimal the client wrote', () => {
  it.each([
    [0, 0n],
    [-0, 0n],
    [1, 1_000_000n],
    [19.99, 19_990_000n],
    [0.1, 100_000n],
    [0.30000000000000004, 300_000n],
    [123456.789, 123_456_789_000n],
    [0.000001, 1n],
    [1e-7, 0n],
    [5e-7, 1n],
    [0.0000015, 2n],
    [0.0000014999, 1n],
    [1e21, 10n ** 27n],
    [1.5e25, 15n * 10n ** 30n],
    [Number.MAX_SAFE_INTEGER, 9_007_199_254_740_991_000_000n],
  ])('%p is %p micro-units', (amount, micros) => {
    expect(toMicros(amount)).toBe(micros);
  });

  it.each([[-1], [-0.01], [Number.NaN], [Infinity], [-Infinity]])('%p is no amount', (amount) => {
    expect(toMicros(amount)).toBeUndefined();
  });

  it('any amount of cents or micro-units comes back as the integer it was made from', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), (cents) => {
        expect(toMicros(cents / 100)).toBe(BigInt(cents) * 10_000n);
      }),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e14 }), (micros) => {
        expect(toMicros(micros / 1e6)).toBe(BigInt(micros));
      }),
    );
  });
});

describe('emitted amounts', () => {
  it.each([
    [0n, '0.000000'],
    [1n, '0.000001'],
    [19_990_000n, '19.990000'],
    [-1_500_000n, '-1.500000'],
    [10n ** 27n, '1000000000000000000000.000000'],
  ])('%p is written %p and read back', (micros, text) => {
    expect(formatMicros(micros)).toBe(text);
    expect(parseMoney(text)).toBe(micros);
  });

  it.each([['12'], ['12.5'], ['-0.25']])('%p, a shorter decimal, is read too', (text) => {
    expect(formatMicros(parseMoney(text))).toBe(Number(text).toFixed(6));
  });

  it.each([['1.2345678'], ['1e5'], [''], ['abc'], ['1,50'], ['.5']])('%p is refused', (text) => {
    expect(() => parseMoney(text)).toThrow(RangeError);
  });
});
