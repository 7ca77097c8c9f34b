import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { CreateBucketCommand, DeleteBucketCommand } from '@aws-sdk/client-s3';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FirehoseTransformationEvent } from '../../../shared/transform/firehose-transformation.ts';
import { aggregate } from '../../../shared/kpl/deaggregate.ts';
import { startStream } from '../../support/kinesis.ts';
import {
  BUCKET,
  kindTransform,
  lines,
  objects,
  processor,
  startStack,
  stream,
  waitFor,
  type Stack,
} from './support.ts';

let kinesis: Awaited<ReturnType<typeof startStream>>;
beforeEach(async () => {
  kinesis = await startStream(3);
});
afterEach(() => kinesis.emulator.close());

async function produce(from: number, count: number): Promise<void> {
  for (let start = from; start < from + count; start += 500) {
    const Records = Array.from({ length: Math.min(500, from + count - start) }, (_, i) => ({
      PartitionKey: `user-${(start + i) % 17}`,
      Data: new TextEncoder().encode(JSON.stringify({ kind: 'ok', n: start + i })),
    }));
    const answer = await kinesis.emulator.client.send(
      new PutRecordsCommand({ StreamName: kinesis.streamName, Records }),
    );
    expect(answer.FailedRecordCount ?? 0).toBe(0);
  }
}

const deliveredNumbers = async (stack: Stack) =>
  (await objects(stack.s3))
    .flatMap((o) => lines(o.body))
    .map((l) => (JSON.parse(l) as { n: number }).n);

function sourced(
  functions: Record<string, (event: unknown) => unknown> = { kind: kindTransform },
  createdAt?: number,
) {
  return startStack({
    ...(createdAt !== undefined ? { createdAt } : {}),
    deliveryStreams: [
      stream({
        source: {
          streamName: kinesis.streamName,
          streamArn: `arn:aws:kinesis:us-east-1:000000000000:stream/${kinesis.streamName}`,
        },
        processor: processor(Object.keys(functions)[0] ?? 'kind'),
        bufferingHints: { sizeInMBs: 1, intervalInSeconds: 0 },
      }),
    ],
    kinesis: kinesis.emulator.client,
    kinesisPollIntervalMs: 50,
    functions,
  });
}

test('Kinesis stream as source delivers every record exactly once, with kinesisRecordMetadata and the sourceKinesisStreamArn', async () => {
  const seen: FirehoseTransformationEvent['records'] = [];
  const events: Array<Record<string, unknown>> = [];
  const stack = await sourced({
    spy: (event) => (
      events.push(event as Record<string, unknown>),
      seen.push(...(event as FirehoseTransformationEvent).records),
      kindTransform(event)
    ),
  });
  try {
    await produce(0, 1_200);
    const delivered = await waitFor(async () => {
      const ns = await deliveredNumbers(stack);
      return ns.length >= 1_200 ? ns : undefined;
    }, 10_000);
    await stack.firehose.flush();
    expect((await deliveredNumbers(stack)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 1_200 }, (_, n) => n),
    );
    expect(delivered.length).toBe(1_200);
    const shards = new Set(seen.map((r) => r.kinesisRecordMetadata?.shardId));
    expect(shards.size).toBe(3);
    expect(seen[0]?.kinesisRecordMetadata).toEqual({
      shardId: expect.stringMatching(/^shardId-/),
      partitionKey: expect.stringMatching(/^user-/),
      sequenceNumber: expect.stringMatching(/^\d+$/),
      subsequenceNumber: '0',
      approximateArrivalTimestamp: expect.any(Number),
    });
    // data-transformation.html's event for a Kinesis source, in its order.
    expect(Object.keys(events[0] ?? {})).toEqual([
      'invocationId',
      'sourceKinesisStreamArn',
      'deliveryStreamArn',
      'region',
      'records',
    ]);
    expect(events[0]?.sourceKinesisStreamArn).toBe(
      `arn:aws:kinesis:us-east-1:000000000000:stream/${kinesis.streamName}`,
    );
  } finally {
    await stack.stop();
  }
});

// "Amazon Data Firehose starts reading data from the LATEST position of your Kinesis stream"
// (https://docs.aws.amazon.com/firehose/latest/dev/writing-with-kinesis-streams.html).
test('a Kinesis source starts at LATEST: records written before the delivery stream existed are never delivered', async () => {
  await produce(0, 100);
  await new Promise((resolve) => setTimeout(resolve, 20)); // arrivals strictly before the start
  const stack = await sourced();
  try {
    await produce(100, 50);
    await waitFor(
      async () => ((await deliveredNumbers(stack)).length >= 50 ? true : undefined),
      10_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await stack.firehose.flush();
    expect((await deliveredNumbers(stack)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 50 }, (_, n) => 100 + n),
    );
    // A restart keeps the starting position: still nothing from before the first start.
    await stack.restart();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await stack.firehose.flush();
    expect(await deliveredNumbers(stack)).toHaveLength(50);
  } finally {
    await stack.stop();
  }
});

test('LATEST is when the stack began: records the API wrote while Firehose was starting are delivered', async () => {
  const stackBegan = Date.now();
  await produce(0, 40); // accepted by the stream before the local Firehose is up
  const stack = await sourced(undefined, stackBegan);
  try {
    await waitFor(
      async () => ((await deliveredNumbers(stack)).length >= 40 ? true : undefined),
      10_000,
    );
    expect((await deliveredNumbers(stack)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 40 }, (_, n) => n),
    );
  } finally {
    await stack.stop();
  }
});

test('restart resumes from the checkpoint: records written while it was down are delivered, none twice', async () => {
  const stack = await sourced();
  try {
    await produce(0, 300);
    await waitFor(
      async () => ((await deliveredNumbers(stack)).length >= 300 ? true : undefined),
      10_000,
    );
    await stack.restart();
    const checkpoints = JSON.parse(
      await readFile(join(stack.stateDir, 'firehose', 'checkpoints', 'events.json'), 'utf8'),
    ) as { shards: Record<string, string> };
    expect(Object.keys(checkpoints.shards)).toHaveLength(3);
    await produce(300, 200);
    await waitFor(
      async () => ((await deliveredNumbers(stack)).length >= 500 ? true : undefined),
      10_000,
    );
    // A second restart with nothing new to read must not deliver anything again.
    await stack.restart();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await stack.firehose.flush();
    expect((await deliveredNumbers(stack)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 500 }, (_, n) => n),
    );
  } finally {
    await stack.stop();
  }
});

test('the checkpoint only moves past records that reached S3', async () => {
  const stack = await sourced();
  try {
    // Without the bucket every write fails and is retried: nothing is delivered, so nothing may be checkpointed.
    await stack.s3.send(new DeleteBucketCommand({ Bucket: BUCKET }));
    await produce(0, 50);
    await waitFor(
      async () => (stack.errors.some((e) => e.includes('NoSuchBucket')) ? true : undefined),
      5_000,
    );
    const file = join(stack.stateDir, 'firehose', 'checkpoints', 'events.json');
    const saved = await readFile(file, 'utf8');
    expect(JSON.parse(saved)).toEqual({ createdAt: expect.any(Number), shards: {} });
  } finally {
    await stack.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await stack.stop();
  }
});

// "If you configure your Firehose stream to transform the data, Amazon Data Firehose
// de-aggregates the records before it delivers them to AWS Lambda"
// (https://docs.aws.amazon.com/firehose/latest/dev/writing-with-kinesis-streams.html).
test('KPL aggregated records are de-aggregated before the transform: one Firehose record per user record', async () => {
  const seen: FirehoseTransformationEvent['records'] = [];
  const stack = await sourced({
    spy: (event) => (
      seen.push(...(event as FirehoseTransformationEvent).records),
      kindTransform(event)
    ),
  });
  try {
    const users = (key: string, from: number) =>
      Array.from({ length: 25 }, (_, i) => ({
        partitionKey: key,
        data: new TextEncoder().encode(JSON.stringify({ kind: 'ok', n: from + i })),
      }));
    const answer = await kinesis.emulator.client.send(
      new PutRecordsCommand({
        StreamName: kinesis.streamName,
        Records: [
          { PartitionKey: 'user-a', Data: aggregate(users('user-a', 0)) },
          { PartitionKey: 'user-b', Data: aggregate(users('user-b', 25)) },
          { PartitionKey: 'plain', Data: new TextEncoder().encode('{"kind":"ok","n":50}') },
        ],
      }),
    );
    expect(answer.FailedRecordCount ?? 0).toBe(0);
    await waitFor(
      async () => ((await deliveredNumbers(stack)).length >= 51 ? true : undefined),
      10_000,
    );
    await stack.firehose.flush();
    expect((await deliveredNumbers(stack)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 51 }, (_, n) => n),
    );
    const ofA = seen.filter((r) => r.kinesisRecordMetadata?.partitionKey === 'user-a');
    expect(ofA.map((r) => r.kinesisRecordMetadata?.subsequenceNumber)).toEqual(
      Array.from({ length: 25 }, (_, i) => String(i)),
    );
    expect(new Set(ofA.map((r) => r.kinesisRecordMetadata?.sequenceNumber)).size).toBe(1);
    expect(new Set(seen.map((r) => r.recordId)).size).toBe(51);
  } finally {
    await stack.stop();
  }
});
