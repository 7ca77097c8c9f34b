/**
 * A seeded PRNG (mulberry32): the simulator must give the same shop, shoppers and events
 * for the same seed on every machine, so nothing here may touch Math.random.
 */
import { mulberry32 } from '../random.ts';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export class Random {
  private readonly generator: () => number;

  constructor(seed: number) {
    // Mix the seed once so that neighbouring seeds (1, 2, 3) do not start on neighbouring states.
    this.generator = mulberry32(Math.imul((seed >>> 0) ^ 0x9e3779b9, 0x85ebca6b) >>> 0);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.generator();
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('cannot pick from an empty list');
    return item;
  }

  /** A shuffled copy (Fisher-Yates): uniform, unlike sorting by a random comparator. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i -= 1) {
      const j = Math.floor(this.next() * (i + 1));
      const a = out[i] as T;
      out[i] = out[j] as T;
      out[j] = a;
    }
    return out;
  }

  /** `count` distinct items, in random order (a partial Fisher-Yates shuffle). */
  sample<T>(items: readonly T[], count: number): T[] {
    const out = [...items];
    const take = Math.min(count, out.length);
    for (let i = 0; i < take; i += 1) {
      const j = i + Math.floor(this.next() * (out.length - i));
      const a = out[i] as T;
      out[i] = out[j] as T;
      out[j] = a;
    }
    return out.slice(0, take);
  }

  /** An index drawn in proportion to weights given as a running (cumulative) sum. */
  weightedIndex(cumulative: readonly number[]): number {
    const total = cumulative[cumulative.length - 1] ?? 0;
    const target = this.next() * total;
    let low = 0;
    let high = cumulative.length - 1;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((cumulative[mid] ?? 0) > target) high = mid;
      else low = mid + 1;
    }
    return low;
  }

  /** Exponential waiting time with the given mean: gaps between Poisson arrivals. */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }

  /** A UUID with the version-4 layout, from this generator (so reproducible, not random). */
  uuid(): string {
    // Byte lookups rather than toString/padStart: ids are made for every message.
    const words = [this.word(), this.word(), this.word(), this.word()];
    let out = '';
    for (let i = 0; i < 16; i += 1) {
      let byte = ((words[i >> 2] ?? 0) >>> ((i & 3) * 8)) & 0xff;
      if (i === 6) byte = (byte & 0x0f) | 0x40;
      if (i === 8) byte = (byte & 0x3f) | 0x80;
      if (i === 4 || i === 6 || i === 8 || i === 10) out += '-';
      out += HEX[byte];
    }
    return out;
  }

  private word(): number {
    return Math.floor(this.next() * 4294967296);
  }
}

/** Running sums of weights, the form `Random.weightedIndex` draws from. */
export function cumulativeWeights(weights: readonly number[]): number[] {
  let sum = 0;
  return weights.map((weight) => (sum += weight));
}
