import type { StreamRecord } from '../event-contract/clickstream-event.ts';
import { deaggregate } from '../kpl/deaggregate.ts';

/** A Kinesis record as the event source mapping hands it over. */
export interface KinesisRecordIn {
  kinesis: { data: string; sequenceNumber: string; partitionKey: string };
}

export type Decoded =
  { ok: true; records: StreamRecord[] } | { ok: false; sequenceNumber: string; reason: string };

/**
 * One Kinesis record to the stream records it carries: base64, then KPL de-aggregation when
 * a producer aggregated, then JSON. A record that cannot be read is a poison record, to be
 * reported by its sequence number rather than counted or silently skipped.
 */
export function decodeRecord(record: KinesisRecordIn): Decoded {
  const { sequenceNumber, partitionKey } = record.kinesis;
  try {
    const bytes = Buffer.from(record.kinesis.data, 'base64');
    const records = deaggregate(bytes, partitionKey).map((user) => {
      const value: unknown = JSON.parse(Buffer.from(user.data).toString('utf8'));
      if (!isStreamRecord(value))
        throw new Error('not a clickstream record (no messageId or type)');
      return value;
    });
    return { ok: true, records };
  } catch (error) {
    return {
      ok: false,
      sequenceNumber,
      reason: error instanceof Error ? error.message : String(error),
    };
  }
}

function isStreamRecord(value: unknown): value is StreamRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const candidate = value as { messageId?: unknown; type?: unknown };
  return typeof candidate.messageId === 'string' && typeof candidate.type === 'string';
}
