import fc from 'fast-check';
import { isPlainUtcMillis } from '../../../shared/event-contract/event-time.ts';
import { matchesIsoDateTime } from '../../../shared/event-contract/field-spec.ts';
import { matchesIsoTime } from '../../../shared/load/staged-cells.ts';

/**
 * isPlainUtcMillis is the regex-free fast path of three checks: it must answer true only
 * where each of them does by its definition (the contract's isIsoDateTime, the warehouse's
 * isIsoTime, and isoUtc's "already canonical", which holds when toISOString gives the text
 * back).
 */
const pad = (n: number, width: number) => String(n).padStart(width, '0');
const part = (max: number, width: number) => fc.integer({ min: 0, max }).map((n) => pad(n, width));
// Every field a little past its range, years from 0000 (Date.UTC maps 0-99 to 19xx).
const nearlyIso = fc
  .tuple(
    fc.oneof(part(120, 4), part(9999, 4)),
    part(13, 2),
    part(32, 2),
    part(25, 2),
    part(61, 2),
    part(61, 2),
    part(999, 3),
    fc.constantFrom('Z', 'Z', 'z', '+'),
    fc.constantFrom('T', 'T', 't', ' '),
  )
  .map(([y, mo, d, h, mi, s, ms, zone, t]) => `${y}-${mo}-${d}${t}${h}:${mi}:${s}.${ms}${zone}`);
const candidates = fc.oneof(nearlyIso, fc.string({ maxLength: 26 }));

describe('isPlainUtcMillis answers true only where the slow checks do', () => {
  it('for date-times of every day, hour and year, and any text', () => {
    fc.assert(
      fc.property(candidates, (text) => {
        if (!isPlainUtcMillis(text)) return;
        expect(matchesIsoDateTime(text)).toBe(true);
        expect(matchesIsoTime(text)).toBe(true);
        expect(new Date(Date.parse(text)).toISOString()).toBe(text);
      }),
      { numRuns: 3_000 },
    );
  });

  it('takes the spelling toISOString writes', () => {
    fc.assert(
      fc.property(
        fc.date({
          min: new Date(0),
          max: new Date('9999-12-28T00:00:00Z'),
          // fast-check 4 also makes the invalid Date unless told not to: toISOString throws on it.
          noInvalidDate: true,
        }),
        (date) => {
          const text = date.toISOString();
          if (date.getUTCDate() <= 28) expect(isPlainUtcMillis(text)).toBe(true);
        },
      ),
    );
  });
});
