import { FunctionConcurrency } from '../../../offline/concurrency/function-concurrency.ts';
import { decode, scenario, sleep, waitFor, type Scenario, type Seen } from './harness.ts';

/**
 * "If a Lambda event source mapping is unable to invoke the function due to throttling or other
 * issues, it retries until the records expire or exceed the maximum age"; only errors the
 * function itself returns count toward MaximumRetryAttempts
 * (https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html). The
 * throttle here is the real local gate of a function with reserved concurrency 1, its one
 * instance kept busy by another caller.
 */
let s: Scenario | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

test('an event source mapping retries a throttled batch without spending retries', async () => {
  const seen: Seen[] = [];
  s = await scenario({ fn: (event) => void seen.push(...decode(event)) });
  const concurrency = new FunctionConcurrency({ fn: { reserved: 1, workers: 4 } }, 4);
  // Another invoker holds the function's only reserved instance for a while.
  let release!: () => void;
  const held = concurrency.run(
    'fn',
    () => new Promise((resolve) => (release = () => resolve({ ok: true, payload: null }))),
  );
  const sequence = await s.put('pk', { n: 1 });
  await s.start(
    { maximumRetryAttempts: 0, bisectBatchOnFunctionError: false },
    { wrapInvoker: (invoker) => concurrency.invoker(invoker) },
  );
  await waitFor('throttles', () => concurrency.stats('fn').throttled >= 3);
  expect(seen).toEqual([]);
  release();
  await held;
  await waitFor('the batch, once the function has room', () => seen.length === 1);
  expect(seen[0]?.sequenceNumber).toBe(sequence);
  await sleep(300);
  // MaximumRetryAttempts 0 was not spent on throttles: nothing went to the on-failure destination.
  expect(s.failures).toEqual([]);
  expect(seen).toHaveLength(1);
}, 20_000);
