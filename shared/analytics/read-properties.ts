import { isPlainObject } from '../event-contract/field-spec.ts';
import { toMicros } from './money.ts';

/**
 * Defensive readers for event properties. Events on the stream were validated on ingest,
 * but the stream also holds events written by older versions and by hand, and one odd
 * property must never fail a whole window: a value of the wrong shape counts as absent.
 */

/** ISO 4217 "XXX" means "no currency": orders without one are summed apart, never as USD. */
export const NO_CURRENCY = 'XXX';

const CURRENCY = /^[A-Za-z]{3}$/;

export function readCurrency(value: unknown): string {
  return typeof value === 'string' && CURRENCY.test(value) ? value.toUpperCase() : NO_CURRENCY;
}

/** Ids are strings; numbers are read as their string form, as the ingest API stores them. */
export function readId(value: unknown): string | undefined {
  if (typeof value === 'string') return value.length > 0 ? value : undefined;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** An amount >= 0 in micro-units. */
export function readAmount(value: unknown): bigint | undefined {
  return typeof value === 'number' ? toMicros(value) : undefined;
}

/** The spec's default quantity is 1. */
export function readQuantity(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : 1;
}

export function readProperties(value: unknown): Record<string, unknown> {
  return isPlainObject(value) ? value : {};
}

/** The user a record belongs to: the stream's partition key, anonymousId else userId. */
export function readUser(record: { anonymousId?: unknown; userId?: unknown }): string | undefined {
  for (const id of [record.anonymousId, record.userId]) {
    if (typeof id === 'string' && id.length > 0) return id;
  }
  return undefined;
}
