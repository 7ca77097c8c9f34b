import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateMessage } from '../../../shared/event-contract/validate.ts';
import { TEST_ANONYMOUS_ID_PREFIX } from '../../../shared/transform/bots.ts';
import type {
  FirehoseInputRecord,
  TransformationResult,
} from '../../../shared/transform/firehose-transformation.ts';
import { aggregate, KPL_MAGIC } from '../../../shared/kpl/deaggregate.ts';
import type { BadEventRow, EventRow, Row } from '../../../shared/transform/event-rows.ts';
import {
  InvalidTransformationEventError,
  transformRecords,
} from '../../../shared/transform/transform-records.ts';
import {
  ARRIVAL_MS,
  inputRecord,
  json,
  productViewed,
  rejected,
  rowsOf,
  transformationEvent,
  UA,
} from './factories.ts';

const NOW = new Date('2026-11-26T00:00:00.000Z');
const user = (data: Uint8Array) => ({ partitionKey: 'a-1', data });
const bot = productViewed({ messageId: 'bot-1', context: { userAgent: UA.googlebot } });
const garbage = Buffer.from('{"type":"track",', 'utf8');

function transformOne(data: Uint8Array | string) {
  const input = inputRecord('r-1', data);
  const output = transformRecords(transformationEvent([input]), { now: NOW });
  const [record] = output.response.records;
  if (!record) throw new Error('record r-1 was not answered');
  return { input, record, ...output };
}

describe('each result type', () => {
  it.each<[string, Uint8Array | string, TransformationResult, Array<Row['row_kind']>]>([
    ['a good event', json(productViewed()), 'Ok', ['event']],
    ['a bad row from the ingest API', json(rejected()), 'Ok', ['bad_event']],
    ['Googlebot', json(bot), 'Dropped', []],
    [
      'HeadlessChrome',
      json(productViewed({ context: { userAgent: UA.headlessChrome } })),
      'Dropped',
      [],
    ],
    [
      'test traffic (flag)',
      json(productViewed({ properties: { product_id: 'p', test: true } })),
      'Dropped',
      [],
    ],
    [
      'test traffic (id prefix)',
      json(productViewed({ anonymousId: `${TEST_ANONYMOUS_ID_PREFIX}1` })),
      'Dropped',
      [],
    ],
    ['truncated JSON', garbage, 'ProcessingFailed', []],
    ['empty data', new Uint8Array(), 'ProcessingFailed', []],
    ['not base64', '!!not base64!!', 'ProcessingFailed', []],
    ['bytes that are not UTF-8', Uint8Array.of(0x7b, 0xff, 0x7d), 'ProcessingFailed', []],
    ['a JSON array', json([productViewed()]), 'ProcessingFailed', []],
    ['an unknown type', json({ ...productViewed(), type: 'Track' }), 'ProcessingFailed', []],
    [
      'an alias with no previousId',
      json({ ...productViewed(), type: 'alias', userId: 'u' }),
      'ProcessingFailed',
      [],
    ],
    [
      'a price as a string',
      json(productViewed({ properties: { product_id: 'p', price: '9.5' } })),
      'ProcessingFailed',
      [],
    ],
    ['no receivedAt', json({ ...productViewed(), receivedAt: undefined }), 'ProcessingFailed', []],
    [
      'no anonymousId or userId',
      json({ ...productViewed(), anonymousId: undefined }),
      'ProcessingFailed',
      [],
    ],
    [
      'a rejected row without reasons',
      json({ ...rejected(), reasons: undefined }),
      'ProcessingFailed',
      [],
    ],
    [
      'a KPL aggregate of 3 good events',
      aggregate(['m-1', 'm-2', 'm-3'].map((id) => user(json(productViewed({ messageId: id }))))),
      'Ok',
      ['event', 'event', 'event'],
    ],
    ['a KPL aggregate of bots only', aggregate([user(json(bot)), user(json(bot))]), 'Dropped', []],
    [
      'a KPL aggregate of garbage only',
      aggregate([user(garbage), user(json(42))]),
      'ProcessingFailed',
      [],
    ],
    ['a KPL aggregate holding no records', aggregate([]), 'ProcessingFailed', []],
    [
      'a KPL aggregate with a bad MD5',
      Uint8Array.from([...KPL_MAGIC, 0x0a, 0x01, 0x61, ...new Uint8Array(16)]),
      'ProcessingFailed',
      [],
    ],
  ])('%s -> %s', (_name, data, result, kinds) => {
    const { input, record, failures } = transformOne(data);
    expect(record.result).toBe(result);
    expect(record.recordId).toBe('r-1');
    if (result === 'Ok') {
      expect(rowsOf(record).map((row) => row.row_kind)).toEqual(kinds);
      expect(failures).toEqual([]);
    } else {
      // Dropped and failed records answer with their own data: Firehose replays it from there.
      expect(record.data).toBe(input.data);
      expect(record.metadata).toBeUndefined();
      expect(failures.length).toBe(result === 'ProcessingFailed' ? 1 : 0);
    }
  });

  it.each([
    ['truncated JSON', garbage, /^record data is not JSON: /],
    ['not base64', '!!not base64!!', /^record data is not base64$/],
    [
      'a price as a string',
      json(productViewed({ properties: { product_id: 'p', price: '9.5' } })),
      /properties\.price must be a number \(got string "9\.5"\)/,
    ],
    ['a bad MD5', Uint8Array.from([...KPL_MAGIC, 0x0a, 0x01, 0x61, ...new Uint8Array(16)]), /MD5/],
    [
      'an aggregate of garbage',
      aggregate([user(garbage), user(json(42))]),
      /^event 0: record data is not JSON.*; event 1: record data must be a JSON object$/,
    ],
  ])('a failure says why: %s', (_name, data, reason) => {
    const { failures } = transformOne(data);
    expect(failures).toEqual([{ recordId: 'r-1', reason: expect.stringMatching(reason) }]);
  });

  it('keeps an invalid event beside good ones as a bad row, so it holds no neighbour back', () => {
    const mixed = aggregate([
      user(json(productViewed())),
      user(json(bot)),
      user(json(rejected())),
      user(garbage),
    ]);
    const { record, metrics } = transformOne(mixed);
    expect(record.result).toBe('Ok');
    const rows = rowsOf(record);
    expect(rows.map((row) => row.row_kind)).toEqual(['event', 'bad_event', 'bad_event']);
    expect(rows[2]).toMatchObject({
      source: 'transform',
      event_id: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      received_at: new Date(ARRIVAL_MS).toISOString(),
      payload: '{"type":"track",',
    } satisfies Partial<Record<keyof BadEventRow, unknown>>);
    expect(record.metadata).toEqual({ partitionKeys: { dt: '2026-11-25', event_name: 'mixed' } });
    expect(metrics).toMatchObject({ ok: 1, events: 1, badEvents: 2, bots: 1, invalid: 1 });
  });
});

describe('partition keys', () => {
  it.each([
    [
      'an e-commerce event',
      productViewed({ event: 'Order Completed', properties: { order_id: 'o-1' } }),
      'order_completed',
    ],
    [
      'a custom event (bounded, whatever its name)',
      productViewed({ event: 'Wishlist Shared 🎁', properties: {} }),
      'custom',
    ],
    [
      'a page',
      productViewed({ type: 'page', event: undefined, name: 'Home', properties: {} }),
      'page',
    ],
    [
      'an identify',
      productViewed({ type: 'identify', event: undefined, properties: undefined, userId: 'u' }),
      'identify',
    ],
    ['a bad row', rejected(), 'bad_event'],
  ])('%s -> event_name %s', (_name, event, eventName) => {
    expect(transformOne(json(event)).record.metadata).toEqual({
      partitionKeys: { dt: '2026-11-25', event_name: eventName },
    });
  });

  it('takes dt from the arrival on the stream, or from now when there is none', () => {
    const late = inputRecord('late', json(productViewed()), Date.parse('2026-11-25T23:59:59.999Z'));
    const next = inputRecord('next', json(productViewed()), Date.parse('2026-11-26T00:00:00.000Z'));
    const unknown = {
      ...inputRecord('unknown', json(productViewed())),
      approximateArrivalTimestamp: Number.NaN,
    };
    const { response } = transformRecords(transformationEvent([late, next, unknown]), {
      now: new Date('2027-01-02T03:04:05Z'),
    });
    expect(response.records.map((r) => r.metadata?.partitionKeys.dt)).toEqual([
      '2026-11-25',
      '2026-11-26',
      '2027-01-02',
    ]);
  });
});

it('turns every event of the sample shopping session, as the ingest API writes it, into an Ok row', () => {
  const lines = readFileSync(join(__dirname, '../../../events/shopping-session.ndjson'), 'utf8')
    .trim()
    .split('\n');
  const records: FirehoseInputRecord[] = lines.map((line, i) => {
    const validation = validateMessage(
      JSON.parse(line),
      { receivedAtMs: ARRIVAL_MS - 1000 },
      () => `gen-${i}`,
    );
    if (!validation.ok)
      throw new Error(`sample line ${i} is invalid: ${validation.reasons.join('; ')}`);
    return inputRecord(`r-${i}`, json(validation.event));
  });
  const { response, metrics, failures } = transformRecords(transformationEvent(records));
  expect(failures).toEqual([]);
  expect(metrics).toMatchObject({ records: lines.length, ok: lines.length, events: lines.length });
  const rows = response.records.flatMap(rowsOf) as EventRow[];
  expect(rows.every((row) => row.ip_anonymised?.endsWith('.0'))).toBe(true);
  expect(JSON.stringify(rows)).not.toMatch(/203\.0\.113\.220/);
  const order = rows.find((row) => row.event_name === 'Order Completed');
  expect(order?.order_id).toEqual(expect.any(String));
  expect(order?.total).toMatch(/^\d+(\.\d+)?$/);
});

it('counts records by result and events by fate', () => {
  const records = [
    inputRecord('good', json(productViewed())),
    inputRecord('bad-row', json(rejected())),
    inputRecord('bot', json(bot)),
    inputRecord('test', json(productViewed({ context: { test: true } }))),
    inputRecord('garbage', garbage),
  ];
  const { metrics } = transformRecords(transformationEvent(records));
  expect(metrics).toEqual({
    records: 5,
    ok: 2,
    dropped: 2,
    failed: 1,
    events: 1,
    badEvents: 1,
    bots: 1,
    test: 1,
    invalid: 1,
    overflowed: 0,
  });
});

describe('a malformed invocation is refused whole (Firehose retries it, then keeps it under processing-failed/)', () => {
  const good = inputRecord('r-1', json(productViewed()));
  it.each([
    ['records missing', { ...transformationEvent([]), records: undefined }],
    ['a record without recordId', transformationEvent([{ ...good, recordId: '' }])],
    ['a repeated recordId', transformationEvent([good, good])],
  ])('%s', (_name, event) => {
    expect(() => transformRecords(event as never)).toThrow(InvalidTransformationEventError);
  });

  it('answers an empty batch with no records', () => {
    expect(transformRecords(transformationEvent([])).response).toEqual({ records: [] });
  });
});
