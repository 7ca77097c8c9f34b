import { gunzipSync, inflateSync } from 'node:zlib';
import { deaggregate, isAggregated } from '../../shared/kpl/deaggregate.ts';

/**
 * The text an invocation fault's `whenEventContains` marker is looked for in: what the
 * function would read, not the envelope the service wraps it in.
 *
 * - Kinesis events (`Records[].kinesis.data`): each record's data decoded from base64, KPL
 *   aggregated records unpacked into their user records. Only the records: a tumbling
 *   window's `state` is not searched, or a marker the window already counted (a user, a
 *   messageId in the dedup memory) would fail every later invoke of that window, final
 *   ones included, which no handler throwing "on a record" does.
 * - Firehose transformation events (`records[].data`): each record's data decoded.
 * - API Gateway events (`body`, `isBase64Encoded`): the body as the handler reads it,
 *   inflated when gzip or deflate.
 * - Anything else (S3 notifications, SQS...): the event as JSON.
 */
export function eventText(event: unknown): string {
  if (!isRecord(event)) return JSON.stringify(event) ?? '';
  const kinesis = kinesisRecords(event.Records);
  if (kinesis) return kinesis.join('\n');
  const firehose = firehoseRecords(event.records);
  if (firehose) return firehose.join('\n');
  if (typeof event.body === 'string') return httpBody(event.body, event.isBase64Encoded === true);
  return JSON.stringify(event);
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function kinesisRecords(records: unknown): string[] | undefined {
  if (!Array.isArray(records)) return undefined;
  const datas = records.map((r) =>
    isRecord(r) && isRecord(r.kinesis) && typeof r.kinesis.data === 'string'
      ? r.kinesis.data
      : undefined,
  );
  if (datas.length === 0 || datas.some((d) => d === undefined)) {
    // A tumbling window's final invoke has no records: nothing to match.
    return records.length === 0 ? [] : undefined;
  }
  return datas.flatMap((data) => userRecords(Buffer.from(data as string, 'base64')));
}

function firehoseRecords(records: unknown): string[] | undefined {
  if (!Array.isArray(records) || records.length === 0) return undefined;
  const datas = records.map((r) => (isRecord(r) && typeof r.data === 'string' ? r.data : null));
  if (datas.some((d) => d === null)) return undefined;
  return datas.flatMap((data) => userRecords(Buffer.from(data as string, 'base64')));
}

function userRecords(data: Buffer): string[] {
  if (!isAggregated(data)) return [data.toString('utf8')];
  try {
    return deaggregate(data).map((user) => Buffer.from(user.data).toString('utf8'));
  } catch {
    // A truncated or corrupt aggregate: searched as it is, as a handler would see its bytes.
    return [data.toString('utf8')];
  }
}

function httpBody(body: string, base64: boolean): string {
  const bytes = base64 ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  try {
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) return gunzipSync(bytes).toString('utf8');
    if (bytes[0] === 0x78) return inflateSync(bytes).toString('utf8');
  } catch {
    // not compressed after all
  }
  return bytes.toString('utf8');
}
