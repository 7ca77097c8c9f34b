import { jsonResponse, jsonTextResponse, type HttpResponse } from '../runtime/http-responses.ts';
import type { IngestResult } from './write-events.ts';

/** Seconds a client should wait before resending events the stream did not take. */
export const RETRY_AFTER_SECONDS = 1;

/**
 * 200 only when every accepted event (and every bad row) is on the stream; 503 with
 * Retry-After and the messageIds not written otherwise, so that resending is safe.
 */
export function ingestAnswer(result: IngestResult): HttpResponse {
  const rejected = result.rejected.length > 0 ? { rejected: result.rejected } : {};
  if (result.notWritten.length > 0) {
    const rejectedIndexes = new Set(result.rejected.map((r) => r.index));
    const acceptedNotWritten = result.notWritten.filter(
      (n) => !rejectedIndexes.has(n.index),
    ).length;
    return jsonResponse(
      503,
      {
        success: false,
        error: `${result.notWritten.length} of ${result.received} events were not written to the stream; resend them (events are deduplicated by messageId, so resending the whole request is safe)`,
        accepted: result.accepted - acceptedNotWritten,
        notWritten: result.notWritten,
        ...rejected,
      },
      { 'retry-after': String(RETRY_AFTER_SECONDS) },
    );
  }
  if (result.accepted === 0) {
    return jsonResponse(400, {
      success: false,
      error: result.received === 1 ? 'the event is not valid' : 'none of the events is valid',
      ...rejected,
    });
  }
  if (result.rejected.length > 0) {
    return jsonResponse(200, { success: true, accepted: result.accepted, ...rejected });
  }
  return jsonTextResponse(200, SUCCESS);
}

/** The answer to nearly every request, serialised once. */
const SUCCESS = JSON.stringify({ success: true });
