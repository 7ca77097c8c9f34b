import pg from 'pg';
import { writeFaultSwitches } from '../../offline/faults/fault-switches.ts';
import { startOfflineStack, type OfflineStack } from '../support/offline-stack.ts';
import {
  deadLetterQueue,
  readMarkedStream,
  runReplay,
  shopperWithFewEvents,
  sleep,
  waitUntil,
  type MarkedRecord,
} from '../support/fault-stack.ts';
import { sendSimulatedTraffic, type SentTraffic } from '../support/simulated-traffic.ts';
import {
  expectedFromStream,
  type StreamExpectations,
} from '../../tools/reconcile/stream-oracle.ts';
import {
  productFigures,
  progress,
  waitForDrain,
  windowFigures,
} from '../../tools/reconcile/warehouse-figures.ts';

/**
 * The aggregate function failing in the running stack (`npm start`), through the stack's
 * invocation faults (`faults.json`, offline/faults/faulty-invoker.ts): throwing on the records
 * of one shopper, then timing out on one batch. serverless.yml's mapping bisects
 * (bisectBatchOnFunctionError), retries 5 times and sends what still fails to the SQS
 * dead-letter queue; `npm run replay -- --what dead-letters` re-drives it once the fault is
 * gone. The real-time figures are compared with what the stream holds (stream-oracle.ts),
 * window by window and product by product, with no tolerance, at each step.
 */
const PORTS = { httpPort: 3420, lambdaPort: 3422, kinesisPort: 4727, otherPortsFrom: 4728 };
const SQS_ENDPOINT = 'http://127.0.0.1:4730';
const WAREHOUSE = 'postgres://postgres@127.0.0.1:4731/analytics';
const WINDOW_SECONDS = 10; // serverless.yml, params.local.windowSeconds
const TRAFFIC = { seed: 20_261_208, rate: 200, events: 2_000, badRate: 0.02, duplicateRate: 0.02 };

let stack: OfflineStack;
let db: pg.Pool;
let queue: ReturnType<typeof deadLetterQueue>;

beforeAll(async () => {
  stack = await startOfflineStack({
    ...PORTS,
    env: { OFFLINE_FIREHOSE_FLUSH_SECONDS: '1', INGEST_KPL_AGGREGATION: 'true' },
  });
  db = new pg.Pool({ connectionString: WAREHOUSE, max: 1 });
  db.on('error', () => undefined);
  queue = deadLetterQueue(SQS_ENDPOINT);
}, 120_000);

afterAll(async () => {
  queue?.close();
  await db?.end();
  await stack?.stop();
});

const sum = (values: Iterable<number>) => [...values].reduce((a, b) => a + b, 0);
const metricsEvents = (expected: StreamExpectations) =>
  sum(Object.values(expected.windows).map((w) => w.events));
const problems = () =>
  stack
    .output()
    .split('\n')
    .filter((line) => /warn|error|fail/i.test(line))
    .slice(-30)
    .map((line) => line.slice(0, 400))
    .join('\n');

/** Waits until the warehouse holds the ledger and the metrics reach `expected`, then settles. */
async function drainTo(sent: SentTraffic[], expected: StreamExpectations): Promise<void> {
  const accepted = sum(sent.map((s) => s.ledger.accepted));
  const invalid = sum(sent.map((s) => s.ledger.invalid));
  const events = metricsEvents(expected);
  await waitForDrain(
    () => progress(db),
    (p) => p.events >= accepted && p.badEvents >= invalid && p.metricsEvents >= events,
    {
      timeoutMs: 150_000,
      settleMs: 3_000,
      expected: `events ${accepted}, bad_events ${invalid}, metrics events ${events}`,
      diagnostics: problems,
    },
  );
}

async function expectFiguresExactly(expected: StreamExpectations): Promise<void> {
  const metrics = await windowFigures(db);
  expect(metrics.allUsersExact).toBe(true);
  expect(metrics.windows).toEqual(expected.windows);
  expect(await productFigures(db)).toEqual(expected.products);
}

describe('the aggregate function failing in the running stack', () => {
  const shopper = shopperWithFewEvents(TRAFFIC);
  const marker = `"anonymousId":"${shopper}"`;
  const sent: SentTraffic[] = [];
  let stream: MarkedRecord[] = [];
  let deadLetters = 0;

  test("throwing on one shopper's records: bisected down to them, retried 5 times, only those records dead-lettered, and every other record counted once", async () => {
    writeFaultSwitches(stack.stateDir, {
      invoke: { aggregate: { mode: 'error', whenEventContains: marker } },
      reason: 'aggregate-faults e2e: throw on one shopper',
    });
    await sleep(500); // the stack polls faults.json every 200 ms
    sent.push(await sendSimulatedTraffic({ target: stack.apiUrl, simulator: TRAFFIC }));

    stream = await readMarkedStream(stack.kinesisEndpoint, stack.streamName, marker);
    const marked = new Set(stream.filter((r) => r.marked).map((r) => r.kinesisRecord));
    expect(marked.size).toBeGreaterThan(0);
    expect(stream.filter((r) => r.marked).length).toBeLessThan(stream.length / 4);

    // One dead letter per marked Kinesis record: the bisect isolated each.
    await waitUntil(
      'the dead letters',
      async () => (await queue.count()) >= marked.size,
      180_000,
      problems,
    );
    const letters = await queue.peek(marked.size);
    deadLetters = letters.length;
    expect(
      new Set(
        letters.map(
          (l) => `${l.KinesisBatchInfo.shardId} ${l.KinesisBatchInfo.startSequenceNumber}`,
        ),
      ),
    ).toEqual(marked);
    for (const letter of letters) {
      expect(letter.KinesisBatchInfo.batchSize).toBe(1);
      expect(letter.KinesisBatchInfo.endSequenceNumber).toBe(
        letter.KinesisBatchInfo.startSequenceNumber,
      );
      expect(letter.requestContext.condition).toBe('RetryAttemptsExhausted');
      // Its first invoke alone and the 5 retries, after the invokes of the batches it was in.
      expect(letter.requestContext.approximateInvokeCount).toBeGreaterThanOrEqual(6);
      expect(letter.responseContext?.functionError).toBe('Unhandled');
    }

    // The shard did not stall: everything else, before and after the failing records on the
    // same shards, is counted, once, while the fault is still on.
    const withoutMarked = expectedFromStream(
      stream.filter((r) => !r.marked),
      WINDOW_SECONDS,
    );
    await drainTo(sent, withoutMarked);
    await expectFiguresExactly(withoutMarked);
    expect(await queue.count()).toBe(marked.size);
  }, 330_000);

  test("after the fault is cleared, `npm run replay -- --what dead-letters` re-drives them and the real-time figures are exactly the stream's", async () => {
    writeFaultSwitches(stack.stateDir, {});
    // The replay leaves a window alone until two window lengths after its end.
    const lastMarked = Math.max(...stream.filter((r) => r.marked).map((r) => r.arrivalMs));
    const lengthMs = WINDOW_SECONDS * 1000;
    const settled = (Math.floor(lastMarked / lengthMs) + 3) * lengthMs + 1_000;
    await sleep(Math.max(0, settled - Date.now()));

    const replay = await runReplay('dead-letters', {
      OFFLINE_SQS_PORT: '4730',
      OFFLINE_KINESIS_PORT: String(PORTS.kinesisPort),
      OFFLINE_LAMBDA_PORT: String(PORTS.lambdaPort),
      OFFLINE_S3_PORT: '4729',
      OFFLINE_STATE_DIR: stack.stateDir,
    });
    expect({ code: replay.code, output: replay.output }).toEqual({
      code: 0,
      output: expect.stringContaining(
        `dead letters: ${deadLetters} found, ${deadLetters} replayed, 0 skipped, 0 still failing`,
      ),
    });
    expect(await queue.count()).toBe(0);

    const full = expectedFromStream(stream, WINDOW_SECONDS);
    await drainTo(sent, full);
    await expectFiguresExactly(full);
  }, 240_000);

  test('a batch timing out once is retried, and the figures stay exact', async () => {
    writeFaultSwitches(stack.stateDir, {
      invoke: { aggregate: { mode: 'timeout', timeoutMs: 2_000, times: 1 } },
      reason: 'aggregate-faults e2e: one timeout',
    });
    await sleep(500);
    sent.push(
      await sendSimulatedTraffic({
        target: stack.apiUrl,
        simulator: { ...TRAFFIC, seed: TRAFFIC.seed + 1, events: 1_000 },
      }),
    );
    await waitUntil(
      'the timed-out invocation',
      async () => /Sandbox\.Timedout/.test(stack.output()),
      60_000,
      problems,
    );
    const all = await readMarkedStream(stack.kinesisEndpoint, stack.streamName, marker);
    const full = expectedFromStream(all, WINDOW_SECONDS);
    await drainTo(sent, full);
    await expectFiguresExactly(full);
    expect(await queue.count()).toBe(0);
  }, 240_000);
});
