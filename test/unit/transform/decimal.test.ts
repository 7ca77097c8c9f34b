import fc from 'fast-check';
import { amountColumn, decimalString } from '../../../shared/transform/decimal.ts';

describe('decimalString: amounts as exact decimal strings', () => {
  it.each([
    [19.99, '19.99'],
    [0.1, '0.1'],
    [0.2, '0.2'],
    [0.3, '0.3'],
    [1.005, '1.005'],
    [100, '100'],
    [0, '0'],
    [-0, '0'],
    [-12.5, '-12.5'],
    [1e-7, '0.0000001'],
    [1.5e-10, '0.00000000015'],
    [1e21, '1000000000000000000000'],
    [1.2345e22, '12345000000000000000000'],
    [9007199254740991, '9007199254740991'],
  ])('%d -> %s', (value, expected) => {
    expect(decimalString(value)).toBe(expected);
  });

  it('keeps 0.1 + 0.2 style amounts exact: each amount is printed as sent, never summed', () => {
    const parsed = JSON.parse('{"price":0.1,"shipping":0.2,"total":0.3}') as Record<string, number>;
    expect(Object.values(parsed).map(decimalString)).toEqual(['0.1', '0.2', '0.3']);
    // What the same amounts become when code does arithmetic on floats, which this never does:
    expect(String((parsed.price ?? 0) + (parsed.shipping ?? 0))).toBe('0.30000000000000004');
  });

  it.each([[NaN], [Infinity], [-Infinity]])('gives null for %d', (value) => {
    expect(decimalString(value)).toBeNull();
  });

  it('reads back as the same number and never uses exponent notation', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (value) => {
        const text = decimalString(value) ?? '';
        expect(text).toMatch(/^-?\d+(\.\d+)?$/);
        expect(Number(text)).toBe(value === 0 ? 0 : value);
      }),
    );
  });

  it('reproduces any amount sent with two decimals, as the client wrote it', () => {
    const cents = fc.bigInt({ min: 0n, max: 10n ** 13n });
    fc.assert(
      fc.property(cents, (c) => {
        const text = `${c / 100n}.${String(c % 100n).padStart(2, '0')}`;
        // "12.50" is the number 12.5: trailing zeros are notation, not value.
        const expected = text.replace(/\.?0+$/, '') || '0';
        expect(decimalString(JSON.parse(text) as number)).toBe(expected);
      }),
    );
  });
});

describe('amountColumn', () => {
  it.each([
    [19.99, '19.99'],
    ['19.99', '19.99'],
    ['007.50', '007.50'],
    ['1e3', null],
    ['19,99', null],
    ['', null],
    [null, null],
    [true, null],
    [{ amount: 1 }, null],
  ])('%j -> %j', (value, expected) => {
    expect(amountColumn(value)).toBe(expected);
  });
});
