import * as agg from 'aws-kinesis-agg';
import * as fc from 'fast-check';
import { deaggregate, isAggregated } from '../../../shared/kpl/deaggregate.ts';
import { KPL_DEFAULT_MAX_RECORD_BYTES, packRecords } from '../../../shared/kpl/pack-records.ts';
import type { StreamEntry } from '../../../shared/adapters/stream-writer/stream-writer.ts';
import { referenceDeaggregate } from '../../../tools/reconcile/kpl-reference.ts';

/**
 * KPL aggregation at ingest, checked against the published KPL-format library
 * (aws-kinesis-agg): what we pack, it unpacks; what it packs, we unpack.
 */

const entry = (partitionKey: string, text: string): StreamEntry => ({
  partitionKey,
  data: Buffer.from(text, 'utf8'),
});

/** aws-kinesis-agg's de-aggregation of one Kinesis record, as text. */
function theirDeaggregate(record: StreamEntry): Array<{ partitionKey: string; text: string }> {
  return referenceDeaggregate(record).map((user) => ({
    partitionKey: user.partitionKey,
    text: user.data.toString('utf8'),
  }));
}

/** aws-kinesis-agg's aggregation: the encoded records it would put. */
function theirAggregate(records: Array<{ partitionKey: string; data: string }>): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const encoded: Buffer[] = [];
    agg.aggregate(
      records,
      (record, done) => {
        encoded.push(record.data);
        done();
      },
      () => resolve(encoded),
      (error) => reject(error),
    );
  });
}

const recordBytes = (e: StreamEntry) => Buffer.byteLength(e.partitionKey) + e.data.byteLength;

describe('packRecords (KPL aggregation at ingest)', () => {
  test('groups events per partition key, in order, into records aws-kinesis-agg de-aggregates with valid MD5s', () => {
    const entries = [
      entry('anon-1', '{"messageId":"a"}'),
      entry('anon-2', '{"messageId":"b"}'),
      entry('anon-1', '{"messageId":"c"}'),
      entry('anon-1', '{"messageId":"d"}'),
      entry('anon-2', '{"messageId":"e"}'),
    ];
    const packed = packRecords(entries);
    expect(packed.entries.map((e) => e.partitionKey)).toEqual(['anon-1', 'anon-2']);
    expect(packed.members).toEqual([
      [0, 2, 3],
      [1, 4],
    ]);
    const unpacked = packed.entries.map(theirDeaggregate);
    expect(unpacked[0]).toEqual([
      { partitionKey: 'anon-1', text: '{"messageId":"a"}' },
      { partitionKey: 'anon-1', text: '{"messageId":"c"}' },
      { partitionKey: 'anon-1', text: '{"messageId":"d"}' },
    ]);
    expect(unpacked[1]?.map((u) => u.text)).toEqual(['{"messageId":"b"}', '{"messageId":"e"}']);
  });

  test('a key with one event, and an event too large to share a record, go unaggregated', () => {
    const big = 'x'.repeat(KPL_DEFAULT_MAX_RECORD_BYTES);
    const packed = packRecords([entry('solo', '{"a":1}'), entry('k', big), entry('k', '{"b":2}')]);
    expect(packed.members).toEqual([[0], [1], [2]]);
    expect(packed.entries.every((e) => !isAggregated(e.data))).toBe(true);
  });

  test('every record stays within the size limit (key + data), and each is filled before the next begins', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            key: fc.constantFrom('k1', 'key-two', 'ü-three'),
            size: fc.integer({ min: 1, max: 3_000 }),
          }),
          { minLength: 1, maxLength: 200 },
        ),
        fc.integer({ min: 2_048, max: 20_000 }),
        (specs, limit) => {
          const entries = specs.map((s, i) => entry(s.key, `${i}:`.padEnd(s.size, 'y')));
          const packed = packRecords(entries, limit);
          const flat = packed.members.flat().sort((a, b) => a - b);
          expect(flat).toEqual(entries.map((_, i) => i)); // each event exactly once
          packed.entries.forEach((record, i) => {
            const members = packed.members[i] as number[];
            if (members.length > 1) expect(recordBytes(record)).toBeLessThanOrEqual(limit);
            const inside = deaggregate(record.data, record.partitionKey);
            expect(inside.map((u) => Buffer.from(u.data).toString())).toEqual(
              members.map((m) => Buffer.from((entries[m] as StreamEntry).data).toString()),
            );
          });
          // Filled: a record followed by another of the same key could not take its first event.
          for (let i = 0; i + 1 < packed.entries.length; i++) {
            const record = packed.entries[i] as StreamEntry;
            const next = packed.entries[i + 1] as StreamEntry;
            if (record.partitionKey !== next.partitionKey) continue;
            const firstOfNext = (packed.members[i + 1] as number[])[0] as number;
            const grown = packRecords(
              [...(packed.members[i] as number[]), firstOfNext].map(
                (m) => entries[m] as StreamEntry,
              ),
              Number.MAX_SAFE_INTEGER,
            ).entries[0] as StreamEntry;
            expect(recordBytes(grown)).toBeGreaterThan(limit);
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  test('records aggregated by aws-kinesis-agg de-aggregate with ours, keys and order kept', async () => {
    const records = Array.from({ length: 300 }, (_, i) => ({
      partitionKey: `anon-${i % 7}`,
      data: JSON.stringify({ messageId: `m-${i}`, type: 'track', event: 'Product Viewed' }),
    }));
    const expected = records.map((r) => [r.partitionKey, r.data]); // it turns data into Buffers
    const encoded = await theirAggregate(records);
    expect(encoded.length).toBeGreaterThan(0);
    const ours = encoded.flatMap((data) => deaggregate(data));
    expect(ours.map((u) => [u.partitionKey, Buffer.from(u.data).toString()])).toEqual(expected);
  });

  test('aws-kinesis-agg refuses a packed record whose MD5 we broke, as we do', () => {
    const packed = packRecords([entry('k', '{"a":1}'), entry('k', '{"b":2}')]);
    const broken = Buffer.from((packed.entries[0] as StreamEntry).data);
    broken[broken.length - 1] = (broken[broken.length - 1] as number) ^ 0xff;
    expect(() => theirDeaggregate({ partitionKey: 'k', data: broken })).toThrow();
    expect(() => deaggregate(broken, 'k')).toThrow(/MD5/);
  });
});
