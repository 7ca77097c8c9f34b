import { StreamNotFoundError } from '../../../offline/event-source-mapping/index.ts';
import { decode, scenario, sleep, waitFor, type Scenario, type Seen } from './harness.ts';

describe('event source mapping: function errors', () => {
  let world: Scenario | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  test('a function error retries the same batch', async () => {
    const calls: string[][] = [];
    world = await scenario({
      fn: (event) => {
        calls.push(decode(event).map((seen) => seen.sequenceNumber));
        if (calls.length <= 2) throw new Error('boom');
      },
    });
    const sequences = [
      await world.put('k', { i: 0 }),
      await world.put('k', { i: 1 }),
      await world.put('k', { i: 2 }),
    ];
    await world.start({ batchSize: 10, maximumRetryAttempts: -1 });
    await waitFor('a successful retry', () => calls.length >= 3);
    await sleep(300);
    expect(calls).toEqual([sequences, sequences, sequences]);
    expect(world.failures).toEqual([]);
  });

  test('after MaximumRetryAttempts the on-failure destination receives the invocation record and the shard moves on', async () => {
    const calls: Seen[][] = [];
    world = await scenario({
      fn: (event) => {
        const records = decode(event);
        calls.push(records);
        if (records.some((seen) => seen.data.fail)) throw new Error('cannot process');
      },
    });
    const first = await world.put('k', { fail: true });
    await world.put('k', { fail: true });
    const last = await world.put('k', { fail: true });
    await world.start({ batchSize: 10, maximumRetryAttempts: 2 });
    await waitFor('the invocation record', () => world?.failures.length === 1);
    expect(calls).toHaveLength(3); // the first try and 2 retries
    const [record] = world.failures;
    expect(record).toEqual({
      requestContext: {
        requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
        condition: 'RetryAttemptsExhausted',
        approximateInvokeCount: 3,
      },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      KinesisBatchInfo: {
        shardId: 'shardId-000000000000',
        startSequenceNumber: first,
        endSequenceNumber: last,
        approximateArrivalOfFirstRecord: expect.stringMatching(/Z$/),
        approximateArrivalOfLastRecord: expect.stringMatching(/Z$/),
        batchSize: 3,
        streamArn: world.streamArn,
      },
    });
    await world.put('k', { fail: false });
    await waitFor('the next record', () => calls.some((c) => c[0]?.data.fail === false));
  });

  test('MaximumRecordAgeInSeconds discards records older than the limit to the destination', async () => {
    let offsetMs = 0;
    let calls = 0;
    world = await scenario({
      fn: () => {
        calls += 1;
        offsetMs = 61_000; // from now on the records are 61 s old
        throw new Error('still failing');
      },
    });
    await world.put('k', { i: 0 });
    await world.start(
      { maximumRecordAgeInSeconds: 60, maximumRetryAttempts: -1 },
      { clock: { now: () => Date.now() + offsetMs } },
    );
    await waitFor('the invocation record', () => world?.failures.length === 1);
    const callsAtDiscard = calls;
    await sleep(300);
    expect(calls).toBe(callsAtDiscard); // no more retries for an expired record
    expect(calls).toBe(1);
    expect(world.failures[0]?.requestContext.condition).toBe('RecordAgeExceeded');
    expect(world.failures[0]?.KinesisBatchInfo.batchSize).toBe(1);
  });

  // AWS's recorded answer (localstack snapshot test_kinesis_maximum_record_age_exceeded,
  // expire-while-retrying): condition RecordAgeExceeded and no responseContext at all.
  test('RecordAgeExceeded while retrying: the invocation record has no responseContext and counts the invocations', async () => {
    let offsetMs = 0;
    let calls = 0;
    world = await scenario({
      fn: () => {
        calls += 1;
        if (calls === 2) offsetMs = 61_000;
        throw new Error('still failing');
      },
    });
    const sequence = await world.put('k', { i: 0 });
    await world.start(
      { maximumRecordAgeInSeconds: 60, maximumRetryAttempts: -1 },
      { clock: { now: () => Date.now() + offsetMs } },
    );
    await waitFor('the invocation record', () => world?.failures.length === 1);
    const [record] = world.failures;
    expect(Object.keys(record ?? {})).toEqual([
      'requestContext',
      'version',
      'timestamp',
      'KinesisBatchInfo',
    ]);
    expect(record?.requestContext).toEqual({
      requestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      functionArn: 'arn:aws:lambda:us-east-1:000000000000:function:fn',
      condition: 'RecordAgeExceeded',
      approximateInvokeCount: 2,
    });
    expect(record?.KinesisBatchInfo).toMatchObject({
      startSequenceNumber: sequence,
      endSequenceNumber: sequence,
      batchSize: 1,
    });
  });

  // AWS's recorded answer (same snapshot, expire-before-ingestion): a record already too old
  // when the mapping reads it is never invoked, yet approximateInvokeCount is 1.
  test('RecordAgeExceeded before any invocation reports approximateInvokeCount 1 and never invokes the function', async () => {
    let calls = 0;
    world = await scenario({ fn: () => void (calls += 1) });
    await world.put('k', { i: 0 });
    await world.start(
      { maximumRecordAgeInSeconds: 60, maximumRetryAttempts: 0 },
      { clock: { now: () => Date.now() + 61_000 } },
    );
    await waitFor('the invocation record', () => world?.failures.length === 1);
    await sleep(300);
    expect(calls).toBe(0);
    const [record] = world.failures;
    expect(record?.requestContext.condition).toBe('RecordAgeExceeded');
    expect(record?.requestContext.approximateInvokeCount).toBe(1);
    expect(record).not.toHaveProperty('responseContext');
  });

  test('with BisectBatchOnFunctionError a poison record alone reaches the destination and the rest are processed once', async () => {
    const invoked = new Map<number, number>();
    const processed = new Map<number, number>();
    world = await scenario({
      fn: (event) => {
        const records = decode(event).map((seen) => seen.data.i as number);
        for (const i of records) invoked.set(i, (invoked.get(i) ?? 0) + 1);
        if (records.includes(3)) throw new Error('poison');
        for (const i of records) processed.set(i, (processed.get(i) ?? 0) + 1);
      },
    });
    const sequences: string[] = [];
    for (let i = 0; i < 8; i += 1) sequences.push(await world.put('k', { i }));
    await world.start({ batchSize: 8, bisectBatchOnFunctionError: true, maximumRetryAttempts: 1 });
    await waitFor('7 records processed', () => processed.size === 7);
    await waitFor('the invocation record', () => world?.failures.length === 1);
    await sleep(300);
    expect([...processed.values()]).toEqual([1, 1, 1, 1, 1, 1, 1]);
    expect(processed.has(3)).toBe(false);
    // [0-7] fails, [0-3] fails, [0,1] ok, [2,3] fails, [2] ok, [3] fails, [3] retried once
    // (splits use no retry), then [4-7] ok.
    expect(Object.fromEntries(invoked)).toEqual({ 0: 3, 1: 3, 2: 4, 3: 5, 4: 2, 5: 2, 6: 2, 7: 2 });
    const info = world.failures[0]?.KinesisBatchInfo;
    expect(info?.batchSize).toBe(1);
    expect(info?.startSequenceNumber).toBe(sequences[3]);
    expect(info?.endSequenceNumber).toBe(sequences[3]);
    expect(world.failures[0]?.requestContext.approximateInvokeCount).toBe(5);
  });

  // The origin of a failure decides, not its name (kinesis-on-failure-destination.html:
  // "During invocation: If the function is invoked but returns an error, Lambda retries until
  // ... the configured retry quota"). An SDK error a handler lets escape is such an error.
  test.each(['ResourceNotFoundException', 'TooManyRequestsException', 'ServiceException'])(
    'an error the function throws is a function error whatever its name (%s): retries, bisect, then the destination as Unhandled',
    async (name) => {
      const sizes: number[] = [];
      world = await scenario({
        fn: (event) => {
          const records = decode(event);
          sizes.push(records.length);
          if (records.some((seen) => seen.data.poison)) {
            const error = new Error('Requested resource not found');
            error.name = name;
            throw error;
          }
        },
      });
      await world.put('k', { poison: false });
      const poison = await world.put('k', { poison: true });
      await world.start({
        batchSize: 10,
        maximumRetryAttempts: 1,
        bisectBatchOnFunctionError: true,
      });
      await waitFor('the invocation record', () => world?.failures.length === 1);
      // [0,1] fails and is split, [0] ok, [1] fails, [1] retried once, then discarded.
      expect(sizes).toEqual([2, 1, 1, 1]);
      const [record] = world.failures;
      expect(record?.requestContext.condition).toBe('RetryAttemptsExhausted');
      expect(record?.responseContext).toEqual({
        statusCode: 200,
        executedVersion: '$LATEST',
        functionError: 'Unhandled',
      });
      expect(record?.KinesisBatchInfo.startSequenceNumber).toBe(poison);
    },
  );

  test('a function Lambda cannot invoke is retried without using the retry quota', async () => {
    const functions: Record<string, (event: unknown) => unknown> = {};
    let seen = 0;
    world = await scenario(functions);
    await world.put('k', { i: 0 });
    await world.start({ maximumRetryAttempts: 0 });
    await sleep(500); // ResourceNotFoundException, retried: a function error would be discarded
    expect(world.failures).toEqual([]);
    functions.fn = (event) => void (seen += decode(event).length);
    await waitFor('the record, once the function exists', () => seen === 1);
    expect(world.failures).toEqual([]);
  });

  // AWS's recorded answer (localstack's AWS-validated snapshot
  // test_esm_with_not_existing_kinesis_stream): 400 InvalidParameterValueException.
  test('a mapping on a stream that does not exist is refused: InvalidParameterValueException "Stream not found: <arn>"', async () => {
    world = await scenario({ fn: () => undefined });
    const arn = 'arn:aws:kinesis:us-east-1:000000000000:stream/no-such-stream';
    await expect(world.start({ streamName: 'no-such-stream', streamArn: arn })).rejects.toThrow(
      new StreamNotFoundError(arn),
    );
    await expect(world.start({ streamName: 'no-such-stream', streamArn: arn })).rejects.toThrow(
      `InvalidParameterValueException: Stream not found: ${arn}`,
    );
  });

  // AWS's recorded answer (localstack's AWS-validated snapshot
  // test_kinesis_maximum_record_age_exceeded_discard_records): BatchSize 10, one expired record
  // then five fresh ones; the expired one alone goes to the destination, the rest are invoked.
  test('an expired record at the head of a batch goes alone to the destination; the fresh records of the batch are invoked', async () => {
    const seen: Seen[][] = [];
    world = await scenario({ fn: (event) => void seen.push(decode(event)) });
    const before = Date.now();
    const expired = await world.put('test', { i: 0 });
    await sleep(1_000);
    for (let i = 1; i <= 5; i += 1) await world.put('test', { i });
    // A frozen clock 60.6 s after the first record: it is past the 60 s limit, the others are not.
    await world.start(
      { batchSize: 10, maximumRecordAgeInSeconds: 60, maximumRetryAttempts: 0 },
      { clock: { now: () => before + 60_600 } },
    );
    await waitFor('the fresh records', () => seen.flat().length === 5);
    expect(world.failures).toHaveLength(1);
    expect(world.failures[0]?.requestContext.condition).toBe('RecordAgeExceeded');
    expect(world.failures[0]?.KinesisBatchInfo).toMatchObject({
      batchSize: 1,
      startSequenceNumber: expired,
      endSequenceNumber: expired,
    });
    expect(seen.flat().map((r) => r.data.i)).toEqual([1, 2, 3, 4, 5]);
  });
});
