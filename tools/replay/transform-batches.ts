import type {
  FirehoseTransformationEvent,
  TransformationResult,
} from '../../shared/transform/firehose-transformation.ts';
import type { ErrorRecord } from './error-records.ts';

/**
 * Failed records go back through the transformation Lambda the way Firehose sends them:
 * transformation events of at most the processor's buffer size (1 MB in serverless.yml),
 * well under the 6 MB invocation cap, so the transformed answer fits too.
 */
export const TRANSFORM_BATCH_BYTES = 1024 * 1024;

export interface TransformBatchOptions {
  deliveryStreamArn: string;
  region: string;
  /** Names the invocations; the transform does not read it. */
  invocationPrefix: string;
  maxBytes?: number;
}

export function transformationEvents(
  records: readonly ErrorRecord[],
  options: TransformBatchOptions,
): FirehoseTransformationEvent[] {
  const max = options.maxBytes ?? TRANSFORM_BATCH_BYTES;
  const events: FirehoseTransformationEvent[] = [];
  let current: FirehoseTransformationEvent | undefined;
  let bytes = 0;
  for (const record of records) {
    const input = {
      recordId: String(record.line),
      data: record.rawData,
      approximateArrivalTimestamp: record.arrivalTimestamp,
    };
    const size = Buffer.byteLength(JSON.stringify(input)) + 1;
    if (!current || (current.records.length > 0 && bytes + size > max)) {
      current = {
        invocationId: `${options.invocationPrefix}-${events.length + 1}`,
        deliveryStreamArn: options.deliveryStreamArn,
        region: options.region,
        records: [],
      };
      events.push(current);
      bytes = 0;
    }
    current.records.push(input);
    bytes += size;
  }
  return events;
}

export interface TransformVerdicts {
  /** NDJSON rows of each Ok record, newline-terminated, in input order. */
  ok: { recordId: string; rows: string }[];
  dropped: string[];
  failed: { recordId: string; reason: string }[];
}

const RESULTS = new Set<TransformationResult>(['Ok', 'Dropped', 'ProcessingFailed']);

/**
 * The transform's answer judged as Firehose judges it: every recordId answered exactly once
 * with a known result and base64 data; a record answered wrongly fails alone.
 */
export function readTransformResponse(
  event: FirehoseTransformationEvent,
  payload: unknown,
): TransformVerdicts {
  const verdicts: TransformVerdicts = { ok: [], dropped: [], failed: [] };
  const answers = new Map<string, { result: unknown; data: unknown }[]>();
  const listed =
    typeof payload === 'object' && payload !== null && 'records' in payload
      ? payload.records
      : undefined;
  for (const answer of Array.isArray(listed) ? (listed as unknown[]) : []) {
    if (typeof answer !== 'object' || answer === null) continue;
    const { recordId, result, data } = answer as Record<string, unknown>;
    if (typeof recordId !== 'string') continue;
    answers.set(recordId, [...(answers.get(recordId) ?? []), { result, data }]);
  }
  for (const { recordId } of event.records) {
    const found = answers.get(recordId) ?? [];
    const [answer] = found;
    if (!answer) verdicts.failed.push({ recordId, reason: 'not answered by the transform' });
    else if (found.length > 1)
      verdicts.failed.push({ recordId, reason: 'answered twice by the transform' });
    else if (!RESULTS.has(answer.result as TransformationResult) || typeof answer.data !== 'string')
      verdicts.failed.push({ recordId, reason: 'answered with an invalid result or data' });
    else if (answer.result === 'Dropped') verdicts.dropped.push(recordId);
    else if (answer.result === 'ProcessingFailed')
      verdicts.failed.push({ recordId, reason: 'ProcessingFailed again' });
    else {
      const rows = Buffer.from(answer.data, 'base64').toString('utf8');
      verdicts.ok.push({ recordId, rows: rows === '' || rows.endsWith('\n') ? rows : `${rows}\n` });
    }
  }
  return verdicts;
}
