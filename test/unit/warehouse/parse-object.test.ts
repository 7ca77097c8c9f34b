import { MAX_BAD_PAYLOAD_CHARS, parseObject } from '../../../shared/load/parse-object.ts';
import { copyField, copyTextChunks } from '../../../shared/load/postgres-staging.ts';
import { isIsoTime } from '../../../shared/load/staged-cells.ts';

const event = (id: string, extra: Record<string, unknown> = {}) => ({
  row_kind: 'event',
  event_id: id,
  event_type: 'track',
  event_name: 'Product Viewed',
  anonymous_id: 'a-1',
  event_time: '2026-11-25T10:00:00.000Z',
  received_at: '2026-11-25T10:00:01.000Z',
  price: '19.99',
  quantity: 2,
  properties: { product_id: 'p-1' },
  context: {},
  ...extra,
});
const lines = (...values: unknown[]) =>
  values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))).join('\n');

describe('parseObject', () => {
  test('events: the first copy of an event id wins; absent columns are NULL', () => {
    const parsed = parseObject(
      'events',
      'k',
      lines(event('e-1'), event('e-1', { price: '1' }), event('e-2')),
    );

    expect(parsed.lines).toBe(3);
    expect(parsed.events.map((row) => [row.event_id, row.price])).toEqual([
      ['e-1', '19.99'],
      ['e-2', '19.99'],
    ]);
    expect(parsed.events[0]).toMatchObject({
      sku: null,
      properties: { json: { product_id: 'p-1' } },
    });
  });

  test.each([
    ['not JSON', '{"row_kind":', ['line is not JSON']],
    ['not an object', '[1,2]', ['line is not a JSON object']],
    ['an unknown kind', { row_kind: 'other' }, ['row_kind: expected "event" or "bad_event"']],
    ['a missing id', event('x', { event_id: null }), ['events.event_id: required']],
    [
      'an impossible date',
      event('x', { event_time: '2026-02-30T00:00:00Z' }),
      ['events.event_time: not an ISO-8601 time'],
    ],
    ['a float amount', event('x', { price: 19.99 }), ['events.price: not a decimal string']],
    [
      'an amount too wide for DECIMAL(38,6)',
      event('x', { price: '1'.repeat(33) }),
      ['events.price: not a decimal string'],
    ],
    ['a negative quantity', event('x', { quantity: -1 }), ['events.quantity: not a count']],
    ['a NUL in text', event('x', { url: 'a\u0000b' }), ['events.url: contains NUL']],
    [
      'a NUL in JSON',
      event('x', { properties: { a: '\u0000' } }),
      ['events.properties: contains NUL'],
    ],
  ])('a line with %s becomes a bad_events row (source "load")', (_why, line, reasons) => {
    const parsed = parseObject('events', 'objects/1', lines(line));

    expect(parsed.events).toEqual([]);
    expect(parsed.badEvents).toHaveLength(1);
    expect(parsed.badEvents[0]).toMatchObject({
      source: 'load',
      reasons: { json: reasons },
      object_key: 'objects/1',
      payload_truncated: false,
    });
    expect(String(parsed.badEvents[0]?.event_id)).toMatch(/^load:[0-9a-f]{64}$/);
  });

  test('a bad line is cut to 32 KB and flagged; the same bad line twice is one row', () => {
    const long = `x${'y'.repeat(MAX_BAD_PAYLOAD_CHARS)}`;
    const parsed = parseObject('events', 'k', lines(long, long));

    expect(parsed.badEvents).toHaveLength(1);
    expect(parsed.badEvents[0]).toMatchObject({ payload_truncated: true });
    expect((parsed.badEvents[0]?.payload as { json: string }).json).toHaveLength(
      MAX_BAD_PAYLOAD_CHARS,
    );
  });

  test('metrics: camelCase fields to snake_case columns; the last emission of a part wins', () => {
    const part = {
      windowStart: '2026-11-25T10:00:00Z',
      windowEnd: '2026-11-25T10:01:00Z',
      shardId: 's-0',
      part: 0,
    };
    const figures = {
      events: 1,
      rejectedEvents: 0,
      duplicatesDropped: 0,
      productViews: 1,
      cartAdds: 0,
      cartRemoves: 0,
      checkoutsStarted: 0,
      orders: 0,
      refunds: 0,
      activeUsers: 1,
      activeUsersExact: true,
      revenueByCurrency: {},
    };
    const parsed = parseObject(
      'metrics',
      'k',
      lines(
        { ...part, ...figures },
        { ...part, ...figures, events: 5 },
        {
          ...part,
          productId: 'p-1',
          views: 1,
          adds: 0,
          removes: 0,
          purchases: 0,
          revenueByCurrency: {},
        },
      ),
    );

    expect(parsed.metrics).toHaveLength(1);
    expect(parsed.metrics[0]).toMatchObject({
      window_start: '2026-11-25T10:00:00Z',
      shard_id: 's-0',
      events: 5,
      active_users_exact: true,
    });
    expect(parsed.productMetrics).toEqual([
      expect.objectContaining({ product_id: 'p-1', views: 1 }),
    ]);
  });

  test('processing-failed: one row per distinct record, keyed by a hash of its base64', () => {
    const record = {
      attemptsMade: 1,
      arrivalTimestamp: 0,
      errorCode: 'Lambda.Timeout',
      errorMessage: 'slow',
      rawData: 'AAEC',
      lambdaArn: 'arn:l',
    };
    const parsed = parseObject(
      'processing-failed',
      'pf/1',
      lines(record, record, { ...record, rawData: 'AAED' }),
    );

    expect(parsed.badEvents).toHaveLength(2);
    expect(parsed.badEvents[0]).toMatchObject({
      source: 'firehose',
      received_at: '1970-01-01T00:00:00.000Z',
      reasons: { json: ['Lambda.Timeout: slow'] },
      payload: null,
      raw_data: 'AAEC',
      attempts_made: 1,
    });
  });
});

describe('COPY text format', () => {
  test.each([
    [null, '\\N'],
    ['plain', 'plain'],
    ['tab\there', 'tab\\there'],
    ['line\nbreak\r', 'line\\nbreak\\r'],
    ['back\\slash', 'back\\\\slash'],
    [true, 't'],
    [12, '12'],
    [{ json: { a: 'x\ny' } }, '{"a":"x\\\\ny"}'],
  ])('%j is written as %j', (cell, text) => {
    expect(copyField(cell)).toBe(text);
  });

  test('rows become tab-separated lines', () => {
    expect([...copyTextChunks(['a', 'b'], [{ a: 'x', b: null }, { a: 'y' }])]).toEqual([
      'x\t\\N\ny\t\\N\n',
    ]);
  });
});

test.each([
  ['2026-11-25T10:00:00Z', true],
  ['2026-11-25T10:00:00.123456+01:00', true],
  ['2024-02-29T00:00:00Z', true],
  ['2026-02-29T00:00:00Z', false],
  ['2026-11-25 10:00:00Z', false],
  ['2026-11-25T24:00:00Z', false],
  ['2026-11-25T10:00:00', false],
])('isIsoTime(%j) is %s', (text, ok) => {
  expect(isIsoTime(text)).toBe(ok);
});
