import fc from 'fast-check';
import type { FirehoseOutputRecord } from '../../../shared/transform/firehose-transformation.ts';
import { fitResponse } from '../../../shared/transform/response-limit.ts';
import { decodedBase64 } from '../../../shared/transform/transform-records.ts';

/**
 * The transform's fast paths against their definitions: base64 is what the regex says it is
 * (the decoder's byte count stands in for it), and a response is fitted to the exact byte
 * size of its JSON (counted from the parts, not serialised).
 */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const base64ish = fc
  .array(
    fc.oneof(
      { weight: 20, arbitrary: fc.constantFrom(...'ABCXYZabcxyz0189+/') },
      fc.constantFrom('=', '-', '_', ' ', '\n', '*', '.', 'é', 'Ł', 'A\u0141', '\u0000', '€'),
    ),
    { maxLength: 24 },
  )
  .map((chars) => chars.join(''));
const padded = fc.tuple(fc.uint8Array({ maxLength: 20 }), fc.nat(3)).map(([bytes, cut]) =>
  Buffer.from(bytes)
    .toString('base64')
    .slice(0, cut === 0 ? undefined : -cut),
);

describe('decodedBase64', () => {
  it('decodes exactly the text the regex calls base64 (length a multiple of 4)', () => {
    fc.assert(
      fc.property(fc.oneof(base64ish, padded), (text) => {
        const decoded = decodedBase64(text);
        const expected = text.length % 4 === 0 && BASE64.test(text);
        expect(decoded !== undefined).toBe(expected);
        if (decoded) expect(decoded.equals(Buffer.from(text, 'base64'))).toBe(true);
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('fitResponse counts base64 records to the byte', () => {
  const text = fc.string({ unit: 'binary', maxLength: 8 });
  const record = fc.record({
    recordId: fc.oneof(fc.stringMatching(/^\d{1,20}$/), text).filter((id) => id.length > 0),
    result: fc.constantFrom('Ok', 'Dropped', 'ProcessingFailed'),
    // At least as long as "ProcessingFailed": fitResponse reserves a failed answer for every
    // record first, so a preferred answer smaller than that is not what is measured here.
    data: fc
      .uint8Array({ minLength: 12, maxLength: 30 })
      .map((b) => Buffer.from(b).toString('base64')),
    partitionKeys: fc.option(fc.dictionary(text, text, { maxKeys: 3 }), { nil: undefined }),
  });
  it('keeps every answer at the exact size of the response, and not one byte less', () => {
    fc.assert(
      fc.property(fc.array(record, { minLength: 1, maxLength: 6 }), (specs) => {
        const preferred: FirehoseOutputRecord[] = specs.map(({ partitionKeys, ...r }) =>
          partitionKeys === undefined ? r : { ...r, metadata: { partitionKeys } },
        );
        const candidates = preferred.map((p) => ({
          preferred: p,
          originalData: '',
          overflowReason: 'too big',
          base64: true,
        }));
        const size = Buffer.byteLength(JSON.stringify({ records: preferred }), 'utf8');
        expect(fitResponse(candidates, size).response.records).toEqual(preferred);
        expect(fitResponse(candidates, size - 1).response.records).not.toEqual(preferred);
      }),
      { numRuns: 1_000 },
    );
  });
});
