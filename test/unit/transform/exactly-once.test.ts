import fc from 'fast-check';
import type { FirehoseInputRecord } from '../../../shared/transform/firehose-transformation.ts';
import { aggregate } from '../../../shared/kpl/deaggregate.ts';
import { transformRecords } from '../../../shared/transform/transform-records.ts';
import {
  inputRecord,
  json,
  productViewed,
  rejected,
  rowsOf,
  transformationEvent,
  UA,
} from './factories.ts';

/** One event's bytes on the stream: good, bad row, bot, test traffic, or garbage. */
const eventBytes: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uuid().map((id) => json(productViewed({ messageId: id }))),
  fc.uuid().map((id) => json(rejected({ messageId: id }))),
  fc.constant(json(productViewed({ context: { userAgent: UA.googlebot } }))),
  fc.constant(json(productViewed({ properties: { product_id: 'p', test: true } }))),
  fc.jsonValue().map((value) => json(value)),
  fc.uint8Array({ maxLength: 40 }),
);

/** A Firehose record's payload: one event, a KPL aggregate of several, or not base64 at all. */
const recordData: fc.Arbitrary<Uint8Array | string> = fc.oneof(
  { arbitrary: eventBytes, weight: 4 },
  {
    arbitrary: fc
      .array(eventBytes, { maxLength: 6 })
      .map((events) => aggregate(events.map((data) => ({ partitionKey: 'k', data })))),
    weight: 2,
  },
  { arbitrary: fc.constant('%%%'), weight: 1 },
);

const batch = fc
  .array(recordData, { maxLength: 30 })
  .map((datas): FirehoseInputRecord[] => datas.map((data, i) => inputRecord(`rec-${i}`, data)));

describe('every input recordId is answered exactly once, in order', () => {
  it('for any mix of good, bad, bot, test, garbage and aggregated records', () => {
    fc.assert(
      fc.property(batch, (records) => {
        const { response, metrics, failures } = transformRecords(transformationEvent(records));
        expect(response.records.map((r) => r.recordId)).toEqual(records.map((r) => r.recordId));
        expect(metrics.ok + metrics.dropped + metrics.failed).toBe(records.length);
        const failed = response.records.filter((r) => r.result === 'ProcessingFailed');
        expect(failures.map((f) => f.recordId)).toEqual(failed.map((r) => r.recordId));
        for (const record of response.records) {
          if (record.result === 'Ok') expect(rowsOf(record).length).toBeGreaterThan(0);
        }
      }),
    );
  });

  it('also when the response limit is tight enough to fail records', () => {
    fc.assert(
      fc.property(batch, fc.integer({ min: 0, max: 20_000 }), (records, extra) => {
        // The smallest possible answer for every record, plus some room: the limit always holds.
        const floor = 14 + records.reduce((n, r) => n + r.recordId.length + 55, 0);
        const limit = floor + extra;
        const { response, metrics } = transformRecords(transformationEvent(records), {
          maxResponseBytes: limit,
        });
        expect(response.records.map((r) => r.recordId)).toEqual(records.map((r) => r.recordId));
        expect(Buffer.byteLength(JSON.stringify(response))).toBeLessThanOrEqual(limit);
        expect(metrics.ok + metrics.dropped + metrics.failed).toBe(records.length);
      }),
    );
  });
});
