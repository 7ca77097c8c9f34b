import fc from 'fast-check';
import { MIB } from '../../../shared/event-contract/limits.ts';
import {
  chunkForPutRecords,
  entryBytes,
  PUT_RECORDS_LIMITS,
  type ChunkLimits,
} from '../../../shared/adapters/stream-writer/chunk.ts';
import type { StreamEntry } from '../../../shared/adapters/stream-writer/stream-writer.ts';

// Shared buffers: the chunker only reads lengths, and a test of 5 MiB need not hold 5 copies.
const buffers = new Map<number, Uint8Array>();
function entry(partitionKey: string, dataBytes: number): StreamEntry {
  let data = buffers.get(dataBytes);
  if (!data) buffers.set(dataBytes, (data = new Uint8Array(dataBytes)));
  return { partitionKey, data };
}
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
const all = (entries: readonly StreamEntry[]) => range(0, entries.length);
const small = (count: number) => Array.from({ length: count }, (_, i) => entry(`k${i}`, 10));

describe('limits', () => {
  it('are the PutRecords limits', () => {
    expect(PUT_RECORDS_LIMITS).toEqual({ maxRecords: 500, maxBytes: 5 * MIB, maxRecordBytes: MIB });
  });

  it.each([
    ['a', 0, 1],
    ['é', 0, 2],
    ['€', 0, 3],
    ['😀', 0, 4],
    ['user-1', 100, 106],
    ['', 7, 7],
  ])(
    'entryBytes(key %j, %i data bytes) is %i: the key counts in UTF-8 bytes',
    (key, data, total) => {
      expect(entryBytes(entry(key, data))).toBe(total);
    },
  );
});

describe('records per call', () => {
  it.each([
    [1, [1]],
    [499, [499]],
    [500, [500]],
    [501, [500, 1]],
    [1000, [500, 500]],
    [1001, [500, 500, 1]],
  ])('%i entries make calls of %j', (count, sizes) => {
    const entries = small(count);
    const chunks = chunkForPutRecords(entries, all(entries));
    expect(chunks.map((chunk) => chunk.length)).toEqual(sizes);
    expect(chunks.flat()).toEqual(all(entries));
  });

  it('no entries make no calls', () => {
    expect(chunkForPutRecords(small(3), [])).toEqual([]);
  });
});

describe('bytes per call', () => {
  // Five records of exactly 1 MiB each (1-byte key + 1 MiB - 1 of data) are exactly 5 MiB.
  const mebibyteRecords = (keys: string[]) => keys.map((key) => entry(key, MIB - 1));

  it('exactly 5 MiB fits one call', () => {
    const entries = mebibyteRecords(['a', 'b', 'c', 'd', 'e']);
    expect(entries.reduce((sum, e) => sum + entryBytes(e), 0)).toBe(5 * MIB);
    expect(chunkForPutRecords(entries, all(entries))).toEqual([[0, 1, 2, 3, 4]]);
  });

  it('5 MiB + 1 byte of data needs a second call', () => {
    const entries = [...mebibyteRecords(['a', 'b', 'c', 'd', 'e']), entry('f', 0)];
    expect(chunkForPutRecords(entries, all(entries))).toEqual([[0, 1, 2, 3, 4], [5]]);
  });

  it.each([
    ['e', [[0, 1, 2, 3, 4, 5]]],
    ['é', [[0, 1, 2, 3, 4], [5]]],
  ])('partition key bytes count: a 1-byte entry after key %j', (key, chunks) => {
    // With "é" (2 bytes) the first five records are exactly 5 MiB; with "e" one byte less.
    const entries = [...mebibyteRecords(['a', 'b', 'c', 'd']), entry(key, MIB - 2), entry('x', 0)];
    expect(chunkForPutRecords(entries, all(entries))).toEqual(chunks);
  });

  it('multi-byte keys count in bytes, not characters, against the call limit', () => {
    // 4 records of 1 MiB, then one of 1 MiB - 4 data + a 4-byte emoji key = exactly 5 MiB ...
    const exact = [...mebibyteRecords(['a', 'b', 'c', 'd']), entry('😀', MIB - 4)];
    expect(chunkForPutRecords(exact, all(exact))).toEqual([[0, 1, 2, 3, 4]]);
    // ... whereas counted as characters ("😀".length is 2) it would look 2 bytes smaller.
    const tooBig = [...mebibyteRecords(['a', 'b', 'c', 'd']), entry('😀', MIB - 3)];
    expect(() => chunkForPutRecords(tooBig, all(tooBig))).toThrow(
      'record 4 is 1048577 bytes; Kinesis takes at most 1048576',
    );
  });
});

describe('one record', () => {
  it('of exactly 1 MiB (key included) is fine', () => {
    expect(chunkForPutRecords([entry('k', MIB - 1)], [0])).toEqual([[0]]);
  });

  it.each([
    ['1 MiB + 1 of data and key', entry('k', MIB)],
    ['1 MiB of data plus a key', entry('key', MIB)],
  ])('%s throws, naming the record and the limit', (_, big) => {
    const entries = [entry('a', 1), big];
    expect(() => chunkForPutRecords(entries, [0, 1])).toThrow(
      new RangeError(`record 1 is ${entryBytes(big)} bytes; Kinesis takes at most 1048576`),
    );
  });

  it('an index with no entry throws', () => {
    expect(() => chunkForPutRecords(small(3), [0, 3])).toThrow(
      new RangeError('no entry at index 3'),
    );
  });
});

describe('order and subsets', () => {
  const entries = small(10);

  it('keeps the order of the given indexes and only those', () => {
    expect(chunkForPutRecords(entries, [7, 2, 9])).toEqual([[7, 2, 9]]);
  });

  it('splits a subset by the same limits', () => {
    const limits: ChunkLimits = { maxRecords: 2, maxBytes: 1000, maxRecordBytes: 1000 };
    expect(chunkForPutRecords(entries, [1, 3, 5, 7, 9], limits)).toEqual([[1, 3], [5, 7], [9]]);
  });

  it('fills each call as far as the byte limit allows, exactly', () => {
    // Every small entry is 12 bytes ("k0" + 10); 36 fit 3, 35 fit 2.
    const byBytes = (maxBytes: number) =>
      chunkForPutRecords(entries, range(0, 6), { maxRecords: 500, maxBytes, maxRecordBytes: 12 });
    expect(byBytes(36)).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
    expect(byBytes(35)).toEqual([
      [0, 1],
      [2, 3],
      [4, 5],
    ]);
  });

  it('any entries: chunks partition the indexes in order, each within the limits', () => {
    const limits: ChunkLimits = { maxRecords: 4, maxBytes: 64, maxRecordBytes: 32 };
    fc.assert(
      fc.property(
        fc.array(fc.record({ key: fc.string({ minLength: 1, maxLength: 4 }), size: fc.nat(16) }), {
          maxLength: 40,
        }),
        (specs) => {
          const list = specs.map(({ key, size }) => entry(key, size));
          const chunks = chunkForPutRecords(list, all(list), limits);
          expect(chunks.flat()).toEqual(all(list));
          for (const [i, chunk] of chunks.entries()) {
            const bytes = chunk.reduce(
              (sum, index) => sum + entryBytes(list[index] as StreamEntry),
              0,
            );
            expect(chunk.length).toBeGreaterThan(0);
            expect(chunk.length).toBeLessThanOrEqual(limits.maxRecords);
            expect(bytes).toBeLessThanOrEqual(limits.maxBytes);
            // Greedy: the next call starts only because this one could not take its first entry.
            const next = chunks[i + 1]?.[0];
            if (next !== undefined && chunk.length < limits.maxRecords) {
              expect(bytes + entryBytes(list[next] as StreamEntry)).toBeGreaterThan(
                limits.maxBytes,
              );
            }
          }
        },
      ),
    );
  });
});
