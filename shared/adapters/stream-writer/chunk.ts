import { KINESIS_LIMITS } from '../../event-contract/limits.ts';
import type { StreamEntry } from './stream-writer.ts';

export interface ChunkLimits {
  maxRecords: number;
  maxBytes: number;
  maxRecordBytes: number;
}

export const PUT_RECORDS_LIMITS: ChunkLimits = {
  maxRecords: KINESIS_LIMITS.maxRecordsPerPut,
  maxBytes: KINESIS_LIMITS.maxBytesPerPut,
  maxRecordBytes: KINESIS_LIMITS.maxBytesPerRecord,
};

/** What a record counts against the PutRecords limits: its data plus its partition key (UTF-8). */
export function entryBytes(entry: StreamEntry): number {
  return entry.data.byteLength + Buffer.byteLength(entry.partitionKey, 'utf8');
}

/**
 * Splits entries (given by index) into PutRecords calls of at most 500 entries and 5 MiB,
 * keeping their order. An entry over 1 MiB can never be written: that is the caller's bug,
 * so it throws rather than send a call Kinesis would reject whole.
 */
export function chunkForPutRecords(
  entries: readonly StreamEntry[],
  indexes: readonly number[],
  limits: ChunkLimits = PUT_RECORDS_LIMITS,
): number[][] {
  const chunks: number[][] = [];
  let current: number[] = [];
  let currentBytes = 0;
  for (const index of indexes) {
    const entry = entries[index];
    if (entry === undefined) throw new RangeError(`no entry at index ${index}`);
    const size = entryBytes(entry);
    if (size > limits.maxRecordBytes) {
      throw new RangeError(
        `record ${index} is ${size} bytes; Kinesis takes at most ${limits.maxRecordBytes}`,
      );
    }
    if (current.length === limits.maxRecords || currentBytes + size > limits.maxBytes) {
      chunks.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(index);
    currentBytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}
