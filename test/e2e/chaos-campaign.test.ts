import { chaosReport } from '../../tools/chaos/chaos-report.ts';
import { faultNamed, FAULTS, type FaultTimings } from '../../tools/chaos/faults/registry.ts';
import { poisonRecords } from '../../tools/chaos/faults/poison.ts';
import { runChaos, type ChaosOptions, type ChaosResult } from '../../tools/chaos/run-chaos.ts';

/**
 * The fault campaign of issue #12 in CI: each fault alone, then the 20,000-event campaign with
 * every registered fault once, each run on `npm start`'s stack (a child, persistence on) and
 * reconciled exactly by tools/chaos (events = the ledger's unique valid ids, bad_events = the
 * invalid ones plus every poison record, revenue to the cent, the real-time figures against
 * what arrived on the stream per window, nothing parked). Short timings: faults of 10-12 s,
 * Firehose flushing every second, Lambda's asynchronous retries scaled to the outage.
 * `npm run chaos` runs the same code at 100,000 events with the full timings.
 */
const PORTS = { http: 3400, lambda: 3402, kinesis: 4707, othersFrom: 4708 };
const TIMINGS: FaultTimings = { faultMs: 12_000, outageMs: 10_000 };
const lines: string[] = [];

function run(options: Pick<ChaosOptions, 'events' | 'rate' | 'faults'> & { seed: number }) {
  return runChaos({
    ...options,
    ports: PORTS,
    env: {
      OFFLINE_FIREHOSE_FLUSH_SECONDS: '1',
      OFFLINE_ASYNC_RETRY_SECONDS: String(TIMINGS.outageMs / 2_000),
      INGEST_KPL_AGGREGATION: 'true',
    },
    drainTimeoutMs: 240_000,
    log: (line) => lines.push(line),
  });
}

/** The failed checks (with the run's progress lines), or [] when the run reconciled exactly. */
function notExact(result: ChaosResult) {
  const failed = result.checks.filter((c) => !c.ok);
  return failed.length === 0 ? [] : [...failed, { progress: lines.slice(-40) }];
}

const report = (result: ChaosResult, fault: string) =>
  result.reports.find((r) => r.fault === fault)?.didWhat ?? '';
const figure = (text: string, pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? Number.NaN);

beforeEach(() => {
  lines.length = 0;
});

describe('each fault alone', () => {
  test('throttle: 30 % of PutRecords entries refused, every acknowledged event is in the warehouse once', async () => {
    const result = await run({
      events: 2_000,
      rate: 250,
      seed: 121,
      faults: [faultNamed('throttle', TIMINGS)],
    });
    expect(notExact(result)).toEqual([]);
    expect(
      figure(report(result, 'throttle'), /^(\d+) of \d+ PutRecords entries refused/),
    ).toBeGreaterThan(10);
  }, 300_000);

  test('firehose-503: PutRecordBatch calls refused with ServiceUnavailableException are retried by the aggregate, no window lost', async () => {
    const result = await run({
      events: 2_000,
      rate: 100,
      seed: 122,
      faults: [faultNamed('firehose-503', TIMINGS)],
    });
    expect(notExact(result)).toEqual([]);
    const did = report(result, 'firehose-503');
    expect(figure(did, /^(\d+) of \d+ PutRecordBatch calls refused/)).toBeGreaterThan(0);
    expect(did).toMatch(/\(0 invocations gave up\)/);
  }, 300_000);

  test('poison: four records no producer should write become one bad row each with a reason, and no shard stalls', async () => {
    const result = await run({
      events: 1_500,
      rate: 250,
      seed: 123,
      faults: [faultNamed('poison', TIMINGS)],
    });
    expect(notExact(result)).toEqual([]);
    expect(report(result, 'poison')).toMatch(/the aggregate counted 4 as rejected/);
    expect(
      poisonRecords(123).map((r) => r.data.length + Buffer.byteLength(r.partitionKey)),
    ).toContain(1024 * 1024);
  }, 300_000);

  test('warehouse-down: loads that fail while the warehouse is stopped are retried and catch up, nothing parked', async () => {
    const result = await run({
      events: 2_000,
      rate: 250,
      seed: 124,
      faults: [faultNamed('warehouse-down', TIMINGS)],
    });
    expect(notExact(result)).toEqual([]);
    const did = report(result, 'warehouse-down');
    expect(did).toMatch(/warehouse stopped 10 s/);
    expect(figure(did, /; (\d+) load invocations failed and were retried/)).toBeGreaterThan(0);
  }, 300_000);
});

test('the campaign: 20,000 events with every registered fault once reconcile exactly', async () => {
  const started = Date.now();
  const result = await run({
    events: 20_000,
    // 125 s of traffic: every fault, one after another, starts while events still flow.
    rate: 160,
    seed: 20_261_208,
    faults: Object.keys(FAULTS).map((name) => faultNamed(name, TIMINGS)),
  });
  // The campaign's table in CI's log: what each fault did, and the verdict.
  console.log(chaosReport(result, started));
  expect(notExact(result)).toEqual([]);
  expect(result.reports.map((r) => r.fault)).toEqual(Object.keys(FAULTS));
  expect(result.sent.ledger.sent).toBe(20_000);
  expect(result.reports.filter((r) => /after the traffic ended/.test(r.didWhat))).toEqual([]);
  expect(result.ok).toBe(true);
}, 600_000);
