import fc from 'fast-check';
import { FigureSums, type Figures } from './figures.ts';
import { deliver, deliveryPlan, windowStart, type Arrival } from './delivery.ts';
import { eventSpecs, oracle, partitionKey, toRecord, type EventSpec } from './oracle.ts';

/**
 * The promise of the aggregate domain: whatever the shards, batches, resends, retried
 * batches and early ends, the rows summed over shards and parts are exactly the figures of
 * the unique events of each window.
 */
const WINDOWS = 3;

function expectedPerWindow(specs: readonly EventSpec[]): Map<string, Figures> {
  const byWindow = new Map<string, EventSpec[]>();
  for (const spec of specs) {
    const start = windowStart(spec.window);
    byWindow.set(start, [...(byWindow.get(start) ?? []), spec]);
  }
  return new Map([...byWindow].map(([start, unique]) => [start, oracle(unique).figures()]));
}

describe('rows summed over shards and parts equal the oracle, exactly', () => {
  it('for random streams, shards, batches, duplicates, retries and early ends', () => {
    fc.assert(
      fc.property(eventSpecs(WINDOWS), deliveryPlan, (specs, plan) => {
        const arrivals: Arrival[] = specs.map((spec, i) => {
          const messageId = `m-${i}`;
          return {
            record: toRecord(spec, messageId),
            partitionKey: partitionKey(spec, messageId),
            window: spec.window,
            resends: spec.resends,
          };
        });
        const { metrics, products, recordsCounted } = deliver(arrivals, plan);

        const sums = new Map<string, FigureSums>();
        const sumsOf = (start: string) => {
          let window = sums.get(start);
          if (!window) sums.set(start, (window = new FigureSums()));
          return window;
        };
        const duplicates = new Map<string, number>();
        for (const row of metrics.values()) {
          sumsOf(row.windowStart).addMetricsRow(row);
          const dropped = (duplicates.get(row.windowStart) ?? 0) + row.duplicatesDropped;
          duplicates.set(row.windowStart, dropped);
          expect(row.activeUsersExact).toBe(true);
        }
        for (const row of products.values()) sumsOf(row.windowStart).addProductRow(row);

        const actual = new Map([...sums].map(([start, window]) => [start, window.figures()]));
        expect(actual).toEqual(expectedPerWindow(specs));

        // Every record handed over was either counted once or dropped as a duplicate.
        for (const [start, handed] of recordsCounted) {
          const unique = specs.filter((spec) => windowStart(spec.window) === start).length;
          expect(duplicates.get(start)).toBe(handed - unique);
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('active users across shards', () => {
  it('per-shard distinct counts sum to the global distinct count when each user is on one shard', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(30), { maxLength: 60 }),
        fc.integer({ min: 1, max: 5 }),
        (users, shards) => {
          const specs: EventSpec[] = users.map((n) => ({
            who: { anonymousId: `anon-${n}` },
            action: { kind: 'page' },
            window: 0,
            resends: [],
          }));
          const arrivals = specs.map((spec, i) => ({
            record: toRecord(spec, `m-${i}`),
            partitionKey: partitionKey(spec, `m-${i}`),
            window: 0,
            resends: [],
          }));
          const { metrics } = deliver(arrivals, { shards, batchSizes: [3], steps: ['ok'] });
          const perShard = [...metrics.values()].map((row) => row.activeUsers);
          expect(perShard.reduce((a, b) => a + b, 0)).toBe(new Set(users).size);
        },
      ),
      { numRuns: 50 },
    );
  });
});
