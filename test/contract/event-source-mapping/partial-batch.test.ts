import { decode, scenario, sleep, waitFor, type Scenario } from './harness.ts';

const REPORT = { functionResponseTypes: ['ReportBatchItemFailures' as const], batchSize: 10 };

/** Puts records 0..count-1 and returns their sequence numbers. */
async function putNumbered(world: Scenario, count: number): Promise<string[]> {
  const sequences: string[] = [];
  for (let i = 0; i < count; i += 1) sequences.push(await world.put('k', { i }));
  return sequences;
}

describe('event source mapping: ReportBatchItemFailures', () => {
  let world: Scenario | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  test('ReportBatchItemFailures restarts processing at the lowest reported sequence number', async () => {
    const calls: number[][] = [];
    let sequences: string[] = [];
    world = await scenario({
      fn: (event) => {
        calls.push(decode(event).map((seen) => seen.data.i as number));
        if (calls.length > 1) return { batchItemFailures: [] };
        // Reported out of order: the lowest (record 3) must become the checkpoint.
        return {
          batchItemFailures: [{ itemIdentifier: sequences[6] }, { itemIdentifier: sequences[3] }],
        };
      },
    });
    sequences = await putNumbered(world, 10);
    await world.start(REPORT);
    await waitFor('the retry', () => calls.length >= 2);
    await sleep(300);
    expect(calls).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      [3, 4, 5, 6, 7, 8, 9],
    ]);
  });

  test.each([
    ['an empty list', { batchItemFailures: [] }],
    ['a null list', { batchItemFailures: null }],
    ['an empty response', {}],
    ['a null response', null],
  ])('ReportBatchItemFailures treats %s as complete success', async (_name, answer) => {
    let calls = 0;
    world = await scenario({
      fn: () => {
        calls += 1;
        return answer;
      },
    });
    await putNumbered(world, 3);
    await world.start(REPORT);
    await waitFor('one invocation', () => calls >= 1);
    await sleep(300);
    expect(calls).toBe(1);
  });

  test.each([
    ['an empty itemIdentifier', () => [{ itemIdentifier: '' }]],
    ['a null itemIdentifier', () => [{ itemIdentifier: null }]],
    ['a bad key name', (seq: string) => [{ itemId: seq }]],
    ['an identifier not in the batch', () => [{ itemIdentifier: '12345' }]],
  ])('a malformed response (%s) fails the whole batch', async (_name, failures) => {
    const calls: number[][] = [];
    let sequences: string[] = [];
    world = await scenario({
      fn: (event) => {
        calls.push(decode(event).map((seen) => seen.data.i as number));
        return calls.length === 1 ? { batchItemFailures: failures(sequences[2] ?? '') } : {};
      },
    });
    sequences = await putNumbered(world, 4);
    await world.start(REPORT);
    await waitFor('the retry', () => calls.length >= 2);
    expect(calls[1]).toEqual([0, 1, 2, 3]); // the whole batch again, not from record 2
  });

  test('with BisectBatchOnFunctionError a partial failure splits the batch at the reported record without using a retry', async () => {
    const calls: number[][] = [];
    let sequences: string[] = [];
    world = await scenario({
      fn: (event) => {
        const records = decode(event).map((seen) => seen.data.i as number);
        calls.push(records);
        return records.includes(4) ? { batchItemFailures: [{ itemIdentifier: sequences[4] }] } : {};
      },
    });
    sequences = await putNumbered(world, 8);
    await world.start({ ...REPORT, bisectBatchOnFunctionError: true, maximumRetryAttempts: 0 });
    await waitFor('the invocation record', () => world?.failures.length === 1);
    // The split retried [4..7] once even with 0 retries; record 4 failing again used the quota.
    expect(calls).toEqual([
      [0, 1, 2, 3, 4, 5, 6, 7],
      [4, 5, 6, 7],
    ]);
    expect(world.failures[0]?.KinesisBatchInfo.startSequenceNumber).toBe(sequences[4]);
    expect(world.failures[0]?.KinesisBatchInfo.batchSize).toBe(4);
    expect(world.failures[0]?.responseContext?.functionError).toBeNull();
  });
});
