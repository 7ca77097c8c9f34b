import {
  MAX_RESPONSE_BYTES,
  type FirehoseOutputRecord,
} from '../../../shared/transform/firehose-transformation.ts';
import { aggregate } from '../../../shared/kpl/deaggregate.ts';
import { fitResponse, recordBytes } from '../../../shared/transform/response-limit.ts';
import { transformRecords } from '../../../shared/transform/transform-records.ts';
import { inputRecord, json, productViewed, rowsOf, transformationEvent } from './factories.ts';

const sizeOf = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

describe('the 6 MB response cap', () => {
  it('is 6,291,456 bytes', () => {
    expect(MAX_RESPONSE_BYTES).toBe(6_291_456);
  });

  it('fails, with a reason, the records whose rows no longer fit, and answers every one', () => {
    // Flattening makes rows larger than events (columns beside properties, context, parsed
    // user agent), so ~4.5 MB of input becomes more than 6 MB of output.
    const events = Array.from({ length: 40 }, (_, i) =>
      json(
        productViewed({
          messageId: `m-${i}`,
          properties: { product_id: `p-${i}`, price: 19.99, description: 'd'.repeat(600) },
        }),
      ),
    );
    const oneAggregate = aggregate(events.map((data) => ({ partitionKey: 'a-1', data })));
    const records = Array.from({ length: 100 }, (_, i) => inputRecord(`r-${i}`, oneAggregate));
    const event = transformationEvent(records);
    expect(sizeOf(event)).toBeGreaterThan(4_000_000);
    expect(sizeOf(event)).toBeLessThan(MAX_RESPONSE_BYTES);

    const unbounded = transformRecords(event, { maxResponseBytes: Number.POSITIVE_INFINITY });
    expect(sizeOf(unbounded.response)).toBeGreaterThan(MAX_RESPONSE_BYTES);

    const { response, metrics, failures } = transformRecords(event);
    expect(sizeOf(response)).toBeLessThanOrEqual(MAX_RESPONSE_BYTES);
    expect(response.records.map((r) => r.recordId)).toEqual(records.map((r) => r.recordId));
    const results = response.records.map((r) => r.result);
    const firstFailed = results.indexOf('ProcessingFailed');
    expect(firstFailed).toBeGreaterThan(0);
    // Records are kept in input order until the budget runs out.
    expect(results.slice(0, firstFailed).every((r) => r === 'Ok')).toBe(true);
    expect(results.slice(firstFailed).every((r) => r === 'ProcessingFailed')).toBe(true);
    // Failed records carry their original data while it fits, then none: Firehose writes
    // its own copy of a failed record's raw data to processing-failed/ either way.
    const original = records[0]?.data;
    const failedData = response.records
      .slice(firstFailed)
      .map((r) => (r.data === original ? 'original' : r.data));
    expect(failedData.every((data) => data === 'original' || data === '')).toBe(true);
    expect(failures).toHaveLength(records.length - firstFailed);
    expect(failures[0]?.reason).toMatch(/does not fit in the 6 MB Lambda response/);
    expect(metrics).toMatchObject({
      ok: firstFailed,
      failed: records.length - firstFailed,
      overflowed: records.length - firstFailed,
      events: firstFailed * 40,
    });
    expect(rowsOf(response.records[0])).toHaveLength(40);
  });
});

describe('fitResponse', () => {
  const ok = (recordId: string, bytes: number): FirehoseOutputRecord => ({
    recordId,
    result: 'Ok',
    data: 'A'.repeat(bytes),
  });
  const candidate = (record: FirehoseOutputRecord, originalBytes: number) => ({
    preferred: record,
    originalData: 'B'.repeat(originalBytes),
    overflowReason: 'too big',
  });

  it('keeps everything that fits, exactly up to the limit', () => {
    const candidates = [candidate(ok('a', 100), 10), candidate(ok('b', 100), 10)];
    const exact = 14 + 1 + recordBytes(ok('a', 100)) + recordBytes(ok('b', 100));
    const fitted = fitResponse(candidates, exact);
    expect(fitted.response.records.map((r) => r.result)).toEqual(['Ok', 'Ok']);
    expect(sizeOf(fitted.response)).toBe(exact);
    expect(fitResponse(candidates, exact - 1).response.records.map((r) => r.result)).toEqual([
      'Ok',
      'ProcessingFailed',
    ]);
  });

  it('falls back to the original data, then to empty data, but never leaves a record out', () => {
    const candidates = [
      candidate(ok('a', 1000), 500),
      candidate(ok('b', 1000), 50),
      candidate(ok('c', 1000), 5000),
    ];
    const limit =
      14 + 2 + 3 * recordBytes({ recordId: 'x', result: 'ProcessingFailed', data: '' }) + 200;
    const fitted = fitResponse(candidates, limit);
    expect(fitted.response.records).toEqual([
      { recordId: 'a', result: 'ProcessingFailed', data: '' },
      { recordId: 'b', result: 'ProcessingFailed', data: 'B'.repeat(50) },
      { recordId: 'c', result: 'ProcessingFailed', data: '' },
    ]);
    expect(fitted.overflowed).toEqual(
      ['a', 'b', 'c'].map((recordId) => ({ recordId, reason: 'too big' })),
    );
    expect(sizeOf(fitted.response)).toBeLessThanOrEqual(limit);
  });

  it('does not report a record that was failing anyway as an overflow', () => {
    const failing: FirehoseOutputRecord = {
      recordId: 'f',
      result: 'ProcessingFailed',
      data: 'B'.repeat(100),
    };
    const fitted = fitResponse([candidate(failing, 100)], 60);
    expect(fitted.response.records).toEqual([
      { recordId: 'f', result: 'ProcessingFailed', data: '' },
    ]);
    expect(fitted.overflowed).toEqual([]);
  });
});
