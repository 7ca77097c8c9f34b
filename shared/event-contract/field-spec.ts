import * as z from 'zod';
import { isPlainUtcMillis } from './event-time.ts';

/**
 * One declaration per message shape, from which two things are made:
 *  - the zod schema, which is the contract: it decides and explains every refusal;
 *  - `isCanonical`, a fast check that answers true only for input the schema accepts *and*
 *    returns unchanged (ids already strings, currency already upper case). Valid events,
 *    nearly all traffic, skip zod; anything else goes through zod as before.
 * A property test holds the two to that promise (test/unit/event-contract/field-spec.test.ts) for
 * input as the ingest parses it: parseJson has already dropped any own "__proto__" key,
 * which zod would also drop from its copy.
 */
export type Field =
  | { kind: 'string'; min?: number; max: number }
  /** Ids: strings of 1-256 characters; numbers are taken and kept as their string form. */
  | { kind: 'id' }
  /** A money amount: a finite number >= 0. */
  | { kind: 'amount' }
  /** A whole number >= 0 (quantity, position, step). */
  | { kind: 'count' }
  /** ISO 4217, three letters, upper-cased. */
  | { kind: 'currency' }
  /** ISO-8601 date-time of a day that exists. */
  | { kind: 'datetime' }
  /** Any finite number (screen width, pixel density). */
  | { kind: 'number' }
  | { kind: 'boolean' }
  /** Any JSON object, passed through as it is. */
  | { kind: 'object' }
  | { kind: 'literal'; value: string }
  | { kind: 'shape'; spec: Spec }
  | { kind: 'list'; max: number; item: Spec };

export interface Spec {
  fields: Record<string, Field>;
  required?: readonly string[];
}

export const MAX_ID_CHARS = 256;
const ISO_DATE_TIME =
  /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/i;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const UPPER_CURRENCY = /^[A-Z]{3}$/;

/** A calendar date-time that exists: Date.parse would roll 2026-02-30 over to 2 March. */
export function isIsoDateTime(value: string): boolean {
  return isPlainUtcMillis(value) || matchesIsoDateTime(value);
}

/** isIsoDateTime by its definition: the pattern, a time Date.parse reads, a day that exists. */
export function matchesIsoDateTime(value: string): boolean {
  if (!ISO_DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) return false;
  const year = Number(value.slice(0, 4));
  const month = Number(value.slice(5, 7));
  const day = Number(value.slice(8, 10));
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const days = month === 2 && leap ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  return day >= 1 && day <= days;
}

export const isoDateTime = z.string().refine(isIsoDateTime, {
  error: 'must be an ISO-8601 date-time such as "2026-11-25T10:00:00.000Z"',
});

const idSchema = z
  .union([z.string().min(1).max(MAX_ID_CHARS), z.number().finite()])
  .transform((value) => String(value));

const currencySchema = z
  .string()
  .regex(/^[A-Za-z]{3}$/, { error: 'must be a 3-letter ISO 4217 code such as "USD"' })
  .transform((code) => code.toUpperCase());

const plainObject = z.looseObject({});

function fieldSchema(field: Field): z.ZodType {
  switch (field.kind) {
    case 'string': {
      const s = z.string().max(field.max);
      return field.min === undefined ? s : s.min(field.min);
    }
    case 'id':
      return idSchema;
    case 'amount':
      return z.number().finite().nonnegative();
    case 'count':
      return z.number().int().nonnegative();
    case 'currency':
      return currencySchema;
    case 'datetime':
      return isoDateTime;
    case 'number':
      return z.number().finite();
    case 'boolean':
      return z.boolean();
    case 'object':
      return plainObject;
    case 'literal':
      return z.literal(field.value);
    case 'shape':
      return toZod(field.spec);
    case 'list':
      return z.array(toZod(field.item)).max(field.max);
  }
}

/** The zod schema of a spec: a loose object (unknown keys pass through). */
export function toZod(spec: Spec) {
  const required = new Set(spec.required ?? []);
  const shape: Record<string, z.ZodType> = {};
  for (const [name, field] of Object.entries(spec.fields)) {
    const schema = fieldSchema(field);
    shape[name] = required.has(name) ? schema : schema.optional();
  }
  return z.looseObject(shape);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCanonicalField(value: unknown, field: Field): boolean {
  switch (field.kind) {
    case 'string':
      return (
        typeof value === 'string' && value.length <= field.max && value.length >= (field.min ?? 0)
      );
    case 'id':
      return typeof value === 'string' && value.length >= 1 && value.length <= MAX_ID_CHARS;
    case 'amount':
      return typeof value === 'number' && Number.isFinite(value) && value >= 0;
    case 'count':
      return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
    case 'currency':
      return typeof value === 'string' && UPPER_CURRENCY.test(value);
    case 'datetime':
      return typeof value === 'string' && isIsoDateTime(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'object':
      return isPlainObject(value);
    case 'literal':
      return value === field.value;
    case 'shape':
      return isCanonical(value, field.spec);
    case 'list':
      if (!Array.isArray(value) || value.length > field.max) return false;
      for (const item of value) if (!isCanonical(item, field.item)) return false;
      return true;
  }
}

/** True only when `toZod(spec)` accepts the value and returns it unchanged. */
export function isCanonical(value: unknown, spec: Spec): value is Record<string, unknown> {
  if (!isPlainObject(value)) return false;
  for (const name of spec.required ?? []) if (value[name] === undefined) return false;
  for (const name in spec.fields) {
    const item = value[name];
    if (item !== undefined && !isCanonicalField(item, spec.fields[name] as Field)) return false;
  }
  return true;
}
