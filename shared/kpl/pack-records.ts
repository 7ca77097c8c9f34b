import { aggregate, KPL_OVERHEAD_BYTES } from './deaggregate.ts';
import type { StreamEntry } from '../adapters/stream-writer/stream-writer.ts';

/**
 * KPL aggregation at the producer: the entries of one request packed per partition key into
 * aggregated Kinesis records of at most `maxRecordBytes` (key + data, as Kinesis counts a
 * record), so a shard is bound by its 1 MiB/s and not by its 1,000 records/s. `members[i]`
 * lists the input entries inside output record i: a refused record is retried whole, and
 * every event in it is reported not written when it stays refused.
 *
 * A key with one entry, or an entry too large to share a record, goes as it is: consumers
 * read both forms, and a single user record gains nothing from the envelope.
 */
export interface PackedRecords {
  entries: StreamEntry[];
  members: number[][];
}

/** The KPL's own default AggregationMaxSize. */
export const KPL_DEFAULT_MAX_RECORD_BYTES = 51_200;

const utf8 = new TextEncoder();

export function packRecords(
  entries: readonly StreamEntry[],
  maxRecordBytes: number = KPL_DEFAULT_MAX_RECORD_BYTES,
): PackedRecords {
  const byKey = new Map<string, number[]>();
  for (let i = 0; i < entries.length; i++) {
    const key = (entries[i] as StreamEntry).partitionKey;
    const group = byKey.get(key);
    if (group) group.push(i);
    else byKey.set(key, [i]);
  }
  const out: PackedRecords = { entries: [], members: [] };
  for (const [key, indexes] of byKey) {
    const keyBytes = utf8.encode(key).byteLength;
    // The key is counted twice: in the Kinesis record's own size and in the key table.
    const fixed = keyBytes + KPL_OVERHEAD_BYTES + fieldBytes(keyBytes);
    let current: number[] = [];
    let size = fixed;
    for (const index of indexes) {
      const recordBytes = fieldBytes(userRecordBytes((entries[index] as StreamEntry).data));
      if (current.length > 0 && size + recordBytes > maxRecordBytes) {
        flush(out, entries, key, current);
        current = [];
        size = fixed;
      }
      current.push(index);
      size += recordBytes;
    }
    flush(out, entries, key, current);
  }
  return out;
}

function flush(
  out: PackedRecords,
  entries: readonly StreamEntry[],
  partitionKey: string,
  members: number[],
): void {
  if (members.length === 0) return;
  const first = entries[members[0] as number] as StreamEntry;
  const data =
    members.length === 1
      ? first.data
      : aggregate(members.map((i) => ({ partitionKey, data: (entries[i] as StreamEntry).data })));
  out.entries.push({ partitionKey, data });
  out.members.push(members);
}

/** Record { partition_key_index = 0 (2 bytes); data (tag, length, bytes) }. */
function userRecordBytes(data: Uint8Array): number {
  return 2 + fieldBytes(data.byteLength);
}

/** A length-delimited protobuf field: tag byte, varint length, then the bytes. */
function fieldBytes(length: number): number {
  return 1 + varintBytes(length) + length;
}

function varintBytes(value: number): number {
  let bytes = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    bytes += 1;
  }
  return bytes;
}
