import { PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { FirehoseTransformationEvent } from '../../../shared/transform/firehose-transformation.ts';
import { startStream } from '../../support/kinesis.ts';
import {
  kindTransform,
  lines,
  objects,
  processor,
  startStack,
  stream,
  waitFor,
} from './support.ts';

/**
 * Firehose reads a Kinesis source per shard, as a consumer does
 * (https://docs.aws.amazon.com/firehose/latest/dev/writing-with-kinesis-streams.html), and
 * invokes the transform with each buffered batch
 * (https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html). Locally: one
 * invocation in flight per shard, shards side by side, a shard's records in stream order.
 */
const SHARDS = 3;
const RECORDS = 1_500;
let kinesis: Awaited<ReturnType<typeof startStream>>;
beforeEach(async () => {
  kinesis = await startStream(SHARDS);
});
afterEach(() => kinesis.emulator.close());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("a Kinesis source's shards are transformed side by side, one invocation per shard at a time, each shard's records in order", async () => {
  const createdAt = Date.now() - 1_000;
  for (let start = 0; start < RECORDS; start += 500) {
    const Records = Array.from({ length: 500 }, (_, i) => ({
      PartitionKey: `user-${(start + i) % 31}`,
      Data: new TextEncoder().encode(JSON.stringify({ kind: 'ok', n: start + i })),
    }));
    await kinesis.emulator.client.send(
      new PutRecordsCommand({ StreamName: kinesis.streamName, Records }),
    );
  }
  const inFlight = new Map<string, number>();
  let running = 0;
  let mostRunning = 0;
  let mostPerShard = 0;
  const sequences = new Map<string, bigint[]>();
  const shardsPerInvocation: number[] = [];
  const spy = async (event: unknown) => {
    const records = (event as FirehoseTransformationEvent).records;
    const shards = new Set(records.map((r) => r.kinesisRecordMetadata?.shardId ?? ''));
    shardsPerInvocation.push(shards.size);
    for (const shard of shards) {
      inFlight.set(shard, (inFlight.get(shard) ?? 0) + 1);
      mostPerShard = Math.max(mostPerShard, inFlight.get(shard) ?? 0);
    }
    for (const r of records) {
      const shard = r.kinesisRecordMetadata?.shardId ?? '';
      sequences.set(shard, [
        ...(sequences.get(shard) ?? []),
        BigInt(r.kinesisRecordMetadata?.sequenceNumber ?? '0'),
      ]);
    }
    running += 1;
    mostRunning = Math.max(mostRunning, running);
    await sleep(150);
    running -= 1;
    for (const shard of shards) inFlight.set(shard, (inFlight.get(shard) ?? 1) - 1);
    return kindTransform(event);
  };
  const stack = await startStack({
    createdAt,
    deliveryStreams: [
      stream({
        source: {
          streamName: kinesis.streamName,
          streamArn: `arn:aws:kinesis:us-east-1:000000000000:stream/${kinesis.streamName}`,
        },
        processor: processor('spy'),
        bufferingHints: { sizeInMBs: 1, intervalInSeconds: 0 },
      }),
    ],
    kinesis: kinesis.emulator.client,
    kinesisPollIntervalMs: 50,
    functions: { spy },
  });
  try {
    const delivered = async () =>
      (await objects(stack.s3))
        .flatMap((o) => lines(o.body))
        .map((l) => JSON.parse(l) as { n: number });
    await waitFor(async () => ((await delivered()).length >= RECORDS ? true : undefined), 15_000);
    await stack.firehose.flush();
    const ns = (await delivered()).map((d) => d.n).sort((a, b) => a - b);
    expect(ns).toEqual(Array.from({ length: RECORDS }, (_, n) => n));
    expect(shardsPerInvocation.every((n) => n === 1)).toBe(true);
    expect(mostPerShard).toBe(1);
    expect(mostRunning).toBeGreaterThan(1);
    expect(mostRunning).toBeLessThanOrEqual(SHARDS);
    expect(sequences.size).toBe(SHARDS);
    for (const seen of sequences.values())
      expect(seen).toEqual([...seen].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
  } finally {
    await stack.stop();
  }
}, 30_000);
