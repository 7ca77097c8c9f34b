import { createHash } from 'node:crypto';
import fc from 'fast-check';
import {
  aggregate,
  deaggregate,
  isAggregated,
  KPL_MAGIC,
  KplAggregationError,
  type UserRecord,
} from '../../../shared/kpl/deaggregate.ts';
import { encodeVarint, ProtoReader, ProtobufError } from '../../../shared/kpl/protobuf.ts';

const bytes = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));
const md5 = (body: Uint8Array) => new Uint8Array(createHash('md5').update(body).digest());

/** magic | body | md5(body): an aggregate around any protobuf body, valid or not. */
function framed(body: Uint8Array): Uint8Array {
  return Uint8Array.from([...KPL_MAGIC, ...body, ...md5(body)]);
}

describe('varints', () => {
  it.each([
    [0, [0x00]],
    [1, [0x01]],
    [127, [0x7f]],
    [128, [0x80, 0x01]],
    [300, [0xac, 0x02]],
    [2 ** 32, [0x80, 0x80, 0x80, 0x80, 0x10]],
    [Number.MAX_SAFE_INTEGER, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]],
  ])('%d is encoded as the protobuf spec says, and read back', (value, encoded) => {
    expect([...encodeVarint(value)]).toEqual(encoded);
    expect(new ProtoReader(Uint8Array.from(encoded)).readVarint()).toBe(value);
  });

  it('refuses a truncated varint and one longer than 10 bytes', () => {
    expect(() => new ProtoReader(Uint8Array.of(0x80)).readVarint()).toThrow(ProtobufError);
    expect(() => new ProtoReader(new Uint8Array(11).fill(0x80)).readVarint()).toThrow(
      'varint longer than 10 bytes',
    );
  });
});

describe('deaggregate', () => {
  it('returns a record without the magic as one user record under its own key', () => {
    const data = bytes('{"type":"track"}');
    expect(deaggregate(data, 'pk')).toEqual([{ partitionKey: 'pk', data }]);
    expect(isAggregated(data)).toBe(false);
  });

  it('decodes an aggregate built byte by byte from the .proto, unknown fields skipped', () => {
    // AggregatedRecord { partition_key_table: ["a", "b"], records: [
    //   { partition_key_index: 1, data: "x", tags: [{key: "t"}] }, { partition_key_index: 0, data: "yz" } ] }
    const tag = [0x0a, 0x01, 0x74]; // Tag { key = 1: "t" }
    const first = [0x08, 0x01, 0x1a, 0x01, 0x78, 0x22, tag.length, ...tag];
    const second = [0x08, 0x00, 0x1a, 0x02, 0x79, 0x7a];
    const body = Uint8Array.from([
      ...[0x0a, 0x01, 0x61, 0x0a, 0x01, 0x62],
      ...[0x1a, first.length, ...first],
      ...[0x1a, second.length, ...second],
      ...[0x28, 0x05], // field 5, varint: from a newer producer, skipped
    ]);
    expect(deaggregate(framed(body))).toEqual([
      { partitionKey: 'b', data: bytes('x') },
      { partitionKey: 'a', data: bytes('yz') },
    ]);
  });

  it('round-trips whatever aggregate() packs', () => {
    const record = fc.record(
      {
        partitionKey: fc.string({ minLength: 1, maxLength: 256, unit: 'grapheme' }),
        data: fc.uint8Array({ maxLength: 300 }),
        explicitHashKey: fc.bigInt({ min: 0n, max: 2n ** 128n - 1n }).map(String),
      },
      { requiredKeys: ['partitionKey', 'data'] },
    );
    fc.assert(
      fc.property(fc.array(record, { maxLength: 40 }), (records: UserRecord[]) => {
        const packed = aggregate(records);
        expect(isAggregated(packed)).toBe(true);
        expect(deaggregate(packed)).toEqual(
          records.map((r) => ({ ...r, data: Uint8Array.from(r.data) })),
        );
      }),
    );
  });

  it('stores each partition key once however many records share it', () => {
    const many = Array.from({ length: 100 }, (_, i) => ({
      partitionKey: 'same-key-'.repeat(20),
      data: bytes(`${i}`),
    }));
    const one = aggregate(many.slice(0, 1));
    expect(aggregate(many).length).toBeLessThan(one.length * 10);
  });

  const aggregated = aggregate([{ partitionKey: 'a', data: bytes('{"n":1}') }]);
  const corrupt = (edit: (copy: Uint8Array) => void) => {
    const copy = Uint8Array.from(aggregated);
    edit(copy);
    return copy;
  };

  it.each([
    [
      'a flipped data byte',
      corrupt((c) => (c[c.length - 18] = (c[c.length - 18] ?? 0) ^ 1)),
      'MD5',
    ],
    [
      'a flipped checksum byte',
      corrupt((c) => (c[c.length - 1] = (c[c.length - 1] ?? 0) ^ 1)),
      'MD5',
    ],
    ['a missing last byte', aggregated.subarray(0, aggregated.length - 1), 'MD5'],
    ['nothing but the magic', KPL_MAGIC, 'shorter than its magic and checksum'],
  ])('refuses an aggregate with %s', (_name, data, message) => {
    expect(() => deaggregate(data)).toThrow(KplAggregationError);
    expect(() => deaggregate(data)).toThrow(message);
  });

  it.each([
    ['a length past the end', [0x0a, 0x05, 0x61], 'runs past the end'],
    ['a truncated varint', [0x1a, 0x02, 0x08, 0x80], 'truncated varint'],
    [
      'a partition key index out of range',
      [0x0a, 0x01, 0x61, 0x1a, 0x04, 0x08, 0x01, 0x1a, 0x00],
      'partition_key_index is out of range',
    ],
    [
      'a hash key index out of range',
      [0x0a, 0x01, 0x61, 0x1a, 0x06, 0x08, 0x00, 0x10, 0x00, 0x1a, 0x00],
      'explicit_hash_key_index is out of range',
    ],
    ['a record without data', [0x0a, 0x01, 0x61, 0x1a, 0x02, 0x08, 0x00], 'lacks a required'],
    ['a record without a key index', [0x1a, 0x02, 0x1a, 0x00], 'lacks a required'],
    ['records as a varint', [0x18, 0x01], 'wire type 0'],
    ['a partition key that is not UTF-8', [0x0a, 0x01, 0xff], 'not a valid protobuf'],
    ['a group (wire type 3)', [0x23], 'unsupported wire type 3'],
    ['field number 0', [0x02, 0x00], 'field number 0'],
  ])('refuses a checksummed aggregate whose protobuf has %s', (_name, body, message) => {
    const data = framed(Uint8Array.from(body));
    expect(() => deaggregate(data)).toThrow(KplAggregationError);
    expect(() => deaggregate(data)).toThrow(message);
  });

  it('never throws anything but KplAggregationError on random bytes behind the magic', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (body) => {
        try {
          deaggregate(framed(body));
        } catch (error: unknown) {
          expect(error).toBeInstanceOf(KplAggregationError);
        }
      }),
    );
  });
});
