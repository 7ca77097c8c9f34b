/**
 * Limits from the contracts we speak. Numbers come from the Segment HTTP Tracking API
 * and the Kinesis Data Streams API reference (see ../../docs/contracts.md).
 */
export const KIB = 1024;
export const MIB = 1024 * KIB;

export const SEGMENT_LIMITS = {
  /** "Each call is limited to 32KB" (track, page, identify; and each event inside a batch). */
  maxEventBytes: 32 * KIB,
  /** "The batch request is limited to 500KB." */
  maxBatchBytes: 500 * KIB,
  /**
   * The per-event limit is checked on the event as it goes on the stream, which is cheaper
   * than serialising each event twice: 32 KB as sent plus 1 KB for the fields the server
   * adds on receipt (receivedAt, corrected timestamp, context.ip, ...).
   */
  maxStoredEventBytes: 33 * KIB,
} as const;

export const KINESIS_LIMITS = {
  /** PutRecords: "Each PutRecords request can support up to 500 records". */
  maxRecordsPerPut: 500,
  /** "... up to a limit of 5 MiB for the entire request, including partition keys." */
  maxBytesPerPut: 5 * MIB,
  /** "Each record in the request can be as large as 1 MiB" (data + partition key). */
  maxBytesPerRecord: 1 * MIB,
  /** Partition keys are Unicode strings of 1 to 256 characters. */
  maxPartitionKeyLength: 256,
} as const;

/** Identifiers (anonymousId, userId) become partition keys, so they share that bound. */
export const MAX_ID_LENGTH = KINESIS_LIMITS.maxPartitionKeyLength;
export const MAX_MESSAGE_ID_LENGTH = 128;
export const MAX_EVENT_NAME_LENGTH = 200;
