import {
  counting,
  scenario,
  startOfNextWindow,
  waitFor,
  type Scenario,
  type WindowCall,
} from './harness.ts';

describe('event source mapping: tumbling window limits', () => {
  let world: Scenario | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  test('records of different windows never share an invocation', async () => {
    const calls: WindowCall[] = [];
    world = await scenario({ fn: counting(calls) });
    await startOfNextWindow(1);
    await world.put('k', { i: 0 });
    await world.put('k', { i: 1 });
    await startOfNextWindow(1);
    await world.put('k', { i: 2 });
    await world.put('k', { i: 3 });
    await world.start({ tumblingWindowInSeconds: 1, batchSize: 100 });
    await waitFor(
      'both windows closed',
      () => calls.filter((c) => c.isFinalInvokeForWindow).length >= 2,
      6_000,
    );
    const shape = calls.map((c) => [c.records.map((r) => r.data.i), c.isFinalInvokeForWindow]);
    expect(shape.slice(0, 4)).toEqual([
      [[0, 1], false],
      [[], true],
      [[2, 3], false],
      [[], true],
    ]);
    for (const call of calls) {
      for (const record of call.records) {
        expect(record.arrival * 1000).toBeGreaterThanOrEqual(Date.parse(call.window.start));
        expect(record.arrival * 1000).toBeLessThan(Date.parse(call.window.end));
      }
    }
  });

  test('a state over 1 MB terminates the window early with isWindowTerminatedEarly', async () => {
    const calls: WindowCall[] = [];
    const aggregate = counting(calls);
    const big = 'x'.repeat(1024 * 1024 + 10);
    world = await scenario({
      fn: (event) =>
        calls.length === 0 ? (aggregate(event), { state: { big } }) : aggregate(event),
    });
    await startOfNextWindow(1);
    await world.put('k', { i: 0 });
    await world.put('k', { i: 1 });
    await world.start({ tumblingWindowInSeconds: 1, batchSize: 1 });
    await waitFor('three invocations', () => calls.length >= 3, 6_000);
    const [first, early, next] = calls;
    expect(first?.records.map((r) => r.data.i)).toEqual([0]);
    expect(early).toMatchObject({
      records: [],
      state: { big },
      isFinalInvokeForWindow: true,
      isWindowTerminatedEarly: true,
    });
    // The window goes on with a fresh state for the records that follow.
    expect(next?.records.map((r) => r.data.i)).toEqual([1]);
    expect(next?.state).toEqual({});
    expect(next?.window).toEqual(first?.window);
    expect(next?.isWindowTerminatedEarly).toBe(false);
  });
});
