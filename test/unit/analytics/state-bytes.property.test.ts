import fc from 'fast-check';
import { accumulate } from '../../../shared/analytics/accumulate.ts';
import { emptyState, nextPartState, stateBytes } from '../../../shared/analytics/window-state.ts';
import type { StreamRecord } from '../../../shared/event-contract/clickstream-event.ts';
import { page, rejected } from './fixtures.ts';

/**
 * The fast paths of accumulate and stateBytes against what they stand for: the state's size
 * is the UTF-8 size of its JSON, and a record is a duplicate exactly when its messageId is in
 * the dedup memory or came earlier in the batch, however the batch compares in size with the
 * memory (accumulate indexes whichever is smaller).
 */
const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

// Few distinct ids, so that resends are common; any text, so that escapes and UTF-8 count.
const id = fc.oneof(
  fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 12 }),
);
const record = fc.record({ id, rejected: fc.boolean(), anonymousId: id });
const batches = fc.array(fc.array(record, { maxLength: 12 }), { maxLength: 8 });
const limits = fc.record({
  dedupIds: fc.integer({ min: 1, max: 20 }),
  dedupBytes: fc.integer({ min: 10, max: 300 }),
});

function toRecord(spec: { id: string; rejected: boolean; anonymousId: string }): StreamRecord {
  return spec.rejected
    ? rejected({ messageId: spec.id })
    : page({ messageId: spec.id, anonymousId: spec.anonymousId });
}

describe('accumulate and stateBytes agree with their definitions', () => {
  it('for random ids, batches and dedup limits', () => {
    fc.assert(
      fc.property(batches, limits, fc.boolean(), (specs, chosen, cutAfterFirst) => {
        let state = emptyState({ ...chosen, maxStateBytes: 10_000, carriedUserBytes: 1_000 });
        for (const [i, batch] of specs.entries()) {
          const memory = new Set(state.recentMessageIds);
          let expectedDuplicates = state.tally.duplicates;
          for (const spec of batch) {
            const key = spec.rejected ? `rejected:${spec.id}` : spec.id;
            if (memory.has(key)) expectedDuplicates += 1;
            else memory.add(key);
          }
          state = accumulate(state, batch.map(toRecord));
          expect(state.tally.duplicates).toBe(expectedDuplicates);
          expect(stateBytes(state)).toBe(jsonBytes(state));
          if (cutAfterFirst && i === 0) {
            state = nextPartState(state);
            expect(stateBytes(state)).toBe(jsonBytes(state));
          }
        }
      }),
    );
  });
});
