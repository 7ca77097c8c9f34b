import { ECOMMERCE_EVENTS } from '../event-contract/ecommerce.ts';
import { isPlainObject } from '../event-contract/field-spec.ts';
import { classify, type Outcome } from './classify.ts';
import type {
  FirehoseInputRecord,
  FirehoseOutputRecord,
  FirehoseTransformationEvent,
  FirehoseTransformationResponse,
} from './firehose-transformation.ts';
import { MAX_RESPONSE_BYTES } from './firehose-transformation.ts';
import { deaggregate, isAggregated, KplAggregationError } from '../kpl/deaggregate.ts';
import { fitResponse, type Candidate } from './response-limit.ts';
import { toNdjson, type Row } from './event-rows.ts';

/**
 * The Firehose transformation: every input record answered exactly once, in input order.
 *  - Ok: at least one row to store. Good events become `events` rows; bad rows from the
 *    ingest API (`type: "rejected"`) become `bad_events` rows; an invalid event beside
 *    storable ones in an aggregated record becomes a bad_events row too (source "transform"),
 *    so one bad event never holds its neighbours back.
 *  - Dropped: every event in it was a bot or test traffic (see bots.ts).
 *  - ProcessingFailed: not base64, a broken KPL aggregate, or every event in it invalid or
 *    unparseable; Firehose puts the original bytes under processing-failed/ for bad_events
 *    and replay. Also a record whose answer would push the response past 6 MB.
 * Ok records carry metadata.partitionKeys for dynamic partitioning: `dt` is the UTC day the
 * record reached the stream (as Firehose's default YYYY/MM/DD/HH prefix, so a day's partition
 * closes when the day ends; the event's own time is the event_time column), and `event_name`
 * a bounded slug (e-commerce event, "page", "identify", "custom", "bad_event", or "mixed"
 * when one aggregated record holds several) so custom event names cannot explode partitions.
 */
export interface TransformOptions {
  /** Clock for records without a usable approximateArrivalTimestamp. */
  now?: Date;
  maxResponseBytes?: number;
}

export interface TransformMetrics {
  /** Records, by the result they were answered with. */
  records: number;
  ok: number;
  dropped: number;
  failed: number;
  /** Rows written: events and bad events. */
  events: number;
  badEvents: number;
  /** Events dropped: bots and test traffic. */
  bots: number;
  test: number;
  /** Events refused here, in failed records or as bad_events rows. */
  invalid: number;
  /** Records failed only to keep the response under the size cap. */
  overflowed: number;
}

/** How many failed records an invocation logs one by one; the rest are in its metrics. */
export const FAILURES_LOGGED_PER_INVOCATION = 20;

export interface TransformOutput {
  response: FirehoseTransformationResponse;
  metrics: TransformMetrics;
  /** Why each ProcessingFailed record failed: Firehose's response has no field for it, so the handler logs these. */
  failures: { recordId: string; reason: string }[];
}

/** The invocation itself is malformed; Firehose retries it, then routes it to processing-failed/. */
export class InvalidTransformationEventError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidTransformationEventError';
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const MAX_REASONS_IN_FAILURE = 5;
const OVERFLOW_REASON = 'the transformed record does not fit in the 6 MB Lambda response';

export function transformRecords(
  event: FirehoseTransformationEvent,
  options: TransformOptions = {},
): TransformOutput {
  const records = checkedRecords(event);
  const now = options.now ?? new Date();
  const metrics: TransformMetrics = {
    records: records.length,
    ok: 0,
    dropped: 0,
    failed: 0,
    events: 0,
    badEvents: 0,
    bots: 0,
    test: 0,
    invalid: 0,
    overflowed: 0,
  };
  const failures: TransformOutput['failures'] = [];
  const answers = records.map((record) => answerRecord(record, now));
  const candidates: Candidate[] = answers.map((answer, i) => {
    const data: unknown = records[i]?.data;
    if (answer.failure !== undefined) {
      failures.push({ recordId: answer.record.recordId, reason: answer.failure });
    }
    return {
      preferred: answer.record,
      originalData: typeof data === 'string' ? data : '',
      overflowReason: OVERFLOW_REASON,
      base64: answer.base64,
    };
  });

  const fitted = fitResponse(candidates, options.maxResponseBytes ?? MAX_RESPONSE_BYTES);
  failures.push(...fitted.overflowed);
  metrics.overflowed = fitted.overflowed.length;
  fitted.response.records.forEach((record, i) => {
    if (record.result === 'Ok') metrics.ok++;
    else if (record.result === 'Dropped') metrics.dropped++;
    else metrics.failed++;
    const answer = answers[i];
    // An overflowed record's events went to the error output whole: neither stored nor dropped.
    if (answer && record.result === answer.record.result) {
      addCounts(metrics, answer.counts);
    }
  });
  return { response: fitted.response, metrics, failures };
}

type Counts = Record<'events' | 'badEvents' | 'bots' | 'test' | 'invalid', number>;

/** Field by field rather than over a list of keys: this runs for every record. */
function addCounts(metrics: TransformMetrics, counts: Counts): void {
  metrics.events += counts.events;
  metrics.badEvents += counts.badEvents;
  metrics.bots += counts.bots;
  metrics.test += counts.test;
  metrics.invalid += counts.invalid;
}

function checkedRecords(event: FirehoseTransformationEvent): FirehoseInputRecord[] {
  const records: unknown = isPlainObject(event) ? event.records : undefined;
  if (!Array.isArray(records)) throw new InvalidTransformationEventError('records must be a list');
  const seen = new Set<string>();
  records.forEach((record: unknown, i) => {
    const recordId = isPlainObject(record) ? record.recordId : undefined;
    if (typeof recordId !== 'string' || recordId === '') {
      throw new InvalidTransformationEventError(
        `records[${i}].recordId must be a non-empty string`,
      );
    }
    // Answering a recordId twice breaks the contract as surely as not answering it.
    if (seen.has(recordId))
      throw new InvalidTransformationEventError(`recordId ${recordId} is repeated`);
    seen.add(recordId);
  });
  return records as FirehoseInputRecord[];
}

interface Answer {
  record: FirehoseOutputRecord;
  failure?: string;
  counts: Counts;
  /** The record's data and the input's data are both base64 (see Candidate.base64). */
  base64: boolean;
}

function failed(
  recordId: string,
  data: unknown,
  reason: string,
  counts: Counts,
  base64: boolean,
): Answer {
  return {
    record: { recordId, result: 'ProcessingFailed', data: typeof data === 'string' ? data : '' },
    failure: reason,
    counts,
    base64,
  };
}

/**
 * Whether `data` is base64 text, decoded. The regex is the definition; the cheaper check
 * first, without encoding the bytes again: Buffer's decoder skips what is not in its
 * alphabet, so text of that alphabet alone (ASCII, no "-" or "_" of base64url, "=" only as
 * the padding at the end) is the one whose bytes number exactly 3 per 4 characters less the
 * padding; and for that text the regex holds. Anything else is left to the regex.
 */
export function decodedBase64(data: string): Buffer | undefined {
  if (data.length % 4 !== 0) return undefined;
  const bytes = Buffer.from(data, 'base64');
  return isPlainBase64(data, bytes.length) || BASE64.test(data) ? bytes : undefined;
}

function isPlainBase64(data: string, decodedBytes: number): boolean {
  const padding = data.endsWith('==') ? 2 : data.endsWith('=') ? 1 : 0;
  const firstEquals = data.indexOf('=');
  return (
    decodedBytes === (data.length / 4) * 3 - padding &&
    (firstEquals === -1 || firstEquals === data.length - padding) &&
    data.indexOf('-') === -1 &&
    data.indexOf('_') === -1 &&
    // The decoder reads a character beyond Latin-1 by its low byte: ASCII only.
    Buffer.byteLength(data, 'utf8') === data.length
  );
}

function answerRecord(input: FirehoseInputRecord, now: Date): Answer {
  const { recordId, data } = input;
  const counts: Counts = { events: 0, badEvents: 0, bots: 0, test: 0, invalid: 0 };
  const bytes = typeof data === 'string' ? decodedBase64(data) : undefined;
  if (bytes === undefined) {
    return failed(recordId, data, 'record data is not base64', counts, false);
  }
  const arrival = Number.isFinite(input.approximateArrivalTimestamp)
    ? new Date(input.approximateArrivalTimestamp)
    : now;
  const arrivedAt = (Number.isNaN(arrival.getTime()) ? now : arrival).toISOString();
  try {
    const userRecords = deaggregate(bytes, input.kinesisRecordMetadata?.partitionKey);
    if (userRecords.length === 0) {
      return failed(recordId, data, 'aggregated record holds no user records', counts, true);
    }
    const outcomes = userRecords.map((user) => classify(user.data, arrivedAt));
    let invalid = 0;
    for (const outcome of outcomes) if (outcome.kind === 'invalid') invalid++;
    counts.invalid = invalid;
    if (invalid === outcomes.length) {
      return failed(recordId, data, failureReason(outcomes, isAggregated(bytes)), counts, true);
    }
    const rows = storedRows(outcomes, counts);
    if (rows.length === 0) {
      return { record: { recordId, result: 'Dropped', data }, counts, base64: true };
    }
    return {
      record: {
        recordId,
        result: 'Ok',
        data: Buffer.from(toNdjson(rows), 'utf8').toString('base64'),
        metadata: {
          partitionKeys: { dt: arrivedAt.slice(0, 10), event_name: partitionName(rows) },
        },
      },
      counts,
      base64: true,
    };
  } catch (error: unknown) {
    if (error instanceof KplAggregationError) {
      return failed(recordId, data, error.message, counts, true);
    }
    // A defect must cost one record, never the batch (which Firehose would retry whole).
    const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return failed(recordId, data, `unexpected error while transforming: ${why}`, counts, true);
  }
}

function storedRows(outcomes: readonly Outcome[], counts: Counts): Row[] {
  const rows: Row[] = [];
  for (const outcome of outcomes) {
    if (outcome.kind === 'dropped') {
      if (outcome.why === 'bot') counts.bots++;
      else counts.test++;
    } else {
      rows.push(outcome.row);
      if (outcome.row.row_kind === 'event') counts.events++;
      else counts.badEvents++;
    }
  }
  return rows;
}

function failureReason(invalid: readonly Outcome[], aggregated: boolean): string {
  // Every outcome is invalid here: `i` is the event's place in the record.
  const reasons = invalid.flatMap((o, i) =>
    o.kind === 'invalid' ? o.reasons.map((r) => (aggregated ? `event ${i}: ${r}` : r)) : [],
  );
  const shown = reasons.slice(0, MAX_REASONS_IN_FAILURE).join('; ');
  const more = reasons.length - MAX_REASONS_IN_FAILURE;
  return more > 0 ? `${shown}; and ${more} more` : shown;
}

function partitionName(rows: readonly Row[]): string {
  const first = rows[0] === undefined ? 'mixed' : rowPartitionName(rows[0]);
  for (let i = 1; i < rows.length; i++) {
    if (rowPartitionName(rows[i] as Row) !== first) return 'mixed';
  }
  return first;
}

/** "Product Viewed" -> "product_viewed": one slug per e-commerce event, made once. */
const ECOMMERCE_SLUGS: ReadonlyMap<string, string> = new Map(
  ECOMMERCE_EVENTS.map((name) => [name, name.toLowerCase().replaceAll(' ', '_')]),
);

function rowPartitionName(row: Row): string {
  if (row.row_kind === 'bad_event') return 'bad_event';
  if (row.event_type !== 'track') return row.event_type;
  return ECOMMERCE_SLUGS.get(row.event_name ?? '') ?? 'custom';
}
