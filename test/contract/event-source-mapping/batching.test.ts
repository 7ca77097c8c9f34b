import { decode, scenario, sleep, waitFor, type Scenario, type Seen } from './harness.ts';

describe('event source mapping: batching', () => {
  let world: Scenario | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  test('BatchSize caps the records per invocation', async () => {
    const batches: Seen[][] = [];
    world = await scenario({ fn: (event) => void batches.push(decode(event)) });
    for (let i = 0; i < 25; i += 1) await world.put('k', { i });
    await world.start({ batchSize: 10 });
    await waitFor('25 records', () => batches.flat().length >= 25);
    await sleep(300);
    expect(batches.map((batch) => batch.length)).toEqual([10, 10, 5]);
    expect(batches.flat().map((seen) => seen.data.i)).toEqual([...Array(25).keys()]);
  });

  test('MaximumBatchingWindowInSeconds waits to fill a batch', async () => {
    const batches: Array<{ at: number; records: Seen[] }> = [];
    world = await scenario({
      fn: (event) => void batches.push({ at: Date.now(), records: decode(event) }),
    });
    await world.start({ batchSize: 100, maximumBatchingWindowInSeconds: 1 });
    const firstPut = Date.now();
    for (let i = 0; i < 3; i += 1) {
      await world.put('k', { i });
      await sleep(200);
    }
    await waitFor(
      '3 records',
      () => batches.flat().length > 0 && batches.flatMap((b) => b.records).length >= 3,
    );
    await sleep(500);
    // Without the window each poll would have invoked on its own: 3 invocations.
    expect(batches).toHaveLength(1);
    expect(batches[0]?.records.map((seen) => seen.data.i)).toEqual([0, 1, 2]);
    expect((batches[0]?.at ?? 0) - firstPut).toBeGreaterThanOrEqual(900);
  });

  test('a batch stays under the 6 MB invocation payload cap', async () => {
    const sizes: number[] = [];
    let records = 0;
    world = await scenario({
      fn: (event) => {
        sizes.push(Buffer.byteLength(JSON.stringify(event)));
        records += decode(event).length;
      },
    });
    const blob = 'x'.repeat(1000 * 1024); // ~1.3 MB once base64-encoded in the event
    for (let i = 0; i < 6; i += 1) await world.put(`k${i}`, { i, blob });
    await world.start({ batchSize: 100 });
    await waitFor('6 records', () => records >= 6, 15_000);
    expect(sizes.length).toBeGreaterThanOrEqual(2);
    for (const size of sizes) expect(size).toBeLessThanOrEqual(6 * 1024 * 1024);
  });

  test('the event has the exact KinesisStreamEvent shape', async () => {
    const events: unknown[] = [];
    world = await scenario({ fn: (event) => void events.push(event) });
    const before = Date.now();
    const sequenceNumber = await world.put('user-1', { hello: 'world' });
    await world.start({ batchSize: 10 });
    await waitFor('one invocation', () => events.length > 0);
    expect(events[0]).toEqual({
      Records: [
        {
          kinesis: {
            kinesisSchemaVersion: '1.0',
            partitionKey: 'user-1',
            sequenceNumber,
            data: Buffer.from(JSON.stringify({ hello: 'world' })).toString('base64'),
            approximateArrivalTimestamp: expect.any(Number),
          },
          eventSource: 'aws:kinesis',
          eventVersion: '1.0',
          eventID: `shardId-000000000000:${sequenceNumber}`,
          eventName: 'aws:kinesis:record',
          invokeIdentityArn: 'arn:aws:iam::000000000000:role/fn-role',
          awsRegion: 'us-east-1',
          eventSourceARN: world.streamArn,
        },
      ],
    });
    const arrival = decode(events[0])[0]?.arrival ?? 0;
    // Epoch seconds (with a millisecond fraction), not milliseconds.
    expect(arrival * 1000).toBeGreaterThanOrEqual(before - 1_000);
    expect(arrival * 1000).toBeLessThanOrEqual(Date.now());
  });
});
