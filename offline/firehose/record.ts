import { randomBytes } from 'node:crypto';

/** A record inside the stand-in, from PutRecord(Batch) or read off the source stream. */
export interface SourceRecord {
  recordId: string;
  data: Buffer;
  /** ms since the epoch: when it reached Firehose (or the source stream). */
  arrival: number;
  kinesis?: {
    shardId: string;
    partitionKey: string;
    sequenceNumber: string;
    subsequenceNumber: string;
    approximateArrivalTimestamp: number;
  };
  /**
   * Called once the record is durably handled: in an S3 object, in the error output, or
   * dropped by the transform. The Kinesis source checkpoints only past records acknowledged so.
   */
  done(): void;
}

let counter = 0;

/** Opaque, unique and sortable by arrival, like Firehose's 56-character record ids. */
export function newRecordId(now: number): string {
  counter = (counter + 1) % 1_000_000;
  return `${String(now).padStart(16, '0')}${String(counter).padStart(6, '0')}${randomBytes(17).toString('hex')}`.slice(
    0,
    56,
  );
}
