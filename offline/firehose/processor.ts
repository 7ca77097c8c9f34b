import { randomUUID } from 'node:crypto';
import type {
  FirehoseInputRecord,
  FirehoseTransformationEvent,
} from '../../shared/transform/firehose-transformation.ts';
import type { LambdaInvoker } from '../lambda-invoker.ts';
import { MAX_INVOCATION_BYTES } from './delivery-stream-config.ts';
import type { SourceRecord } from './record.ts';

/**
 * One call of the transformation Lambda, judged as Firehose judges it
 * (https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html): an invocation
 * that errors, or whose answer is not `{records:[...]}` or is over 6 MB, is retried
 * numberOfRetries times, then every record in it fails; otherwise each input recordId must come
 * back exactly once with result Ok | Dropped | ProcessingFailed and base64 data, and a record
 * answered wrongly (missing, duplicated, bad result or data) fails alone. Failed records go to
 * the error output with the error codes Firehose writes there.
 */
export type Verdict =
  | { kind: 'ok'; record: SourceRecord; data: Buffer; partitionKeys?: Record<string, string> }
  | { kind: 'dropped'; record: SourceRecord }
  | { kind: 'failed'; record: SourceRecord; errorCode: string; errorMessage: string };

export interface TransformOutcome {
  verdicts: Verdict[];
  attempts: number;
  endedAt: number;
}

export interface ProcessorCall {
  invoker: LambdaInvoker;
  functionName: string;
  deliveryStreamArn: string;
  /** The Kinesis stream a Kinesis-sourced delivery stream reads: the event names it. */
  sourceKinesisStreamArn?: string;
  region: string;
  numberOfRetries: number;
  clock: () => number;
}

const MESSAGES = {
  'Lambda.FunctionError':
    'The Lambda function was successfully invoked but it returned an error result.',
  'Lambda.JsonProcessingException':
    'There was an error parsing returned records from the Lambda function. Ensure that the returned records match the status model required by Firehose.',
  'Lambda.MissingRecordId':
    'One or more record Ids were not returned. Ensure that the Lambda function returns all received record Ids.',
  'Lambda.DuplicatedRecordId':
    'Multiple records were returned with the same record Id. Ensure that the Lambda function returns unique record Ids for each record.',
  'Lambda.ProcessingFailedStatus': 'ProcessingFailed status set for record',
  'Lambda.InvokeLimitExceeded':
    'The Lambda concurrent execution limit is exceeded. Increase the concurrent execution limit.',
} as const;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const RESULTS = new Set(['Ok', 'Dropped', 'ProcessingFailed']);

export function inputRecord(record: SourceRecord): FirehoseInputRecord {
  return {
    recordId: record.recordId,
    approximateArrivalTimestamp: record.arrival,
    data: record.data.toString('base64'),
    ...(record.kinesis ? { kinesisRecordMetadata: record.kinesis } : {}),
  };
}

/** Splits a batch so that every invocation's event stays within the 6 MB request cap. */
export function invocationBatches(records: readonly SourceRecord[]): SourceRecord[][] {
  const batches: SourceRecord[][] = [];
  let current: SourceRecord[] = [];
  let bytes = 300; // the event's own fields
  for (const record of records) {
    const size = Buffer.byteLength(JSON.stringify(inputRecord(record))) + 1;
    if (current.length > 0 && bytes + size > MAX_INVOCATION_BYTES) {
      batches.push(current);
      current = [];
      bytes = 300;
    }
    current.push(record);
    bytes += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

type Answered =
  | { ok: true; records: unknown[] }
  | { ok: false; errorCode: keyof typeof MESSAGES | string; detail: string };

async function invokeOnce(
  call: ProcessorCall,
  records: readonly SourceRecord[],
): Promise<Answered> {
  // A Kinesis-sourced stream's event carries `sourceKinesisStreamArn` between the invocation
  // id and the delivery stream (data-transformation.html's example; AWS's blueprints look for it
  // to re-ingest into the Kinesis stream, not the delivery stream, which refuses PutRecordBatch).
  const event: FirehoseTransformationEvent & { sourceKinesisStreamArn?: string } = {
    invocationId: randomUUID(),
    ...(call.sourceKinesisStreamArn ? { sourceKinesisStreamArn: call.sourceKinesisStreamArn } : {}),
    deliveryStreamArn: call.deliveryStreamArn,
    region: call.region,
    records: records.map(inputRecord),
  };
  const result = await call.invoker.invoke(call.functionName, event);
  if (!result.ok) {
    // A throttle is retried like any failed invocation, then the batch fails: "If your Lambda
    // function invocation fails because of a network timeout or because you've reached the
    // Lambda invocation limit, Amazon Data Firehose retries the invocation three times by
    // default" (https://docs.aws.amazon.com/firehose/latest/dev/data-transformation-failure-handling.html).
    const code =
      result.errorType === 'ResourceNotFoundException'
        ? 'Lambda.ResourceNotFound'
        : result.errorType === 'TooManyRequestsException'
          ? 'Lambda.InvokeLimitExceeded'
          : 'Lambda.FunctionError';
    return { ok: false, errorCode: code, detail: `${result.errorType}: ${result.errorMessage}` };
  }
  if (Buffer.byteLength(JSON.stringify(result.payload ?? null)) > MAX_INVOCATION_BYTES)
    return {
      ok: false,
      errorCode: 'Lambda.FunctionError',
      detail: 'response over the 6 MB Lambda payload limit',
    };
  const answered = (result.payload as { records?: unknown } | null)?.records;
  if (!Array.isArray(answered))
    return {
      ok: false,
      errorCode: 'Lambda.JsonProcessingException',
      detail: 'the response has no records array',
    };
  return { ok: true, records: answered };
}

export async function transform(
  call: ProcessorCall,
  records: readonly SourceRecord[],
): Promise<TransformOutcome> {
  let attempts = 0;
  let last: Answered = { ok: false, errorCode: 'Lambda.FunctionError', detail: 'not invoked' };
  while (attempts <= call.numberOfRetries) {
    attempts += 1;
    last = await invokeOnce(call, records);
    if (last.ok) break;
  }
  const endedAt = call.clock();
  if (!last.ok) {
    const failure = last;
    const errorMessage =
      failure.errorCode in MESSAGES
        ? MESSAGES[failure.errorCode as keyof typeof MESSAGES]
        : failure.detail;
    return {
      attempts,
      endedAt,
      verdicts: records.map((record) => ({
        kind: 'failed',
        record,
        errorCode: failure.errorCode,
        errorMessage,
      })),
    };
  }
  return { attempts, endedAt, verdicts: judge(records, last.records) };
}

function judge(records: readonly SourceRecord[], answered: unknown[]): Verdict[] {
  const byId = new Map<string, unknown[]>();
  for (const entry of answered) {
    const id = (entry as { recordId?: unknown } | null)?.recordId;
    if (typeof id === 'string') byId.set(id, [...(byId.get(id) ?? []), entry]);
  }
  const failed = (record: SourceRecord, errorCode: keyof typeof MESSAGES): Verdict => ({
    kind: 'failed',
    record,
    errorCode,
    errorMessage: MESSAGES[errorCode],
  });
  return records.map((record): Verdict => {
    const entries = byId.get(record.recordId) ?? [];
    if (entries.length === 0) return failed(record, 'Lambda.MissingRecordId');
    if (entries.length > 1) return failed(record, 'Lambda.DuplicatedRecordId');
    const entry = entries[0] as {
      result?: unknown;
      data?: unknown;
      metadata?: { partitionKeys?: unknown };
    };
    if (typeof entry.result !== 'string' || !RESULTS.has(entry.result))
      return failed(record, 'Lambda.JsonProcessingException');
    if (entry.result === 'Dropped') return { kind: 'dropped', record };
    if (entry.result === 'ProcessingFailed') return failed(record, 'Lambda.ProcessingFailedStatus');
    if (typeof entry.data !== 'string' || !BASE64.test(entry.data))
      return failed(record, 'Lambda.JsonProcessingException');
    const keys = entry.metadata?.partitionKeys;
    const partitionKeys = isStringMap(keys) ? keys : undefined;
    return {
      kind: 'ok',
      record,
      data: Buffer.from(entry.data, 'base64'),
      ...(partitionKeys ? { partitionKeys } : {}),
    };
  });
}

function isStringMap(value: unknown): value is Record<string, string> {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.values(value).every((v) => typeof v === 'string')
  );
}
