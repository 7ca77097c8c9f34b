import { PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import type { FirehoseTransformationEvent } from '../../../shared/transform/firehose-transformation.ts';
import { FunctionConcurrency } from '../../../offline/concurrency/function-concurrency.ts';
import { inProcessInvoker } from '../../../offline/lambda-invoker.ts';
import {
  encode,
  kindTransform,
  lines,
  objects,
  processor,
  startStack,
  stream,
  type Stack,
} from './support.ts';

interface ErrorLine {
  attemptsMade: number;
  arrivalTimestamp: number;
  errorCode: string;
  errorMessage: string;
  attemptEndingTimestamp: number;
  rawData: string;
  lambdaArn: string;
}

const put = (stack: Stack, records: unknown[], DeliveryStreamName = 'events') =>
  stack.client.send(
    new PutRecordBatchCommand({
      DeliveryStreamName,
      Records: records.map((r) => ({ Data: encode(r) })),
    }),
  );

const errorLines = async (stack: Stack, prefix = 'errors/processing-failed/') =>
  (await objects(stack.s3, prefix))
    .flatMap((o) => lines(o.body))
    .map((l) => JSON.parse(l) as ErrorLine);

const decoded = (line: ErrorLine) =>
  JSON.parse(Buffer.from(line.rawData, 'base64').toString('utf8')) as { n: number };

test('Dropped vs ProcessingFailed land where AWS puts them: Ok in the prefix, failed under processing-failed/, dropped nowhere', async () => {
  const stack = await startStack({ deliveryStreams: [stream({ processor: processor('kind') })] });
  try {
    await put(stack, [
      { kind: 'ok', n: 1 },
      { kind: 'drop', n: 2 },
      { kind: 'fail', n: 3 },
      { kind: 'ok', n: 4 },
    ]);
    await stack.firehose.flush();
    const all = await objects(stack.s3);
    const ok = all.filter((o) => !o.key.startsWith('errors/'));
    expect(ok).toHaveLength(1);
    expect(ok[0]?.key).toMatch(/^\d{4}\/\d\d\/\d\d\/\d\d\/events-1-/);
    expect(lines(ok[0]?.body ?? '')).toEqual(['{"n":1,"shard":null}', '{"n":4,"shard":null}']);
    const failed = await errorLines(stack);
    expect(all.find((o) => o.key.startsWith('errors/'))?.key).toMatch(
      /^errors\/processing-failed\/\d{4}\/\d\d\/\d\d\/\d\d\/events-1-/,
    );
    expect(failed).toEqual([
      {
        attemptsMade: 1,
        arrivalTimestamp: expect.any(Number),
        errorCode: 'Lambda.ProcessingFailedStatus',
        errorMessage: 'ProcessingFailed status set for record',
        attemptEndingTimestamp: expect.any(Number),
        rawData: Buffer.from(JSON.stringify({ kind: 'fail', n: 3 })).toString('base64'),
        lambdaArn: 'arn:aws:lambda:us-east-1:000000000000:function:kind:$LATEST',
      },
    ]);
    expect(stack.firehose.stats('events')).toMatchObject({
      received: 4,
      delivered: 2,
      dropped: 1,
      failed: 1,
    });
  } finally {
    await stack.stop();
  }
});

test('a failing invocation is retried numberOfRetries times, then all its records go to processing-failed', async () => {
  let calls = 0;
  const invocationIds = new Set<string>();
  const stack = await startStack({
    deliveryStreams: [stream({ processor: processor('broken', 2) })],
    functions: {
      broken: (event) => {
        calls += 1;
        invocationIds.add((event as FirehoseTransformationEvent).invocationId);
        throw new Error('boom');
      },
    },
  });
  try {
    await put(stack, [
      { kind: 'ok', n: 1 },
      { kind: 'ok', n: 2 },
    ]);
    await stack.firehose.flush();
    expect(calls).toBe(3);
    expect(invocationIds.size).toBe(3);
    const failed = await errorLines(stack);
    expect(failed.map(decoded).map((r) => r.n)).toEqual([1, 2]);
    for (const line of failed)
      expect(line).toMatchObject({ attemptsMade: 3, errorCode: 'Lambda.FunctionError' });
    expect((await objects(stack.s3)).filter((o) => !o.key.startsWith('errors/'))).toHaveLength(0);
  } finally {
    await stack.stop();
  }
});

// "If your Lambda function invocation fails because of a network timeout or because you've
// reached the Lambda invocation limit, Amazon Data Firehose retries the invocation three times by
// default" (https://docs.aws.amazon.com/firehose/latest/dev/data-transformation-failure-handling.html).
test('a throttled transform is retried like a failed invocation, then its records go to processing-failed as Lambda.InvokeLimitExceeded', async () => {
  let calls = 0;
  // Reserved concurrency 0: Lambda throttles every invocation; the function never runs.
  const concurrency = new FunctionConcurrency({ throttled: { reserved: 0, workers: 1 } }, 1);
  const stack = await startStack({
    deliveryStreams: [stream({ processor: processor('throttled', 2) })],
    invoker: concurrency.invoker(
      inProcessInvoker({ throttled: (event) => ((calls += 1), kindTransform(event)) }),
    ),
  });
  try {
    await put(stack, [{ kind: 'ok', n: 1 }]);
    await stack.firehose.flush();
    expect(calls).toBe(0);
    expect(concurrency.stats('throttled').throttled).toBe(3);
    const failed = await errorLines(stack);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      attemptsMade: 3,
      errorCode: 'Lambda.InvokeLimitExceeded',
      errorMessage:
        'The Lambda concurrent execution limit is exceeded. Increase the concurrent execution limit.',
    });
  } finally {
    await stack.stop();
  }
});

test('a missing or duplicated recordId fails only the records concerned', async () => {
  const stack = await startStack({
    deliveryStreams: [stream({ processor: processor('sloppy') })],
    functions: {
      sloppy: (event) => {
        const answer = kindTransform(event).records;
        // Forgets the 2nd record, answers the 3rd twice, invents one.
        return {
          records: [
            answer[0],
            answer[2],
            answer[2],
            answer[3],
            { recordId: 'made-up', result: 'Ok', data: '' },
          ],
        };
      },
    },
  });
  try {
    await put(
      stack,
      [1, 2, 3, 4].map((n) => ({ kind: 'ok', n })),
    );
    await stack.firehose.flush();
    const failed = await errorLines(stack);
    expect(failed.map((l) => [decoded(l).n, l.errorCode]).sort()).toEqual([
      [2, 'Lambda.MissingRecordId'],
      [3, 'Lambda.DuplicatedRecordId'],
    ]);
    const ok = (await objects(stack.s3)).filter((o) => !o.key.startsWith('errors/'));
    expect(ok.flatMap((o) => lines(o.body))).toEqual([
      '{"n":1,"shard":null}',
      '{"n":4,"shard":null}',
    ]);
  } finally {
    await stack.stop();
  }
});

test('the transform event has the documented shape, and the processor buffer hands records over at its size (invocations within 6 MB)', async () => {
  const events: FirehoseTransformationEvent[] = [];
  const stack = await startStack({
    deliveryStreams: [stream({ processor: { ...processor('spy'), bufferSizeInMBs: 3 } })],
    functions: {
      spy: (event) => (events.push(event as FirehoseTransformationEvent), kindTransform(event)),
    },
  });
  try {
    const big = (n: number) => ({ kind: 'ok', n, pad: 'x'.repeat(900 * 1024) });
    await put(stack, [big(1), big(2), big(3), big(4)]);
    await put(stack, [big(5), big(6), big(7), big(8)]);
    await stack.firehose.flush();
    expect(events.length).toBeGreaterThanOrEqual(2);
    for (const event of events)
      expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThanOrEqual(6 * 1024 * 1024);
    expect(events.flatMap((e) => e.records)).toHaveLength(8);
    expect(events[0]).toEqual({
      invocationId: expect.any(String),
      deliveryStreamArn: 'arn:aws:firehose:us-east-1:000000000000:deliverystream/events',
      region: 'us-east-1',
      records: expect.arrayContaining([
        {
          recordId: expect.any(String),
          approximateArrivalTimestamp: expect.any(Number),
          data: expect.any(String),
        },
      ]),
    });
  } finally {
    await stack.stop();
  }
});

test('dynamic partitioning writes one object per partitionKeys value, under the evaluated prefix', async () => {
  const stack = await startStack({
    deliveryStreams: [
      stream({
        processor: processor('kind'),
        dynamicPartitioning: true,
        prefix: 'events/group=!{partitionKeyFromLambda:group}/!{timestamp:yyyy}/',
      }),
    ],
  });
  try {
    await put(stack, [
      { kind: 'ok', n: 1, group: 'cart' },
      { kind: 'ok', n: 2, group: 'page' },
      { kind: 'ok', n: 3, group: 'cart' },
      { kind: 'ok', n: 4 },
    ]);
    await stack.firehose.flush();
    const year = new Date().getUTCFullYear();
    const all = await objects(stack.s3, 'events/');
    const byGroup = Object.fromEntries(
      all.map((o) => [
        o.key.split('/')[1],
        { key: o.key, ns: lines(o.body).map((l) => (JSON.parse(l) as { n: number }).n) },
      ]),
    );
    expect(Object.keys(byGroup).sort()).toEqual(['group=cart', 'group=page']);
    expect(byGroup['group=cart']?.ns).toEqual([1, 3]);
    expect(byGroup['group=page']?.ns).toEqual([2]);
    expect(byGroup['group=cart']?.key).toMatch(new RegExp(`^events/group=cart/${year}/events-1-`));
    // A record without the key cannot be placed: it goes to the error output, not lost.
    const failed = await errorLines(stack);
    expect(failed.map((l) => [decoded(l).n, l.errorCode])).toEqual([
      [4, 'DynamicPartitioning.MissingPartitionKey'],
    ]);
  } finally {
    await stack.stop();
  }
});
