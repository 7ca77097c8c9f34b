import fc from 'fast-check';
import type { ChunkLimits } from '../../../shared/adapters/stream-writer/chunk.ts';
import {
  isRetryable,
  putRecordsWithRetry,
  type RetryClock,
  type RetryPolicy,
} from '../../../shared/adapters/stream-writer/put-records-with-retry.ts';
import type {
  EntryOutcome,
  StreamEntry,
  StreamWriter,
} from '../../../shared/adapters/stream-writer/stream-writer.ts';

const PTEE = 'ProvisionedThroughputExceededException';

/** Virtual time: sleeping moves the clock; random() plays back a fixed list (its last value repeats). */
class VirtualClock implements RetryClock {
  time = 0;
  readonly sleeps: number[] = [];
  randomCalls = 0;
  constructor(private readonly randoms: readonly number[] = [0.5]) {}
  now(): number {
    return this.time;
  }
  async sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    this.time += ms;
  }
  random(): number {
    const value = this.randoms[Math.min(this.randomCalls, this.randoms.length - 1)] ?? 0;
    this.randomCalls += 1;
    return value;
  }
}

/**
 * In-memory stream. `scripts[id][k]` is the answer the k-th time entry `id` is sent: an error
 * code, or "ok" (also the answer past the end of the script). `throws[n]` makes call n throw.
 */
class ScriptedStreamWriter implements StreamWriter {
  readonly calls: string[][] = [];
  readonly acked: string[] = [];
  readonly lastErrorCode = new Map<string, string>();
  private readonly tries = new Map<string, number>();

  constructor(
    private readonly scripts: Readonly<Record<string, readonly string[]>> = {},
    private readonly throws: Readonly<Record<number, { error: unknown; code: string }>> = {},
    private readonly latency?: { clock: VirtualClock; ms: number },
  ) {}

  async putRecords(entries: readonly StreamEntry[]): Promise<EntryOutcome[]> {
    const ids = entries.map((e) => Buffer.from(e.data).toString('utf8'));
    const call = this.calls.push(ids) - 1;
    if (this.latency) this.latency.clock.time += this.latency.ms;
    const thrown = this.throws[call];
    if (thrown) {
      for (const id of ids) this.lastErrorCode.set(id, thrown.code);
      throw thrown.error;
    }
    return ids.map((id): EntryOutcome => {
      const attempt = this.tries.get(id) ?? 0;
      this.tries.set(id, attempt + 1);
      const answer = this.scripts[id]?.[attempt] ?? 'ok';
      if (answer === 'ok') {
        this.acked.push(id);
        return { ok: true, shardId: 'shardId-000000000000', sequenceNumber: `${call}-${id}` };
      }
      this.lastErrorCode.set(id, answer);
      return {
        ok: false,
        errorCode: answer,
        errorMessage: `${answer} for ${id} (try ${attempt + 1})`,
      };
    });
  }
}

const ids = (count: number) => Array.from({ length: count }, (_, i) => `e${i}`);
const entries = (count: number): StreamEntry[] =>
  ids(count).map((id, i) => ({ partitionKey: `pk${i}`, data: Buffer.from(id) }));
const policy = (budgetMs = 60_000): RetryPolicy => ({
  budgetMs,
  baseDelayMs: 100,
  maxDelayMs: 1_000,
});

interface RunOptions {
  clock?: VirtualClock;
  budgetMs?: number;
  limits?: ChunkLimits;
}
const run = (writer: StreamWriter, count: number, options: RunOptions = {}) =>
  putRecordsWithRetry(
    writer,
    entries(count),
    policy(options.budgetMs),
    options.clock ?? new VirtualClock(),
    options.limits,
  );
const named = (name: string, message: string, extra: object = {}) =>
  Object.assign(new Error(message), { name }, extra);

describe('only failed entries are retried', () => {
  it('all acknowledged at once: one call, no waiting', async () => {
    const writer = new ScriptedStreamWriter();
    const clock = new VirtualClock();
    expect(await run(writer, 3, { clock })).toEqual({ failed: [], calls: 1, attempts: 1 });
    expect(clock.sleeps).toEqual([]);
  });

  it('resends just the entries the call did not take, in their order', async () => {
    const writer = new ScriptedStreamWriter({
      e1: [PTEE],
      e3: ['InternalFailure', PTEE],
      e4: [PTEE],
    });
    const outcome = await run(writer, 5);
    expect(writer.calls).toEqual([['e0', 'e1', 'e2', 'e3', 'e4'], ['e1', 'e3', 'e4'], ['e3']]);
    expect(outcome).toEqual({ failed: [], calls: 3, attempts: 3 });
    expect([...writer.acked].sort()).toEqual(['e0', 'e1', 'e2', 'e3', 'e4']);
  });

  it('retries across chunks, counting every call', async () => {
    const limits: ChunkLimits = { maxRecords: 2, maxBytes: 1_000, maxRecordBytes: 100 };
    const writer = new ScriptedStreamWriter({ e0: [PTEE], e3: [PTEE], e4: [PTEE] });
    const outcome = await run(writer, 5, { limits });
    expect(writer.calls).toEqual([['e0', 'e1'], ['e2', 'e3'], ['e4'], ['e0', 'e3'], ['e4']]);
    expect(outcome).toEqual({ failed: [], calls: 5, attempts: 2 });
  });

  it('treats an entry the writer gave no answer for as failed, and retries it', async () => {
    const seen: string[][] = [];
    const forgetful: StreamWriter = {
      async putRecords(batch) {
        seen.push(batch.map((e) => e.partitionKey));
        return seen.length === 1 ? [{ ok: true }] : batch.map(() => ({ ok: true }));
      },
    };
    const outcome = await run(forgetful, 3);
    expect(seen).toEqual([
      ['pk0', 'pk1', 'pk2'],
      ['pk1', 'pk2'],
    ]);
    expect(outcome.failed).toEqual([]);
  });
});

describe('backoff', () => {
  it('ceilings double per attempt and are capped at maxDelayMs', async () => {
    const writer = new ScriptedStreamWriter({ e0: Array(7).fill(PTEE) });
    const clock = new VirtualClock([1 - 2 ** -20]); // just under 1: each delay is ceiling - 1
    const outcome = await run(writer, 1, { clock });
    expect(clock.sleeps).toEqual([99, 199, 399, 799, 999, 999, 999]);
    expect(outcome).toEqual({ failed: [], calls: 8, attempts: 8 });
  });

  it('full jitter: each delay is floor(random() * ceiling), one draw per wait', async () => {
    const writer = new ScriptedStreamWriter({ e0: Array(5).fill(PTEE) });
    const clock = new VirtualClock([0, 0.5, 0.25, 0.9, 0.999]);
    await run(writer, 1, { clock });
    expect(clock.sleeps).toEqual([0, 100, 100, 720, 999]);
    expect(clock.randomCalls).toBe(5);
  });
});

describe('time budget', () => {
  it('stops when the next wait would reach the deadline, reporting each last error', async () => {
    const alternating = Array.from({ length: 20 }, (_, i) => (i % 2 ? PTEE : 'InternalFailure'));
    const writer = new ScriptedStreamWriter({ e1: alternating, e2: Array(20).fill(PTEE) });
    const clock = new VirtualClock([0.5]);
    // Waits 50, 100, 200, 400 (t = 750); the next, 500, would end at 1250 >= 1000.
    const outcome = await run(writer, 3, { clock, budgetMs: 1_000 });
    expect(clock.sleeps).toEqual([50, 100, 200, 400]);
    expect(outcome).toEqual({
      attempts: 5,
      calls: 5,
      failed: [
        { index: 1, errorCode: 'InternalFailure', errorMessage: 'InternalFailure for e1 (try 5)' },
        { index: 2, errorCode: PTEE, errorMessage: `${PTEE} for e2 (try 5)` },
      ],
    });
    expect(writer.acked).toEqual(['e0']);
  });

  it.each([
    [150, 2],
    [151, 3],
  ])(
    'the deadline is exclusive: a budget of %i ms allows %i attempts',
    async (budgetMs, attempts) => {
      const writer = new ScriptedStreamWriter({ e0: Array(10).fill(PTEE) });
      const outcome = await run(writer, 1, { budgetMs });
      expect(outcome.attempts).toBe(attempts);
      expect(outcome.failed.map((f) => f.errorCode)).toEqual([PTEE]);
    },
  );

  it('time spent in calls counts against the budget', async () => {
    const clock = new VirtualClock([0.5]);
    const writer = new ScriptedStreamWriter({ e0: Array(10).fill(PTEE) }, {}, { clock, ms: 300 });
    // t=300 wait 50; t=650 wait 100; t=1050: the third failure ends it.
    const outcome = await run(writer, 1, { clock, budgetMs: 1_000 });
    expect(clock.sleeps).toEqual([50, 100]);
    expect(outcome.attempts).toBe(3);
  });

  it('a zero budget still makes the first attempt, and no retry', async () => {
    const writer = new ScriptedStreamWriter({ e0: [PTEE] });
    const outcome = await run(writer, 2, { budgetMs: 0 });
    expect(writer.calls).toEqual([['e0', 'e1']]);
    expect(outcome.failed).toEqual([
      { index: 0, errorCode: PTEE, errorMessage: `${PTEE} for e0 (try 1)` },
    ]);
  });
});

describe('entry error codes', () => {
  const permanent = ['AccessDeniedException', 'ValidationException', 'KMSAccessDeniedException'];
  it.each(permanent)('%s is permanent: not retried, reported at once', async (code) => {
    const writer = new ScriptedStreamWriter({ e0: [PTEE], e1: [code] });
    const outcome = await run(writer, 3);
    expect(writer.calls).toEqual([['e0', 'e1', 'e2'], ['e0']]);
    expect(outcome.failed).toEqual([
      { index: 1, errorCode: code, errorMessage: `${code} for e1 (try 1)` },
    ]);
    expect(isRetryable(code)).toBe(false);
  });

  const transient = [PTEE, 'InternalFailure', 'ServiceUnavailable', 'KMSThrottlingException'];
  it.each(transient)('%s is retried', async (code) => {
    const writer = new ScriptedStreamWriter({ e0: [code] });
    const outcome = await run(writer, 1);
    expect(outcome).toEqual({ failed: [], calls: 2, attempts: 2 });
  });
});

describe('a whole call that throws', () => {
  const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
  const status = (httpStatusCode: number) => ({ $metadata: { httpStatusCode } });
  it.each([
    ['throttled call', named(PTEE, 'Rate exceeded'), PTEE, true],
    ['socket reset (code, not name)', reset, 'ECONNRESET', true],
    ['SDK timeout', named('TimeoutError', 'timed out'), 'TimeoutError', true],
    ['unknown 5xx', named('BadGateway', 'bad gateway', status(502)), 'InternalFailure', true],
    [
      'missing stream',
      named('ResourceNotFoundException', 'no stream'),
      'ResourceNotFoundException',
      false,
    ],
    [
      'no permission',
      named('AccessDeniedException', 'denied', status(400)),
      'AccessDeniedException',
      false,
    ],
    ['a thrown string', 'boom', 'UnknownError', false],
  ])('%s -> %s, retried: %s', async (_, error, code, retried) => {
    const writer = new ScriptedStreamWriter({}, { 0: { error, code } });
    const outcome = await run(writer, 2);
    const errorMessage = error instanceof Error ? error.message : 'boom';
    expect(writer.calls).toEqual(retried ? [ids(2), ids(2)] : [ids(2)]);
    expect(outcome.failed).toEqual(
      retried ? [] : [0, 1].map((index) => ({ index, errorCode: code, errorMessage })),
    );
  });
});

describe('never reports an entry written that the stream did not acknowledge', () => {
  const answers = [
    'ok',
    'ok',
    PTEE,
    'InternalFailure',
    'AccessDeniedException',
    'KMSDisabledException',
  ];
  const thrown = fc.constantFrom(
    { error: named(PTEE, 'slow down'), code: PTEE },
    { error: named('ServiceUnavailableException', 'busy'), code: 'ServiceUnavailableException' },
    { error: named('ResourceNotFoundException', 'gone'), code: 'ResourceNotFoundException' },
  );
  const limits: ChunkLimits = { maxRecords: 4, maxBytes: 10_000, maxRecordBytes: 100 };

  it('acked + failed is every entry, disjoint, none acked twice, each failure its last error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.constantFrom(...answers), { maxLength: 6 }), {
          minLength: 1,
          maxLength: 25,
        }),
        fc.dictionary(fc.integer({ min: 0, max: 12 }).map(String), thrown),
        fc.integer({ min: 0, max: 2_000 }),
        fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { minLength: 1 }),
        async (scripts, throws, budgetMs, randoms) => {
          const all = ids(scripts.length);
          const writer = new ScriptedStreamWriter(
            Object.fromEntries(scripts.map((s, i) => [`e${i}`, s])),
            throws,
          );
          const clock = new VirtualClock(randoms);
          const outcome = await run(writer, all.length, { clock, budgetMs, limits });
          const failed = outcome.failed.map((f) => `e${f.index}`);
          expect(new Set(writer.acked).size).toBe(writer.acked.length);
          expect(new Set(failed).size).toBe(failed.length);
          expect([...writer.acked, ...failed].sort()).toEqual(all.sort());
          for (const f of outcome.failed)
            expect(f.errorCode).toBe(writer.lastErrorCode.get(`e${f.index}`));
          expect(outcome.calls).toBe(writer.calls.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});
