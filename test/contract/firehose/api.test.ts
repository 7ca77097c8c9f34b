import {
  DescribeDeliveryStreamCommand,
  ListDeliveryStreamsCommand,
  PutRecordBatchCommand,
  PutRecordCommand,
  type _Record,
} from '@aws-sdk/client-firehose';
import { startStream } from '../../support/kinesis.ts';
import { encode, lines, objects, startStack, stream, type Stack } from './support.ts';

let stack: Stack;
let kinesis: Awaited<ReturnType<typeof startStream>>;
beforeAll(async () => {
  kinesis = await startStream(1);
  stack = await startStack({
    deliveryStreams: [
      stream(),
      stream({
        name: 'from-stream',
        source: {
          streamName: kinesis.streamName,
          streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/clicks',
        },
      }),
    ],
    kinesis: kinesis.emulator.client,
  });
});
afterAll(async () => {
  await stack.stop();
  await kinesis.emulator.close();
});

test('PutRecordBatch reports FailedPutCount with a per-record error, and resending the failed entries delivers each record once', async () => {
  stack.firehose.setFailureRate(0.3);
  let pending: _Record[] = Array.from({ length: 200 }, (_, n) => ({
    Data: encode(`${JSON.stringify({ n })}\n`),
  }));
  let sawFailures = 0;
  for (let round = 0; pending.length > 0 && round < 20; round += 1) {
    const answer = await stack.client.send(
      new PutRecordBatchCommand({ DeliveryStreamName: 'events', Records: pending }),
    );
    const responses = answer.RequestResponses ?? [];
    expect(responses).toHaveLength(pending.length);
    expect(answer.FailedPutCount).toBe(responses.filter((r) => r.ErrorCode).length);
    for (const r of responses) {
      if (r.ErrorCode)
        expect(r).toEqual({ ErrorCode: 'ServiceUnavailableException', ErrorMessage: 'Slow down.' });
      else expect(r.RecordId).toMatch(/^\w{56}$/);
    }
    sawFailures += answer.FailedPutCount ?? 0;
    pending = pending.filter((_, i) => responses[i]?.ErrorCode);
  }
  stack.firehose.setFailureRate(0);
  expect(sawFailures).toBeGreaterThan(0);
  expect(pending).toHaveLength(0);
  await stack.firehose.flush();
  const delivered = (await objects(stack.s3))
    .flatMap((o) => lines(o.body))
    .map((line) => (JSON.parse(line) as { n: number }).n);
  expect(delivered.sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, n) => n));
});

test('while unavailable, a share of PutRecordBatch calls is refused whole with ServiceUnavailableException (HTTP 503), nothing of them accepted; a resent call delivers each record once', async () => {
  stack.firehose.setUnavailableCallRate(0.5);
  const before = stack.firehose.unavailableStats();
  const batches = Array.from({ length: 20 }, (_, b) =>
    Array.from({ length: 10 }, (_, i) => ({
      Data: encode(`${JSON.stringify({ u: b * 10 + i })}\n`),
    })),
  );
  let refused = 0;
  for (const Records of batches) {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await stack.client.send(
          new PutRecordBatchCommand({ DeliveryStreamName: 'events', Records }),
        );
        break;
      } catch (error) {
        expect(error).toMatchObject({
          name: 'ServiceUnavailableException',
          $metadata: { httpStatusCode: 503 },
        });
        refused += 1;
        expect(attempt).toBeLessThan(30);
      }
    }
  }
  stack.firehose.setUnavailableCallRate(0);
  const after = stack.firehose.unavailableStats();
  expect(refused).toBeGreaterThan(0);
  expect(after.refusedCalls - before.refusedCalls).toBe(refused);
  expect(after.refusedRecords - before.refusedRecords).toBe(refused * 10);
  await stack.firehose.flush();
  const delivered = (await objects(stack.s3))
    .flatMap((o) => lines(o.body))
    .map((line) => JSON.parse(line) as { u?: number })
    .flatMap((row) => (row.u === undefined ? [] : [row.u]));
  expect(delivered.sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, n) => n));
});

test('limits: 501 records, a record over 1,000 KiB or a call over 4 MiB is refused whole, as Firehose does', async () => {
  const put = (Records: _Record[]) =>
    stack.client.send(new PutRecordBatchCommand({ DeliveryStreamName: 'events', Records }));
  await expect(
    put(Array.from({ length: 501 }, () => ({ Data: encode('x') }))),
  ).rejects.toMatchObject({
    name: 'ValidationException',
    message: expect.stringContaining('less than or equal to 500'),
    $metadata: { httpStatusCode: 400 },
  });
  await expect(
    put(Array.from({ length: 500 }, () => ({ Data: encode('x') }))),
  ).resolves.toMatchObject({ FailedPutCount: 0 });
  await expect(put([{ Data: new Uint8Array(1_000 * 1024 + 1) }])).rejects.toMatchObject({
    name: 'ValidationException',
    message: expect.stringContaining("'records.1.member.data'"),
  });
  await expect(put([{ Data: new Uint8Array(1_000 * 1024) }])).resolves.toMatchObject({
    FailedPutCount: 0,
  });
  const nearlyOneMiB = Array.from({ length: 5 }, () => ({ Data: new Uint8Array(900 * 1024) }));
  await expect(put(nearlyOneMiB)).rejects.toMatchObject({ name: 'InvalidArgumentException' });
  await expect(put([])).rejects.toMatchObject({ name: 'ValidationException' });
  await expect(
    stack.client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'missing',
        Records: [{ Data: encode('x') }],
      }),
    ),
  ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
});

test('PutRecord answers a RecordId; a stream fed by Kinesis refuses it with InvalidArgumentException', async () => {
  const answer = await stack.client.send(
    new PutRecordCommand({ DeliveryStreamName: 'events', Record: { Data: encode('one\n') } }),
  );
  expect(answer).toMatchObject({ RecordId: expect.stringMatching(/^\w{56}$/), Encrypted: false });
  await expect(
    stack.client.send(
      new PutRecordCommand({ DeliveryStreamName: 'from-stream', Record: { Data: encode('x') } }),
    ),
  ).rejects.toMatchObject({
    name: 'InvalidArgumentException',
    message: expect.stringContaining('KinesisStreamAsSource'),
  });
});

test('DescribeDeliveryStream and ListDeliveryStreams describe the configured streams', async () => {
  const listed = await stack.client.send(new ListDeliveryStreamsCommand({}));
  expect(listed).toMatchObject({
    DeliveryStreamNames: ['events', 'from-stream'],
    HasMoreDeliveryStreams: false,
  });
  const paged = await stack.client.send(new ListDeliveryStreamsCommand({ Limit: 1 }));
  expect(paged).toMatchObject({ DeliveryStreamNames: ['events'], HasMoreDeliveryStreams: true });
  const direct = await stack.client.send(
    new ListDeliveryStreamsCommand({ DeliveryStreamType: 'DirectPut' }),
  );
  expect(direct.DeliveryStreamNames).toEqual(['events']);
  const described = await stack.client.send(
    new DescribeDeliveryStreamCommand({ DeliveryStreamName: 'from-stream' }),
  );
  expect(described.DeliveryStreamDescription).toMatchObject({
    DeliveryStreamName: 'from-stream',
    DeliveryStreamStatus: 'ACTIVE',
    DeliveryStreamType: 'KinesisStreamAsSource',
    VersionId: '1',
    Source: {
      KinesisStreamSourceDescription: {
        KinesisStreamARN: 'arn:aws:kinesis:us-east-1:000000000000:stream/clicks',
      },
    },
    Destinations: [
      {
        ExtendedS3DestinationDescription: {
          BucketARN: 'arn:aws:s3:::delivery',
          BufferingHints: { SizeInMBs: 1, IntervalInSeconds: 900 },
        },
      },
    ],
  });
  expect(described.DeliveryStreamDescription?.CreateTimestamp).toBeInstanceOf(Date);
});
