import type { FaultSwitches } from '../../../offline/faults/fault-switches.ts';
import { faultyInvoker } from '../../../offline/faults/faulty-invoker.ts';
import type { LambdaInvoker } from '../../../offline/lambda-invoker.ts';
import { decode, scenario, sleep, waitFor, type Scenario, type Seen } from './harness.ts';

/**
 * The stack's invocation faults (offline/faults/faulty-invoker.ts) seen by the event source
 * mapping: an injected error or timeout is a function error, so the mapping spends retries
 * and bisects on it as it does for a handler that threw
 * (https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html).
 */
describe('event source mapping: injected invocation faults', () => {
  let world: Scenario | undefined;
  let switches: FaultSwitches = {};
  const withFaults = (inner: LambdaInvoker) =>
    faultyInvoker(inner, { switches: () => switches, functionKey: (name) => name });
  afterEach(async () => {
    await world?.close();
    world = undefined;
    switches = {};
  });

  test('an injected error on one record: bisected down to it, retried, and only that record goes to the on-failure destination', async () => {
    const processed: Seen[] = [];
    world = await scenario({ fn: (event) => void processed.push(...decode(event)) });
    const sequences: string[] = [];
    for (let i = 0; i < 8; i += 1)
      sequences.push(await world.put('k', { messageId: i === 5 ? 'marker-5' : `m-${i}` }));
    switches = { invoke: { fn: { mode: 'error', whenEventContains: 'marker-5' } } };
    await world.start(
      { batchSize: 8, bisectBatchOnFunctionError: true, maximumRetryAttempts: 2 },
      { wrapInvoker: withFaults },
    );
    await waitFor('the invocation record', () => world?.failures.length === 1);
    await sleep(300);
    const [record] = world.failures;
    expect(record?.KinesisBatchInfo).toMatchObject({
      startSequenceNumber: sequences[5],
      endSequenceNumber: sequences[5],
      batchSize: 1,
    });
    // The invokes of the batches it was in (8, then 4, then 2), then [5] alone and 2 retries:
    // splitting spent no retry.
    expect(record?.requestContext).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 6,
    });
    expect(record?.responseContext?.functionError).toBe('Unhandled');
    // Every other record ran exactly once: the halves that succeeded were not run again.
    expect(processed.map((seen) => seen.sequenceNumber)).toEqual(
      sequences.filter((_, i) => i !== 5),
    );
  });

  test('a batch timing out once is retried whole, and then every record is processed once', async () => {
    const processed: Seen[] = [];
    world = await scenario({ fn: (event) => void processed.push(...decode(event)) });
    const sequences = [await world.put('k', { i: 0 }), await world.put('k', { i: 1 })];
    switches = { invoke: { fn: { mode: 'timeout', timeoutMs: 200, times: 1 } } };
    await world.start(
      { batchSize: 10, bisectBatchOnFunctionError: false, maximumRetryAttempts: 5 },
      { wrapInvoker: withFaults },
    );
    await waitFor('the retry', () => processed.length === 2);
    await sleep(300);
    expect(processed.map((seen) => seen.sequenceNumber)).toEqual(sequences);
    expect(world.failures).toEqual([]);
    const failed = world.logs.find((entry) => entry.message === 'batch failed');
    expect(failed?.details).toMatchObject({
      kind: 'function-error',
      errorType: 'Sandbox.Timedout',
      errorMessage: expect.stringMatching(/Task timed out after 0\.20 seconds$/),
    });
  });
});
