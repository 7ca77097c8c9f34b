import { createHash } from 'node:crypto';
import { ProtoReader, ProtoWriter, WIRE_LENGTH_DELIMITED, WIRE_VARINT } from './protobuf.ts';

/**
 * Kinesis Producer Library aggregation: many user records packed into one Kinesis record as
 *   magic (F3 89 9A C2) | protobuf AggregatedRecord | MD5 of the protobuf bytes.
 * message AggregatedRecord {
 *   repeated string partition_key_table = 1; repeated string explicit_hash_key_table = 2;
 *   repeated Record records = 3; }
 * message Record {
 *   required uint64 partition_key_index = 1; optional uint64 explicit_hash_key_index = 2;
 *   required bytes data = 3; repeated Tag tags = 4; }
 * Firehose de-aggregates before calling the transform when its source is a stream, so on
 * AWS this is defence in depth; local stand-ins and direct stream consumers do need it.
 */
export const KPL_MAGIC = Uint8Array.of(0xf3, 0x89, 0x9a, 0xc2);
const MD5_BYTES = 16;
/** What the envelope adds to the protobuf: the magic before it, the MD5 after it. */
export const KPL_OVERHEAD_BYTES = KPL_MAGIC.length + MD5_BYTES;

export interface UserRecord {
  partitionKey: string;
  data: Uint8Array;
  explicitHashKey?: string;
}

/** A record that carries the KPL magic but cannot be trusted: the caller fails the record. */
export class KplAggregationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KplAggregationError';
  }
}

export function isAggregated(data: Uint8Array): boolean {
  // Byte by byte, without a callback: every record on the stream is checked.
  return data[0] === 0xf3 && data[1] === 0x89 && data[2] === 0x9a && data[3] === 0xc2;
}

/**
 * The user records inside one Kinesis record. A record without the magic is one user record
 * under `partitionKey` (the Kinesis record's own key, when the caller knows it).
 */
export function deaggregate(data: Uint8Array, partitionKey = ''): UserRecord[] {
  if (!isAggregated(data)) return [{ partitionKey, data }];
  if (data.length < KPL_MAGIC.length + MD5_BYTES) {
    throw new KplAggregationError('aggregated record is shorter than its magic and checksum');
  }
  const body = data.subarray(KPL_MAGIC.length, data.length - MD5_BYTES);
  const checksum = data.subarray(data.length - MD5_BYTES);
  if (!md5(body).every((byte, i) => checksum[i] === byte)) {
    throw new KplAggregationError('aggregated record fails its MD5 checksum');
  }
  try {
    return decodeAggregatedRecord(body);
  } catch (error: unknown) {
    if (error instanceof KplAggregationError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new KplAggregationError(`aggregated record is not a valid protobuf: ${reason}`, {
      cause: error,
    });
  }
}

/** Packs user records the way the KPL does (tests and sample producers use it). */
export function aggregate(records: readonly UserRecord[]): Uint8Array {
  const keys = new IndexTable();
  const hashKeys = new IndexTable();
  const encodedRecords = records.map((record) => {
    const writer = new ProtoWriter().varintField(1, keys.indexOf(record.partitionKey));
    if (record.explicitHashKey !== undefined) {
      writer.varintField(2, hashKeys.indexOf(record.explicitHashKey));
    }
    return writer.bytesField(3, record.data).finish();
  });
  const message = new ProtoWriter();
  for (const key of keys.values) message.bytesField(1, utf8.encode(key));
  for (const key of hashKeys.values) message.bytesField(2, utf8.encode(key));
  for (const encoded of encodedRecords) message.bytesField(3, encoded);
  const body = message.finish();
  const out = new Uint8Array(KPL_MAGIC.length + body.length + MD5_BYTES);
  out.set(KPL_MAGIC, 0);
  out.set(body, KPL_MAGIC.length);
  out.set(md5(body), KPL_MAGIC.length + body.length);
  return out;
}

const utf8 = new TextEncoder();
// fatal: a partition key that is not UTF-8 means the protobuf is corrupt, not a key to guess at.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

interface RawRecord {
  partitionKeyIndex?: number;
  explicitHashKeyIndex?: number;
  data?: Uint8Array;
}

function decodeAggregatedRecord(body: Uint8Array): UserRecord[] {
  const partitionKeys: string[] = [];
  const hashKeys: string[] = [];
  const raw: RawRecord[] = [];
  const reader = new ProtoReader(body);
  while (!reader.done) {
    const { fieldNumber, wireType } = reader.readHeader();
    if (fieldNumber <= 3 && wireType !== WIRE_LENGTH_DELIMITED) {
      throw new KplAggregationError(
        `AggregatedRecord field ${fieldNumber} has wire type ${wireType}`,
      );
    }
    if (fieldNumber === 1) partitionKeys.push(strictUtf8.decode(reader.readLengthDelimited()));
    else if (fieldNumber === 2) hashKeys.push(strictUtf8.decode(reader.readLengthDelimited()));
    else if (fieldNumber === 3) raw.push(decodeRecord(reader.readLengthDelimited()));
    else reader.skip(wireType);
  }
  return raw.map((record, i) => {
    const where = `records[${i}]`;
    if (record.partitionKeyIndex === undefined || record.data === undefined) {
      throw new KplAggregationError(`${where} lacks a required partition_key_index or data`);
    }
    const partitionKey = partitionKeys[record.partitionKeyIndex];
    if (partitionKey === undefined) {
      throw new KplAggregationError(`${where}.partition_key_index is out of range`);
    }
    const out: UserRecord = { partitionKey, data: record.data };
    if (record.explicitHashKeyIndex !== undefined) {
      const hashKey = hashKeys[record.explicitHashKeyIndex];
      if (hashKey === undefined) {
        throw new KplAggregationError(`${where}.explicit_hash_key_index is out of range`);
      }
      out.explicitHashKey = hashKey;
    }
    return out;
  });
}

function decodeRecord(bytes: Uint8Array): RawRecord {
  const record: RawRecord = {};
  const reader = new ProtoReader(bytes);
  while (!reader.done) {
    const { fieldNumber, wireType } = reader.readHeader();
    const expected = fieldNumber === 3 ? WIRE_LENGTH_DELIMITED : WIRE_VARINT;
    if (fieldNumber <= 3 && wireType !== expected) {
      throw new KplAggregationError(`Record field ${fieldNumber} has wire type ${wireType}`);
    }
    if (fieldNumber === 1) record.partitionKeyIndex = reader.readVarint();
    else if (fieldNumber === 2) record.explicitHashKeyIndex = reader.readVarint();
    else if (fieldNumber === 3) record.data = reader.readLengthDelimited();
    else reader.skip(wireType); // tags (4) carry nothing the warehouse needs
  }
  return record;
}

function md5(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('md5').update(bytes).digest());
}

/** Deduplicated string table, as the KPL builds it: each key once, records point at it. */
class IndexTable {
  readonly values: string[] = [];
  private readonly index = new Map<string, number>();

  indexOf(value: string): number {
    let i = this.index.get(value);
    if (i === undefined) {
      i = this.values.push(value) - 1;
      this.index.set(value, i);
    }
    return i;
  }
}
