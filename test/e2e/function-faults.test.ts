import { utimesSync } from 'node:fs';
import pg from 'pg';
import type { WireMessage } from '../../tools/simulator/corrupt.ts';
import { simulate } from '../../tools/simulator/simulate-shop.ts';
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
 * Functions failing in the running stack (`npm start`). First the aggregate, through the stack's
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

/**
 * Then functions rebuilt while traffic flows, as `npm start` does when a handler file is
 * saved: serverless-esbuild rebuilds and serverless-offline reloads the functions
 * (offline/reload-gate.ts drains them first). Every request is resent until it gets a 200, as
 * an SDK does; an event counts as written only when its request got a 200, and every such
 * event must reach the warehouse. The real-time figures stay exact: the aggregate is rebuilt
 * with the ingest.
 */
describe('functions rebuilt (a handler file saved) during traffic', () => {
  const WATCHED = ['functions/ingest/handler.ts', 'functions/aggregate/handler.ts'];
  beforeAll(async () => {
    stack = await startOfflineStack({
      ...PORTS,
      env: {
        OFFLINE_FIREHOSE_FLUSH_SECONDS: '1',
        OFFLINE_WATCH_PATTERN: 'functions/{ingest,aggregate}/handler.ts',
      },
    });
    db = new pg.Pool({ connectionString: WAREHOUSE, max: 1 });
    db.on('error', () => undefined);
  }, 120_000);
  afterAll(async () => {
    await db?.end();
    await stack?.stop();
  });

  test('in-flight invocations complete, no request is answered 200 without its events written, and the figures stay exact', async () => {
    const reloadsBefore = reloads(stack.output());
    let traffic = true;
    const saving = (async () => {
      // "Saves" the handlers (a new mtime, the content unchanged) every 1.5 s while traffic flows.
      let saves = 0;
      while (traffic || saves < 2) {
        await sleep(1_500);
        const now = new Date();
        for (const file of WATCHED) utimesSync(file, now, now);
        saves += 1;
      }
      return saves;
    })();
    const posted = await postUntil200(stack.apiUrl, {
      ...TRAFFIC,
      seed: TRAFFIC.seed + 2,
      events: 3_000,
    });
    traffic = false;
    const saves = await saving;
    await waitUntil(
      'the reloads',
      async () => reloads(stack.output()) - reloadsBefore >= 2,
      60_000,
      problems,
    );

    expect(saves).toBeGreaterThanOrEqual(2);
    // Every batch got its 200, each on the first try: nothing in flight was killed.
    expect(posted.statuses.filter((s) => s !== 200)).toEqual([]);
    expect(stack.output()).not.toMatch(/Unhandled Lambda Error|still in flight/);

    const all = await readMarkedStream(stack.kinesisEndpoint, stack.streamName, '"never"');
    const expected = expectedFromStream(all, WINDOW_SECONDS);
    await waitForDrain(
      () => progress(db),
      (p) =>
        p.events >= posted.validIds.size &&
        p.badEvents >= posted.invalidIds.size &&
        p.metricsEvents >= metricsEvents(expected),
      {
        timeoutMs: 150_000,
        settleMs: 3_000,
        expected: `events ${posted.validIds.size}, bad_events ${posted.invalidIds.size}`,
        diagnostics: problems,
      },
    );
    const ids = await db.query<{ id: string }>('SELECT event_id AS id FROM events');
    expect(new Set(ids.rows.map((r) => r.id))).toEqual(posted.validIds);
    const bad = await db.query<{ id: string }>('SELECT event_id AS id FROM bad_events');
    expect(new Set(bad.rows.map((r) => r.id))).toEqual(posted.invalidIds);
    await expectFiguresExactly(expected);
  }, 300_000);
});

const reloads = (output: string) => output.split('functions reloading:').length - 1;

/**
 * The simulator's events in /v1/batch requests of 100, 4 in flight; a request not answered
 * 200 with `success: true` is resent whole (same messageIds) until it is. Answers the status
 * of every answer, and the messageIds the API took: valid ones and those it rejected.
 */
async function postUntil200(
  apiUrl: string,
  simulator: typeof TRAFFIC,
): Promise<{ statuses: number[]; validIds: Set<string>; invalidIds: Set<string> }> {
  const batches: WireMessage[][] = [];
  const validIds = new Set<string>();
  const invalidIds = new Set<string>();
  for (const { kind, message } of simulate(simulator)) {
    if (kind === 'invalid') invalidIds.add(message.messageId);
    else validIds.add(message.messageId);
    const last = batches.at(-1);
    if (last && last.length < 100) last.push(message);
    else batches.push([message]);
  }
  const statuses: number[] = [];
  const authorization = `Basic ${Buffer.from('local-write-key:').toString('base64')}`;
  let next = 0;
  const worker = async () => {
    while (next < batches.length) {
      const batch = batches[next++] as WireMessage[];
      for (let attempt = 1; ; attempt += 1) {
        const response = await fetch(`${apiUrl}/v1/batch`, {
          method: 'POST',
          headers: { authorization, 'content-type': 'application/json' },
          body: JSON.stringify({ batch }),
        });
        const answer = (await response.json().catch(() => ({}))) as { success?: boolean };
        statuses.push(response.status);
        // 400 only when every event is invalid: they are all bad rows, written.
        if ((response.status === 200 && answer.success === true) || response.status === 400) break;
        if (attempt >= 10) throw new Error(`batch ${next} never got a 200: ${response.status}`);
        await sleep(500);
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  return { statuses, validIds, invalidIds };
}
