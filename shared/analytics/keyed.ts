/**
 * Plain JSON objects used as maps keyed by client data (event names, product ids,
 * currencies). Keys such as "__proto__" or "constructor" are legal event names and ids, so
 * every read checks own properties and every write defines an own property: a plain
 * `map[key] += 1` would read Object.prototype members or set the prototype instead.
 */
export type Keyed<T> = Record<string, T>;

export function ownValue<T>(map: Keyed<T>, key: string): T | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

export function setOwn<T>(map: Keyed<T>, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(map, key, {
      value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else map[key] = value;
}

export function addCount(map: Keyed<number>, key: string, by = 1): void {
  setOwn(map, key, (ownValue(map, key) ?? 0) + by);
}

/** Money sums are kept as decimal strings of micro-units (see money.ts). */
export function addMicros(map: Keyed<string>, key: string, micros: bigint): void {
  setOwn(map, key, (BigInt(ownValue(map, key) ?? '0') + micros).toString());
}

/** A copy whose values are mapped; own keys only, "__proto__" included. */
export function mapKeyed<T, U>(map: Keyed<T>, convert: (value: T) => U): Keyed<U> {
  const copy: Keyed<U> = {};
  for (const key of Object.keys(map)) setOwn(copy, key, convert(map[key] as T));
  return copy;
}
