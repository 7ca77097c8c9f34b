import { inProcessInvoker, type LambdaInvoker } from '../../../offline/lambda-invoker.ts';
import { asyncFixture, FAST, type AsyncFixture } from './support.ts';

/**
 * Lambda's asynchronous invocation, as documented in invocation-async-error-handling and
 * invocation-async-retain-records, with record shapes from AWS's recorded answers
 * (localstack's AWS-validated snapshot test_lambda_destinations).
 */
let fx: AsyncFixture;
beforeEach(async () => {
  fx = await asyncFixture();
});
afterEach(async () => {
  await fx.close();
});

const event = { Records: [{ s3: { object: { key: 'events/a.json' } } }] };

/** Every call's time, and a function that fails `failures` times with `message` first. */
function flaky(failures: number, message = 'warehouse down') {
  const calls: number[] = [];
  return {
    calls,
    fn: () => {
      calls.push(Date.now());
      if (calls.length <= failures) throw new Error(message);
      return { loaded: true };
    },
  };
}

/** Answers like the Invoke API when Lambda throttles, `times` times, then runs `next`. */
function throttledFirst(times: number, next: LambdaInvoker): LambdaInvoker & { throttles: number } {
  const state = {
    throttles: 0,
    async invoke(name: string, payload: unknown) {
      if (state.throttles < times) {
        state.throttles += 1;
        return {
          ok: false as const,
          errorType: 'TooManyRequestsException',
          errorMessage: 'Rate Exceeded.',
          source: 'service' as const,
        };
      }
      return next.invoke(name, payload);
    },
  };
  return state;
}

test('a function error is retried MaximumRetryAttempts times after the documented waits (1 and 2 minutes, scaled), then a RetriesExhausted record goes to the SQS on-failure destination', async () => {
  const load = flaky(Infinity, 'connection refused');
  const asyncInvoker = fx.invokerOver(inProcessInvoker({ load: load.fn }), {
    load: fx.toDlq({ maximumRetryAttempts: 2, maximumEventAgeSeconds: 21_600 }),
  });
  await asyncInvoker.start();
  await asyncInvoker.invoke('load', event);
  await asyncInvoker.settled();

  expect(load.calls).toHaveLength(3);
  const [first = 0, second = 0, third = 0] = load.calls;
  // Timers may fire a millisecond early by the wall clock.
  expect(second - first).toBeGreaterThanOrEqual((FAST.functionErrorDelaysMs[0] ?? 0) - 2);
  expect(third - second).toBeGreaterThanOrEqual((FAST.functionErrorDelaysMs[1] ?? 0) - 2);
  const records = await fx.deadLetters();
  expect(records).toEqual([
    {
      version: '1.0',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/) as unknown,
      requestContext: {
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) as unknown,
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:load:$LATEST',
        condition: 'RetriesExhausted',
        approximateInvokeCount: 3,
      },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error', errorMessage: 'connection refused' },
    },
  ]);
  expect(await fx.queued()).toEqual([]);
  expect(await fx.parked()).toEqual([]);
});

test('MaximumRetryAttempts 0: one invocation, then RetriesExhausted with approximateInvokeCount 1', async () => {
  const load = flaky(Infinity);
  const asyncInvoker = fx.invokerOver(inProcessInvoker({ load: load.fn }), {
    load: fx.toDlq({ maximumRetryAttempts: 0, maximumEventAgeSeconds: 21_600 }),
  });
  await asyncInvoker.start();
  await asyncInvoker.invoke('load', event);
  await asyncInvoker.settled();
  expect(load.calls).toHaveLength(1);
  const [record] = await fx.deadLetters();
  expect(record?.requestContext).toMatchObject({
    condition: 'RetriesExhausted',
    approximateInvokeCount: 1,
  });
});

test('throttles are retried with backoff without spending MaximumRetryAttempts: the event is delivered once Lambda accepts it', async () => {
  const load = flaky(0);
  const invoker = throttledFirst(5, inProcessInvoker({ load: load.fn }));
  const asyncInvoker = fx.invokerOver(invoker, {
    load: fx.toDlq({ maximumRetryAttempts: 0, maximumEventAgeSeconds: 21_600 }),
  });
  await asyncInvoker.start();
  const started = Date.now();
  await asyncInvoker.invoke('load', event);
  await asyncInvoker.settled();
  expect(invoker.throttles).toBe(5);
  expect(load.calls).toHaveLength(1);
  // Backoff 10, 20, 40, 80, 80 ms: doubling from the first wait up to the cap.
  expect(Date.now() - started).toBeGreaterThanOrEqual(225);
  expect(await fx.deadLetters()).toEqual([]);
  expect(await fx.queued()).toEqual([]);
});

test('system errors past MaximumEventAge: an EventAgeExceeded record without a function error, the function never having run', async () => {
  const invoker = throttledFirst(Infinity, inProcessInvoker({}));
  const asyncInvoker = fx.invokerOver(invoker, {
    load: fx.toDlq({ maximumRetryAttempts: 2, maximumEventAgeSeconds: 0.3 }),
  });
  await asyncInvoker.start();
  await asyncInvoker.invoke('load', event);
  await asyncInvoker.settled();
  expect(invoker.throttles).toBeGreaterThanOrEqual(2);
  const [record, ...more] = await fx.deadLetters();
  expect(more).toEqual([]);
  expect(record?.requestContext).toMatchObject({
    condition: 'EventAgeExceeded',
    approximateInvokeCount: 0,
  });
  expect(record?.requestPayload).toEqual(event);
  expect(record?.responseContext).toEqual({ statusCode: 429, executedVersion: '$LATEST' });
});

test('a function error whose next retry would come after MaximumEventAge: EventAgeExceeded after one invocation (AWS recorded test_maxeventage)', async () => {
  // Waits longer than the event may live, and an age long enough for the first attempt on a
  // busy machine: the first retry (5 s) would come after the 1 s maximum age.
  const slow = await asyncFixture({ ...FAST, functionErrorDelaysMs: [5_000, 10_000] });
  try {
    const load = flaky(Infinity, 'intentional failure');
    const asyncInvoker = slow.invokerOver(inProcessInvoker({ load: load.fn }), {
      load: slow.toDlq({ maximumRetryAttempts: 2, maximumEventAgeSeconds: 1 }),
    });
    await asyncInvoker.start();
    await asyncInvoker.invoke('load', event);
    await asyncInvoker.settled();
    expect(load.calls).toHaveLength(1);
    const [record] = await slow.deadLetters();
    expect(record).toMatchObject({
      requestContext: { condition: 'EventAgeExceeded', approximateInvokeCount: 1 },
      requestPayload: event,
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: { errorType: 'Error', errorMessage: 'intentional failure' },
    });
  } finally {
    await slow.close();
  }
});

test('a function failing for a while (warehouse down) then back: the event is delivered on a later retry, nothing dead-lettered or parked', async () => {
  const load = flaky(2);
  const asyncInvoker = fx.invokerOver(inProcessInvoker({ load: load.fn }), {
    load: fx.toDlq({ maximumRetryAttempts: 2, maximumEventAgeSeconds: 21_600 }),
  });
  await asyncInvoker.start();
  await asyncInvoker.invoke('load', event);
  await asyncInvoker.settled();
  expect(load.calls).toHaveLength(3);
  expect(await fx.deadLetters()).toEqual([]);
  expect(await fx.parked()).toEqual([]);
  expect(await fx.queued()).toEqual([]);
});

test('no on-failure destination: AWS drops the event; locally it is kept in .failed-notifications and logged', async () => {
  const load = flaky(Infinity);
  const asyncInvoker = fx.invokerOver(inProcessInvoker({ load: load.fn }), {
    load: { maximumRetryAttempts: 1, maximumEventAgeSeconds: 21_600 },
  });
  await asyncInvoker.start();
  await asyncInvoker.invoke('load', event);
  await asyncInvoker.settled();
  expect(load.calls).toHaveLength(2);
  expect(await fx.parked()).toHaveLength(1);
  expect(fx.errors.join('\n')).toMatch(/RetriesExhausted.*AWS would drop it/);
  expect(await fx.deadLetters()).toEqual([]);
});
