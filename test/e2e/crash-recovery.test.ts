import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { writeFaultSwitches, type FaultSwitches } from '../../offline/faults/fault-switches.ts';
import { startOfflineStack, type OfflineStack } from '../support/offline-stack.ts';
import type { ChaosStack, FaultReport } from '../../tools/chaos/fault.ts';
import { killNine, MOMENTS } from '../../tools/chaos/faults/kill.ts';
import { fileFaultSwitches } from '../../tools/chaos/file-fault-switches.ts';
import { sendSimulatedTraffic, type SentTraffic } from '../support/simulated-traffic.ts';
import { expectedFromStream, readStream } from '../../tools/reconcile/stream-oracle.ts';
import {
  productFigures,
  progress,
  waitForDrain,
  windowFigures,
} from '../../tools/reconcile/warehouse-figures.ts';

/**
 * The whole local stack killed in mid-traffic (kill -9 of its process group, then SIGTERM),
 * and `npm start` again on the same state folder with persistence on, as `npm start` runs:
 * every event the API acknowledged must reach the warehouse once, and the real-time figures
 * stay exactly what arrived on the stream, window by window. The client resends what got no
 * answer (same messageIds), as an SDK does. Each kill lands at a known moment: a fault switch
 * (`hold` in faults.json) holds one step still and logs it, and the test kills then.
 */
const PORTS = { httpPort: 3410, lambdaPort: 3412, kinesisPort: 4717, otherPortsFrom: 4718 };
const WINDOW_SECONDS = 10; // serverless.yml, params.local.windowSeconds
const EVENTS = 1_500;

let stack: OfflineStack;
let stateDir: string;
const validIds = new Set<string>();
const invalidIds = new Set<string>();
let seed = 20_261_208;

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'clickstream-crash-'));
  stack = await startOfflineStack({
    ...PORTS,
    stateDir,
    env: { OFFLINE_FIREHOSE_FLUSH_SECONDS: '1' },
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** fetch that waits out a stack that is down (refused or cut connections), as a patient SDK. */
const patientFetch: typeof fetch = async (input, init) => {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      return await fetch(input, init);
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(250);
    }
  }
};

/**
 * Sends EVENTS simulated events; once `killAfter` of them are acknowledged, `during` runs
 * (the kill and restart) while the sender keeps resending what got no answer.
 */
async function trafficWith(killAfter: number, during: () => Promise<void>): Promise<void> {
  let acknowledged = 0;
  let crash: Promise<void> | undefined;
  seed += 1;
  const sent: SentTraffic = await sendSimulatedTraffic({
    target: stack.apiUrl,
    simulator: { seed, rate: 200, events: EVENTS, badRate: 0.02, duplicateRate: 0.02 },
    batchSize: 50,
    concurrency: 2,
    fetch: patientFetch,
    onBatch: (batch) => {
      acknowledged += batch.length;
      if (acknowledged >= killAfter) crash ??= during();
    },
  });
  await crash;
  for (const id of sent.validIds) validIds.add(id);
  for (const id of sent.invalidIds) invalidIds.add(id);
}

function faults(switches: FaultSwitches): void {
  writeFaultSwitches(stateDir, switches);
}

/** Waits for `text` in what the stack printed after `from`. */
async function logged(text: string, from: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!stack.output().includes(text, from)) {
    if (Date.now() > deadline) throw new Error(`the stack never logged "${text}"`);
    await sleep(50);
  }
}

/** Kills with SIGKILL once `text` is logged, clears the faults, starts again. */
async function killWhen(text: string, from: number): Promise<void> {
  await logged(text, from);
  await stack.kill('SIGKILL');
  faults({});
  await stack.restart();
}

/** The stack as `npm run chaos` drives it, for the chaos faults of tools/chaos/faults/kill.ts. */
function chaosStack(): ChaosStack {
  return {
    ...stack,
    restart: async (signal) => {
      await stack.kill(signal);
      await stack.restart();
    },
    output: () => stack.output(),
    faults: fileFaultSwitches(stack.stateDir, () => stack.output()),
  };
}

/** The chaos fault `kill-9`, killing at MOMENTS[seed]. */
async function chaosKill(seed: number): Promise<FaultReport> {
  return killNine().run({ stack: chaosStack(), seed, log: () => undefined });
}

/** The warehouse against everything sent so far and everything on the stream: exact. */
async function reconcile(): Promise<void> {
  const stream = expectedFromStream(
    await readStream(stack.kinesisEndpoint, stack.streamName),
    WINDOW_SECONDS,
  );
  const windows = Object.values(stream.windows);
  const metricsEvents = windows.reduce((n, w) => n + w.events, 0);
  const metricsRejected = windows.reduce((n, w) => n + w.rejected, 0);
  const db = new pg.Pool({ connectionString: stack.warehouseUrl, max: 1 });
  db.on('error', () => undefined);
  try {
    await waitForDrain(
      () => progress(db),
      (p) =>
        p.events >= validIds.size &&
        p.badEvents >= invalidIds.size &&
        p.metricsEvents >= metricsEvents &&
        p.metricsRejected >= metricsRejected,
      {
        timeoutMs: 60_000,
        settleMs: 1_500,
        expected: `events ${validIds.size}, bad_events ${invalidIds.size}, metrics events ${metricsEvents}`,
        diagnostics: () =>
          stack
            .output()
            .split('\n')
            .filter((line) => /warn|error|fail|fault/i.test(line))
            .slice(-30)
            .join('\n'),
      },
    );
    const ids = new Set(
      (await db.query<{ id: string }>('SELECT event_id AS id FROM events')).rows.map((r) => r.id),
    );
    expect([...validIds].filter((id) => !ids.has(id)).slice(0, 5)).toEqual([]);
    expect(ids.size).toBe(validIds.size);
    const [bad] = (await db.query<{ n: string }>('SELECT count(*) AS n FROM bad_events')).rows;
    expect(Number(bad?.n)).toBe(invalidIds.size);
    expect(stream.validIds).toEqual(validIds);
    const metrics = await windowFigures(db);
    expect(metrics.windows).toEqual(stream.windows);
    expect(await productFigures(db)).toEqual(stream.products);
  } finally {
    await db.end();
  }
}

describe('the local stack killed in mid-traffic, then npm start again', () => {
  test('kill -9 during traffic, then npm start: every acknowledged event is in the warehouse once', async () => {
    // The chaos campaign's kill-9 fault, at its first moment: anywhere in the traffic.
    expect(MOMENTS[0]).toBe('traffic');
    let report: FaultReport | undefined;
    await trafficWith(EVENTS / 3, async () => {
      report = await chaosKill(0);
    });
    expect(report?.didWhat).toMatch(/^SIGKILL in mid-traffic; npm start again, up in \d+ ms/);
    await reconcile();
  }, 150_000);

  test('kill -9 during a Firehose flush of the metrics: what it had accepted is delivered after the restart', async () => {
    // The aggregate's checkpoint moves on once PutRecordBatch answered: only the journal has them.
    faults({
      hold: { firehoseS3Write: { ms: 120_000, times: 1, whenDetailContains: '/metrics/' } },
    });
    const from = stack.output().length;
    await trafficWith(EVENTS / 3, () => killWhen('fault: holding firehoseS3Write', from));
    await reconcile();
  }, 150_000);

  test('kill -9 during a Firehose flush of the events: the source re-reads them, each loaded once', async () => {
    faults({
      hold: { firehoseS3Write: { ms: 120_000, times: 1, whenDetailContains: '/events/' } },
    });
    const from = stack.output().length;
    await trafficWith(EVENTS / 3, () => killWhen('fault: holding firehoseS3Write', from));
    await reconcile();
  }, 150_000);

  test('kill -9 during a load: the half-done COPY and MERGE are rolled back, re-run, and each row is in once', async () => {
    faults({ hold: { warehouseLoadCommit: { ms: 120_000, times: 1 } } });
    const from = stack.output().length;
    await trafficWith(EVENTS / 3, () => killWhen('fault: holding warehouseLoadCommit', from));
    await reconcile();
  }, 150_000);

  test("kill -9 during a window's final invocation: it is re-done after the restart and the metrics stay exact", async () => {
    // The chaos campaign's kill-9 fault at the window's final invocation, held through faults.json.
    expect(MOMENTS[3]).toBe('windowFinalCheckpoint');
    let report: FaultReport | undefined;
    await trafficWith(EVENTS / 3, async () => {
      report = await chaosKill(3);
    });
    expect(report?.didWhat).toMatch(/^SIGKILL inside windowFinalCheckpoint/);
    expect(readFileSync(join(stateDir, 'faults.json'), 'utf8')).not.toContain('hold');
    await reconcile();
    // Nothing still owed on disk once drained.
    expect(
      await killNine().afterDrain?.({ stack: chaosStack(), seed: 3, log: () => undefined }),
    ).toBe(undefined);
  }, 150_000);

  test('SIGTERM drains and a restart resumes without loss', async () => {
    let stopped: { ms: number; forced: boolean } | undefined;
    await trafficWith(EVENTS / 2, async () => {
      stopped = await stack.kill('SIGTERM');
      // Drained: nothing accepted by Firehose is left waiting in its journal.
      const journal = join(stateDir, 'firehose', 'accepted');
      const left = readdirSync(journal, { recursive: true }).filter((f) =>
        String(f).endsWith('.json'),
      );
      expect(left).toEqual([]);
      await stack.restart();
    });
    process.stderr.write(`SIGTERM in mid-traffic: drained and exited in ${stopped?.ms} ms\n`);
    expect(stopped?.forced).toBe(false);
    expect(stopped?.ms).toBeLessThan(15_000);
    await reconcile();
  }, 150_000);
});
