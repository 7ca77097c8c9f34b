import { randomUUID } from 'node:crypto';
import type { RejectedEvent, StreamRecord } from '../event-contract/clickstream-event.ts';
import { SEGMENT_LIMITS } from '../event-contract/limits.ts';
import { validateMessage, type ReceiptContext } from '../event-contract/validate.ts';
import {
  putRecordsWithRetry,
  type FailedEntry,
  type RetryClock,
  type RetryPolicy,
} from '../adapters/stream-writer/put-records-with-retry.ts';
import { packRecords } from '../kpl/pack-records.ts';
import type { StreamEntry, StreamWriter } from '../adapters/stream-writer/stream-writer.ts';
import type { RequestMessages } from './read-messages.ts';

export interface IngestDeps {
  writer: StreamWriter;
  retry: RetryPolicy;
  /** KPL aggregation: events packed per partition key into records of at most this size. */
  kplAggregation?: { maxRecordBytes: number };
  clock?: RetryClock;
  newMessageId?: () => string;
}

export interface Rejection {
  index: number;
  messageId: string;
  reasons: string[];
}

export interface IngestResult {
  received: number;
  accepted: number;
  rejected: Rejection[];
  /** Events (and bad rows) not acknowledged by the stream: the client must retry them. */
  notWritten: Array<{ index: number; messageId: string; errorCode: string }>;
  /** Bad rows written for the rejected events. */
  badRowsWritten: number;
}

interface Pending {
  index: number;
  messageId: string;
  entry: StreamEntry;
}

/**
 * Validates every message, writes the valid ones and a bad row for each invalid one to the
 * stream, and says exactly which were not written. One bad event never sinks the others.
 */
export async function ingestMessages(
  request: RequestMessages,
  requestReceipt: ReceiptContext,
  deps: IngestDeps,
): Promise<IngestResult> {
  const newMessageId = deps.newMessageId ?? randomUUID;
  const receipt: ReceiptContext = {
    ...requestReceipt,
    receivedAt: new Date(requestReceipt.receivedAtMs).toISOString(),
  };
  const batch: Batch = { pending: [], rejected: [], receivedAtMs: receipt.receivedAtMs };

  // A loop, not forEach with closures: this runs for every request, most of one event.
  const { messages } = request;
  for (let index = 0; index < messages.length; index++) {
    const typed = withDefaultType(messages[index], request.defaultType);
    const outcome = validateMessage(typed, receipt, newMessageId, request.forcedType);
    if (!outcome.ok) {
      reject(batch, index, typed, outcome.messageId, outcome.reasons);
      continue;
    }
    const { event } = outcome;
    const entry = toEntry(event, (event.anonymousId ?? event.userId) as string);
    if (entry === undefined) reject(batch, index, typed, event.messageId, [TOO_DEEP]);
    else if (entry.data.byteLength > SEGMENT_LIMITS.maxStoredEventBytes) {
      reject(batch, index, typed, event.messageId, [oversizeReason(entry.data.byteLength)]);
    } else batch.pending.push({ index, messageId: event.messageId, entry });
  }

  const { pending, rejected } = batch;
  const notWritten = (await writeEntries(pending, deps)).map((failure) => {
    const item = pending[failure.index] as Pending;
    return { index: item.index, messageId: item.messageId, errorCode: failure.errorCode };
  });
  let badRowsWritten = rejected.length;
  if (notWritten.length > 0 && rejected.length > 0) {
    const failedIndexes = new Set(notWritten.map((item) => item.index));
    badRowsWritten = rejected.filter((r) => !failedIndexes.has(r.index)).length;
  }
  return {
    received: request.messages.length,
    accepted: pending.length - rejected.length,
    rejected,
    notWritten,
    badRowsWritten,
  };
}

/** Writes the entries, aggregated or not; answers which of them were not written. */
async function writeEntries(pending: readonly Pending[], deps: IngestDeps): Promise<FailedEntry[]> {
  const entries = pending.map((item) => item.entry);
  if (!deps.kplAggregation) {
    return (await putRecordsWithRetry(deps.writer, entries, deps.retry, deps.clock)).failed;
  }
  const packed = packRecords(entries, deps.kplAggregation.maxRecordBytes);
  const outcome = await putRecordsWithRetry(deps.writer, packed.entries, deps.retry, deps.clock);
  // A refused aggregated record leaves every event inside it unwritten.
  return outcome.failed
    .flatMap((failure) =>
      (packed.members[failure.index] ?? []).map((index) => ({ ...failure, index })),
    )
    .sort((a, b) => a.index - b.index);
}

interface Batch {
  pending: Pending[];
  rejected: Rejection[];
  receivedAtMs: number;
}

/** Refuses one message: its reasons for the answer, and its bad row for the stream. */
function reject(batch: Batch, index: number, raw: unknown, messageId: string, reasons: string[]) {
  batch.rejected.push({ index, messageId, reasons });
  const badRow = toBadRow(raw, messageId, reasons, batch.receivedAtMs);
  batch.pending.push({
    index,
    messageId,
    entry: toEntry(badRow, badRow.anonymousId ?? messageId) as StreamEntry,
  });
}

const TOO_DEEP = 'event is nested too deeply to serialise';

/** Serialises a record; undefined when it cannot be (nesting deeper than the stack allows). */
function toEntry(record: StreamRecord, partitionKey: string): StreamEntry | undefined {
  try {
    return { partitionKey, data: Buffer.from(JSON.stringify(record), 'utf8') };
  } catch {
    return undefined;
  }
}

function withDefaultType(raw: unknown, defaultType: string | undefined): unknown {
  if (defaultType === undefined || typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return raw;
  return 'type' in raw ? raw : { ...raw, type: defaultType };
}

function oversizeReason(bytes: number): string {
  const limit = SEGMENT_LIMITS.maxStoredEventBytes;
  return `event is ${bytes.toLocaleString('en-US')} bytes as stored; the limit is ${limit.toLocaleString('en-US')} bytes (32 KB as sent, plus 1 KB for the fields added on receipt)`;
}

/** A bad row keeps what the client sent (its first 32 KB when larger) and why it was refused. */
export function toBadRow(
  raw: unknown,
  messageId: string,
  reasons: string[],
  receivedAtMs: number,
): RejectedEvent {
  const row: RejectedEvent = {
    type: 'rejected',
    messageId,
    receivedAt: new Date(receivedAtMs).toISOString(),
    reasons,
    payload: raw,
  };
  const anonymousId =
    typeof raw === 'object' && raw !== null
      ? (raw as { anonymousId?: unknown }).anonymousId
      : undefined;
  if (typeof anonymousId === 'string' && anonymousId.length > 0 && anonymousId.length <= 256)
    row.anonymousId = anonymousId;
  let json: string | undefined;
  try {
    json = JSON.stringify(raw);
  } catch {
    json = undefined;
  }
  if (json === undefined || json.length > SEGMENT_LIMITS.maxEventBytes) {
    row.payload = json === undefined ? TOO_DEEP : json.slice(0, SEGMENT_LIMITS.maxEventBytes);
    row.payloadTruncated = true;
  }
  return row;
}
