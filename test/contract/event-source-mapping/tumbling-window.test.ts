import {
  counting,
  scenario,
  startOfNextWindow,
  waitFor,
  type Scenario,
  type WindowCall,
} from './harness.ts';

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

describe('event source mapping: tumbling windows', () => {
  let world: Scenario | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  test('tumbling window state is carried across invocations and reset after the final invoke', async () => {
    const calls: WindowCall[] = [];
    world = await scenario({ fn: counting(calls) });
    const start = await startOfNextWindow(1);
    for (let i = 0; i < 5; i += 1) await world.put('k', { i });
    await world.start({ tumblingWindowInSeconds: 1, batchSize: 2 });
    await waitFor('the final invoke', () => calls.some((c) => c.isFinalInvokeForWindow), 6_000);
    await world.put('k', { i: 5 }); // the next window
    await waitFor('the next window', () => calls.some((c) => c.window.start !== iso(start)), 6_000);

    const first = calls.filter((c) => c.window.start === iso(start));
    const aggregates = first.filter((c) => !c.isFinalInvokeForWindow);
    expect(aggregates.map((c) => c.records.length)).toEqual([2, 2, 1]);
    expect(aggregates.map((c) => c.state)).toEqual([{}, { count: 2 }, { count: 4 }]);
    const final = first.find((c) => c.isFinalInvokeForWindow);
    expect(final?.state).toEqual({ count: 5 });
    expect(final?.records).toEqual([]);
    const next = calls.find((c) => c.window.start !== iso(start));
    expect(next?.state).toEqual({}); // a new window starts from an empty state
    expect(next?.records.map((r) => r.data.i)).toEqual([5]);
  });

  test("a window's end on the clock brings a final invoke flagged isFinalInvokeForWindow", async () => {
    const calls: WindowCall[] = [];
    world = await scenario({ fn: counting(calls) });
    await world.start({ tumblingWindowInSeconds: 1 });
    const start = await startOfNextWindow(1);
    await world.put('k', { i: 0 });
    await waitFor('the final invoke', () => calls.length >= 2, 6_000);
    const [aggregate, final] = calls;
    expect(aggregate).toMatchObject({
      window: { start: iso(start), end: iso(start + 1_000) },
      isFinalInvokeForWindow: false,
      isWindowTerminatedEarly: false,
      shardId: 'shardId-000000000000',
      eventSourceARN: world.streamArn,
      state: {},
    });
    expect(final).toMatchObject({
      window: { start: iso(start), end: iso(start + 1_000) },
      records: [],
      state: { count: 1 },
      isFinalInvokeForWindow: true,
      isWindowTerminatedEarly: false,
    });
    expect(final?.at).toBeGreaterThanOrEqual(start + 1_000);
  });

  test('a response without state fails the invocation', async () => {
    const calls: WindowCall[] = [];
    const aggregate = counting(calls);
    world = await scenario({
      fn: (event) => (calls.length === 0 ? (aggregate(event), {}) : aggregate(event)),
    });
    await world.put('k', { i: 0 });
    await world.start({ tumblingWindowInSeconds: 2 });
    await waitFor('the retry', () => calls.length >= 2);
    expect(calls[1]?.records.map((r) => r.data.i)).toEqual([0]);
    expect(calls[1]?.state).toEqual({});
  });
});
