import { formatMicros, parseMoney } from '../analytics/money.ts';

/**
 * Reading result cells the same way whichever driver returned them: pg gives bigint and
 * numeric as strings and timestamptz as a Date; PGlite in process gives numbers and Dates;
 * the Redshift Data API gives longValue numbers, DECIMAL as strings, TIMESTAMPTZ as text
 * such as "2026-11-25 10:00:00+00", and SUPER as JSON text. A cell that fits none of these
 * throws rather than becoming 0: a dashboard showing a wrong figure is worse than none.
 */
export class FigureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FigureError';
  }
}

export function toCount(value: unknown, what: string): number {
  if (value === null || value === undefined) return 0;
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof number === 'bigint' && number >= 0n && number <= BigInt(Number.MAX_SAFE_INTEGER))
    return Number(number);
  if (typeof number === 'number' && Number.isSafeInteger(number) && number >= 0) return number;
  throw new FigureError(`${what}: not a count (${describe(value)})`);
}

const SQL_TIME =
  /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)(Z|[+-]\d{2}(?::?\d{2})?)?$/;

/** An instant as ISO-8601 UTC with milliseconds, the form the JSON answers use throughout. */
export function toIsoTime(value: unknown, what: string): string {
  // Not instanceof: a Date from another realm (a worker, a test sandbox) is a Date too.
  if (Object.prototype.toString.call(value) === '[object Date]') {
    const time = (value as Date).getTime();
    if (!Number.isNaN(time)) return new Date(time).toISOString();
  }
  if (typeof value === 'string') {
    const match = SQL_TIME.exec(value.trim());
    if (match) {
      const [, date, time, zone = 'Z'] = match;
      const parsed = new Date(`${date}T${time}${isoZone(zone)}`);
      if (!Number.isNaN(parsed.getTime())) return parsed.toISOString();
    }
  }
  throw new FigureError(`${what}: not a timestamp (${describe(value)})`);
}

/** "Z", "+00", "+0530" or "+05:30" -> "Z" or "+05:30". */
function isoZone(zone: string): string {
  if (zone === 'Z') return zone;
  const digits = zone.slice(1).replace(':', '').padEnd(4, '0');
  return `${zone.slice(0, 1)}${digits.slice(0, 2)}:${digits.slice(2)}`;
}

/** An exact decimal amount with 6 decimals ("19.990000"), as the warehouse stores money. */
export function toMoney(value: unknown, what: string): string {
  if (value === null || value === undefined) return '0.000000';
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text === 'string') {
    try {
      return formatMicros(parseMoney(text.trim()));
    } catch {
      // named below
    }
  }
  throw new FigureError(`${what}: not a decimal amount (${describe(value)})`);
}

/** Exact sum of decimal amounts. */
export function addMoney(a: string, b: string): string {
  return formatMicros(parseMoney(a) + parseMoney(b));
}

/** A JSON object of counts ({"track": 12}), from jsonb (parsed) or SUPER (JSON text). */
export function toCountObject(value: unknown, what: string): [string, number][] {
  if (value === null || value === undefined) return [];
  let parsed = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new FigureError(`${what}: not JSON (${describe(value)})`);
    }
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new FigureError(`${what}: not a JSON object (${describe(value)})`);
  }
  return Object.keys(parsed).map((key) => [
    key,
    toCount((parsed as Record<string, unknown>)[key], `${what}.${key}`),
  ]);
}

export function toText(value: unknown, what: string): string {
  if (typeof value === 'string') return value;
  throw new FigureError(`${what}: not text (${describe(value)})`);
}

function describe(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 60)}...` : text;
}
