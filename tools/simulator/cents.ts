/**
 * Money is kept in whole minor units (cents) everywhere the simulator adds it up, so that
 * order totals and the ledger's revenue are exact; only the wire format uses decimals.
 */
export const CURRENCIES = ['USD', 'EUR', 'GBP', 'CAD', 'AUD'] as const;
export type Currency = (typeof CURRENCIES)[number];

/** Cents as the decimal amount an event carries: 4999 → 49.99 (exact for any safe integer / 100). */
export const toAmount = (cents: number): number => cents / 100;

/** An amount from an event back to cents; exact for amounts made by `toAmount`. */
export const toCents = (amount: number): number => Math.round(amount * 100);

/** Cents as an exact decimal string, never through floating point: 123456 → "1234.56". */
export function centsToDecimal(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const digits = String(Math.abs(cents)).padStart(3, '0');
  return `${sign}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}
