/**
 * Firehose's error output: one JSON line per record it could not deliver, in the documented
 * shape {attemptsMade, arrivalTimestamp, errorCode, errorMessage, attemptEndingTimestamp,
 * rawData, lambdaArn}. `rawData` is the original record, base64, which is all a replay needs.
 */
export interface ErrorRecord {
  /** 1-based line in the object: how a person finds the record again. */
  line: number;
  rawData: string;
  arrivalTimestamp: number;
  errorCode: string;
  errorMessage: string;
}

export interface ParsedErrorObject {
  records: ErrorRecord[];
  /** Lines that are not error records: reported, never guessed at. */
  unreadable: { line: number; reason: string }[];
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function parseErrorObject(text: string): ParsedErrorObject {
  const parsed: ParsedErrorObject = { records: [], unreadable: [] };
  text.split('\n').forEach((raw, index) => {
    if (raw.trim() === '') return;
    const line = index + 1;
    const result = errorRecord(raw, line);
    if ('reason' in result) parsed.unreadable.push({ line, reason: result.reason });
    else parsed.records.push(result);
  });
  return parsed;
}

function errorRecord(raw: string, line: number): ErrorRecord | { reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { reason: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { reason: 'not a JSON object' };
  const record = value as Record<string, unknown>;
  const { rawData, arrivalTimestamp } = record;
  if (typeof rawData !== 'string' || rawData.length % 4 !== 0 || !BASE64.test(rawData))
    return { reason: 'rawData is not base64' };
  // The transform falls back to its clock without an arrival time, which would make the
  // replayed rows (and so the replay's key) differ from run to run.
  if (typeof arrivalTimestamp !== 'number' || !Number.isFinite(arrivalTimestamp))
    return { reason: 'arrivalTimestamp is not a number' };
  return {
    line,
    rawData,
    arrivalTimestamp,
    errorCode: typeof record.errorCode === 'string' ? record.errorCode : 'unknown',
    errorMessage: typeof record.errorMessage === 'string' ? record.errorMessage : '',
  };
}

/** The original bytes of each record, one per line as the metrics stream received them. */
export function rawLines(records: readonly ErrorRecord[]): string {
  return records
    .map((record) => {
      const text = Buffer.from(record.rawData, 'base64').toString('utf8');
      return text.endsWith('\n') ? text : `${text}\n`;
    })
    .join('');
}
