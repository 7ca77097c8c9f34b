import fc from 'fast-check';
import { eventsCopyText, parseObject } from '../../../shared/load/parse-object.ts';
import { copyTextChunks } from '../../../shared/load/postgres-staging.ts';
import { loadedColumns, TABLES } from '../../../shared/warehouse-schema/tables.ts';

/**
 * The fast path of the Postgres-family load against the slow one it stands for: an events
 * object streamed as COPY text (eventsCopyText) is parseObject's rows through copyTextChunks,
 * with the same bad rows.
 */
const EVENT_NAMES = loadedColumns(TABLES.events).map((c) => c.name);

const awkwardText = fc.constantFrom(
  'plain',
  'tab\there',
  'line\nbreak',
  'back\\slash',
  'cr\r',
  'nul\u0000',
  'ünï',
  '',
);
const time = fc.constantFrom(
  '2026-11-25T10:00:00.000Z',
  '2026-02-29T10:00:00.000Z',
  '2028-02-29T23:59:59.999Z',
  '2026-11-31T10:00:00.000Z',
  '2026-11-25T24:00:00.000Z',
  '2026-11-25T10:00:00Z',
  '2026-11-25T10:00:00.123456+02:00',
  'yesterday',
);
const value = fc.oneof(
  awkwardText,
  time,
  fc.constantFrom('19.99', '-1', '1'.repeat(33), null, true, 3, -1, 2.5, 2 ** 31),
  fc.dictionary(awkwardText, fc.oneof(awkwardText, fc.integer()), { maxKeys: 3 }),
);
const ids = fc.constantFrom('e-1', 'e-2', 'e-3', 'e\t4');
const eventLine = fc
  .record({
    id: ids,
    overrides: fc.dictionary(fc.constantFrom(...EVENT_NAMES, 'extra'), value, { maxKeys: 4 }),
  })
  .map(({ id, overrides }) =>
    JSON.stringify({
      row_kind: 'event',
      event_id: id,
      event_type: 'track',
      event_time: '2026-11-25T10:00:00.000Z',
      received_at: '2026-11-25T10:00:01.000Z',
      price: '19.99',
      quantity: 2,
      properties: { product_id: 'p-1' },
      context: {},
      ...overrides,
    }),
  );
const badEventLine = fc
  .record({ id: ids, reasons: fc.array(awkwardText, { maxLength: 2 }) })
  .map(({ id, reasons }) =>
    JSON.stringify({
      row_kind: 'bad_event',
      event_id: id,
      source: 'transform',
      received_at: '2026-11-25T10:00:01.000Z',
      reasons,
      payload: { id },
      payload_truncated: false,
    }),
  );
const otherLine = fc.constantFrom('', '   ', '{"row_kind":', '[1,2]', '{"row_kind":"other"}', '7');
const body = fc
  .array(fc.oneof({ weight: 4, arbitrary: eventLine }, badEventLine, otherLine), { maxLength: 12 })
  .chain((lines) => fc.constantFrom(lines.join('\n'), `${lines.join('\n')}\n`));

describe('eventsCopyText is parseObject then copyTextChunks', () => {
  it('for random events objects', () => {
    fc.assert(
      fc.property(body, (text) => {
        const parsed = parseObject('events', 'objects/k', text);
        const copy = eventsCopyText('objects/k', text);
        const streamed = [...copy.chunks].join('');
        expect(streamed).toBe([...copyTextChunks(EVENT_NAMES, parsed.events)].join(''));
        expect(copy.summary).toEqual({
          lines: parsed.lines,
          events: parsed.events.length,
          badEvents: parsed.badEvents,
        });
      }),
      { numRuns: 300 },
    );
  });
});
