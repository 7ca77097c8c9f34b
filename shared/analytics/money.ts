/**
 * Money as exact integers of micro-units (1e-6 of the currency unit).
 *
 * Why micro-units: every ISO 4217 currency has at most 4 decimals, so a fixed scale of 6
 * holds any price a shop sends without loss, and sums of integers never drift the way
 * 0.1 + 0.2 does. Why bigint: a window's revenue in micro-units passes 2^53 at only
 * 9 billion units of currency, and amounts are any finite number >= 0.
 *
 * In the window state a sum is the decimal string of its micro-units ("19990000"): bigint
 * is not JSON. Emitted rows carry decimal strings with exactly 6 decimals ("19.990000"),
 * which load as they are into a DECIMAL(38,6) column, where SUM stays exact too.
 */
export const MONEY_SCALE = 6;
const SCALE = 10n ** BigInt(MONEY_SCALE);

/**
 * The amount a client meant, in micro-units. A JSON number such as 19.99 arrives as the
 * nearest double (19.98999...); its shortest round-trip form, String(19.99) === "19.99", is
 * the decimal the client wrote, so we read that string rather than the binary value. Digits
 * beyond the 6th decimal are rounded half up (no currency has them). Undefined for anything
 * that is not a finite number >= 0.
 */
export function toMicros(amount: number): bigint | undefined {
  if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0) return undefined;
  // String() gives either "123.45" or, outside 1e-7..1e21, "1.2345e+25" / "1e-7".
  const [mantissa = '0', exponent = '0'] = String(amount).split('e');
  const [whole = '0', fraction = ''] = mantissa.split('.');
  const digits = BigInt(whole + fraction);
  const shift = Number(exponent) - fraction.length + MONEY_SCALE;
  if (shift >= 0) return digits * 10n ** BigInt(shift);
  const divisor = 10n ** BigInt(-shift);
  const quotient = digits / divisor;
  return 2n * (digits % divisor) >= divisor ? quotient + 1n : quotient;
}

/** "19990000" (micro-units, as kept in state) -> "19.990000" (as emitted in rows). */
export function formatMicros(micros: bigint): string {
  const sign = micros < 0n ? '-' : '';
  const magnitude = micros < 0n ? -micros : micros;
  const fraction = (magnitude % SCALE).toString().padStart(MONEY_SCALE, '0');
  return `${sign}${magnitude / SCALE}.${fraction}`;
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d{1,6}))?$/;

/**
 * "19.990000" -> 19990000n: reads an emitted amount back, for whoever sums rows outside SQL.
 * Throws on anything formatMicros would not write, so a bad figure is never summed as 0.
 */
export function parseMoney(text: string): bigint {
  const match = DECIMAL.exec(text);
  if (!match) throw new RangeError(`not a decimal amount with at most 6 decimals: ${text}`);
  const [, sign = '', whole = '0', fraction = ''] = match;
  const micros = BigInt(whole) * SCALE + BigInt(fraction.padEnd(MONEY_SCALE, '0'));
  return sign === '-' ? -micros : micros;
}
