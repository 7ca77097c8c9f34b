import { decode, scenario, sleep, waitFor, type Scenario } from './harness.ts';

/** Runs 60 records over 12 partition keys through one shard; returns what the function saw. */
async function run(world: Scenario, parallelizationFactor: number, seen: () => number) {
  for (let i = 0; i < 60; i += 1) await world.put(`user-${i % 12}`, { key: `user-${i % 12}`, i });
  await world.start({ batchSize: 5, parallelizationFactor });
  await waitFor('60 records', () => seen() >= 60, 15_000);
}

describe('event source mapping: ParallelizationFactor', () => {
  let world: Scenario | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  test('ParallelizationFactor processes batches of one shard concurrently yet keeps order per partition key', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const order = new Map<string, number[]>();
    let count = 0;
    world = await scenario({
      fn: async (event) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(100);
        for (const seen of decode(event)) {
          const key = seen.partitionKey;
          order.set(key, [...(order.get(key) ?? []), seen.data.i as number]);
          count += 1;
        }
        inFlight -= 1;
      },
    });
    await run(world, 4, () => count);
    expect(maxInFlight).toBeGreaterThan(1);
    expect(maxInFlight).toBeLessThanOrEqual(4);
    expect(count).toBe(60); // each record once
    for (const [key, values] of order) {
      const k = Number(key.slice('user-'.length));
      expect(values).toEqual([0, 1, 2, 3, 4].map((n) => k + 12 * n));
    }
  });

  test('ParallelizationFactor 1 runs one batch per shard at a time', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    let count = 0;
    world = await scenario({
      fn: async (event) => {
        inFlight += 1;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await sleep(20);
        count += decode(event).length;
        inFlight -= 1;
      },
    });
    await run(world, 1, () => count);
    expect(maxInFlight).toBe(1);
  });
});
