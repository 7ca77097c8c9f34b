import type { Workload } from './workload.ts';

/**
 * What the stream is billed and sized on: Kinesis records, not events. Without aggregation
 * each event is one record. With KPL aggregation at ingest (INGEST_KPL_AGGREGATION) the
 * events of one request share a partition key (an SDK batch comes from one visitor), so they
 * are packed into records of up to `kplMaxRecordBytes`: fewer records per second (a shard
 * takes 1,000 records/s), fewer 25 KB PUT payload units, and less 1 KB rounding on-demand.
 */
export interface StreamRecords {
  recordsPerSecond: number;
  recordBytes: number;
  eventsPerRecord: number;
}

/** The KPL envelope (magic + MD5) plus the key table entry of a short partition key. */
const ENVELOPE_BYTES = 20 + 40;
/** Per event inside an aggregated record: its Record message's tags and lengths. */
const PER_EVENT_BYTES = 8;

export function streamRecords(w: Workload): StreamRecords {
  if (w.kplMaxRecordBytes === undefined)
    return { recordsPerSecond: w.eventsPerSecond, recordBytes: w.eventBytes, eventsPerRecord: 1 };
  const fit = Math.floor((w.kplMaxRecordBytes - ENVELOPE_BYTES) / (w.eventBytes + PER_EVENT_BYTES));
  const eventsPerRecord = Math.max(1, Math.min(w.eventsPerRequest, fit));
  if (eventsPerRecord === 1)
    return { recordsPerSecond: w.eventsPerSecond, recordBytes: w.eventBytes, eventsPerRecord: 1 };
  return {
    recordsPerSecond: w.eventsPerSecond / eventsPerRecord,
    recordBytes: ENVELOPE_BYTES + eventsPerRecord * (w.eventBytes + PER_EVENT_BYTES),
    eventsPerRecord,
  };
}
