import { ingestAnswer, RETRY_AFTER_SECONDS } from '../../../shared/ingest/ingest-answer.ts';
import type { IngestResult, Rejection } from '../../../shared/ingest/write-events.ts';

const JSON_TYPE = { 'content-type': 'application/json; charset=utf-8' };
const PTEE = 'ProvisionedThroughputExceededException';

function result(over: Partial<IngestResult>): IngestResult {
  return { received: 1, accepted: 1, rejected: [], notWritten: [], badRowsWritten: 0, ...over };
}
const rejection = (index: number, reasons = ['anonymousId or userId is required']): Rejection => ({
  index,
  messageId: `m${index}`,
  reasons,
});
const notWritten = (index: number, errorCode = PTEE) => ({
  index,
  messageId: `m${index}`,
  errorCode,
});

/** The answer with its body parsed, so the whole answer is compared at once. */
const answer = (r: IngestResult) => {
  const response = ingestAnswer(r);
  return { ...response, body: JSON.parse(response.body) as unknown };
};

describe('everything written', () => {
  it.each([1, 3, 500])('%i valid events: 200 {"success":true} and nothing else', (n) => {
    const response = ingestAnswer(result({ received: n, accepted: n }));
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('{"success":true}');
    expect(response.headers).toEqual(JSON_TYPE);
  });
});

describe('some events rejected, all written', () => {
  it('200 with the accepted count and each rejection with its reasons', () => {
    const rejected = [
      rejection(1),
      rejection(3, ['properties.price must be a number (got string "9.5")']),
    ];
    expect(answer(result({ received: 4, accepted: 2, rejected, badRowsWritten: 2 }))).toEqual({
      statusCode: 200,
      headers: JSON_TYPE,
      body: { success: true, accepted: 2, rejected },
    });
  });
});

describe('no valid event', () => {
  it('one event: 400 "the event is not valid" with its reasons', () => {
    const rejected = [
      rejection(0, ['type "screen" is not supported: send "track", "page" or "identify"']),
    ];
    expect(answer(result({ received: 1, accepted: 0, rejected, badRowsWritten: 1 }))).toEqual({
      statusCode: 400,
      headers: JSON_TYPE,
      body: { success: false, error: 'the event is not valid', rejected },
    });
  });

  it('several events: 400 "none of the events is valid"', () => {
    const rejected = [rejection(0), rejection(1)];
    expect(answer(result({ received: 2, accepted: 0, rejected, badRowsWritten: 2 }))).toEqual({
      statusCode: 400,
      headers: JSON_TYPE,
      body: { success: false, error: 'none of the events is valid', rejected },
    });
  });
});

describe('anything not written: 503, retry-after, and what to resend', () => {
  const retryHeaders = { ...JSON_TYPE, 'retry-after': String(RETRY_AFTER_SECONDS) };
  const error = (n: number, of: number) =>
    `${n} of ${of} events were not written to the stream; resend them (events are deduplicated by messageId, so resending the whole request is safe)`;

  it('waits one second before resending', () => {
    expect(RETRY_AFTER_SECONDS).toBe(1);
  });

  it('valid events not written: accepted counts only those written', () => {
    const missing = [notWritten(0), notWritten(2, 'InternalFailure')];
    expect(answer(result({ received: 3, accepted: 3, notWritten: missing }))).toEqual({
      statusCode: 503,
      headers: retryHeaders,
      body: { success: false, error: error(2, 3), accepted: 1, notWritten: missing },
    });
  });

  it('a single event not written', () => {
    expect(answer(result({ notWritten: [notWritten(0)] }))).toEqual({
      statusCode: 503,
      headers: retryHeaders,
      body: { success: false, error: error(1, 1), accepted: 0, notWritten: [notWritten(0)] },
    });
  });

  it('only a bad row not written: still 503, all valid events counted as accepted', () => {
    const rejected = [rejection(1)];
    const missing = [notWritten(1)];
    expect(answer(result({ received: 3, accepted: 2, rejected, notWritten: missing }))).toEqual({
      statusCode: 503,
      headers: retryHeaders,
      body: { success: false, error: error(1, 3), accepted: 2, notWritten: missing, rejected },
    });
  });

  it('mixed: an event and a bad row not written, rejections still listed', () => {
    const rejected = [rejection(0)];
    const missing = [notWritten(0), notWritten(3)];
    const r = result({
      received: 4,
      accepted: 3,
      rejected,
      notWritten: missing,
      badRowsWritten: 0,
    });
    expect(answer(r)).toEqual({
      statusCode: 503,
      headers: retryHeaders,
      body: { success: false, error: error(2, 4), accepted: 2, notWritten: missing, rejected },
    });
  });

  it('503 wins over 400 when nothing was valid and a bad row was not written', () => {
    const r = result({ accepted: 0, rejected: [rejection(0)], notWritten: [notWritten(0)] });
    expect(answer(r)).toMatchObject({ statusCode: 503, body: { accepted: 0 } });
  });
});
