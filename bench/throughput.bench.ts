/**
 * Sustained throughput of the whole local stack (`npm start`'s, on bench ports): the shop
 * simulator posts to /v1/batch, and the figures are read back from the warehouse.
 *  1. latency: a paced phase well under capacity; per event, POST to the row being loaded
 *     (loads' transaction time) and, for one probe per request, to the row being queryable;
 *  2. throughput: as fast as the stack takes it; events/s from the first POST to the last
 *     row loaded, reconciled (rows in events = unique valid events accepted, bad_events =
 *     invalid ones), beside the stack's own Kinesis emulator written directly (the floor
 *     under everything) and the API's accept rate;
 *  3. memory: resident set of the stack's whole process tree, sampled throughout.
 */
import { CreateStreamCommand, KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import pg from 'pg';
import { localClientConfig } from '../offline/local-client-config.ts';
import { makeBatchSender } from '../tools/simulator/batch-sender.ts';
import type { WireMessage } from '../tools/simulator/corrupt.ts';
import { simulate } from '../tools/simulator/simulate-shop.ts';
import { startOfflineStack } from '../test/support/offline-stack.ts';
import { sendSimulatedTraffic } from '../test/support/simulated-traffic.ts';
import {
  fmtInt,
  fmtMiB,
  fmtMs,
  fmtRate,
  fmtRatio,
  printNotes,
  printTable,
  quantile,
} from './table.ts';
import { treeRss } from './process-tree.ts';
import { profileSession } from './profile/profile-session.ts';
import { stageFigures } from './profile/stage-figures.ts';

const PORTS = { httpPort: 3360, lambdaPort: 3362, kinesisPort: 4667, otherPortsFrom: 4668 };
const WAREHOUSE = 'postgres://postgres@127.0.0.1:4671/analytics';
/**
 * The dev buffering: every Firehose buffer (processor and S3) flushed at least this often.
 * With the Kinesis source's 1 s poll, as Firehose reads a shard, a row waits up to 1 s + two
 * flushes: 0.5 s kept POST-to-queryable p95 at 1.86 s, where 1 s gave 2.58 s (one run each,
 * 2026-12-01). `npm start` flushes every 5 s; BENCH_FLUSH_SECONDS measures another setting.
 */
const FLUSH_SECONDS = Number(process.env.BENCH_FLUSH_SECONDS ?? 0.5);
const PACED_RATE = 400;
const PACED_SECONDS = 20;
const BURST_EVENTS = 40_000;
const TARGETS = { rate: 10_000, p95Ms: 2_000, rssBytes: 1024 ** 3 };
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const simulator = { badRate: 0.02, duplicateRate: 0.01 };

/** The floor: the same messages written straight to the stack's emulator, 500 a call. */
async function emulatorPutRate(endpoint: string, messages: WireMessage[]): Promise<number> {
  const client = new KinesisClient(localClientConfig('us-east-1', endpoint));
  try {
    await client.send(new CreateStreamCommand({ StreamName: 'bench-floor', ShardCount: 2 }));
    await sleep(500);
    const started = performance.now();
    for (let i = 0; i < messages.length; i += 500) {
      const records = messages.slice(i, i + 500).map((m) => ({
        PartitionKey: String(m.anonymousId ?? m.messageId),
        Data: Buffer.from(JSON.stringify(m)),
      }));
      await client.send(new PutRecordsCommand({ StreamName: 'bench-floor', Records: records }));
    }
    return messages.length / ((performance.now() - started) / 1000);
  } finally {
    client.destroy();
  }
}

async function count(db: pg.Pool, sql: string): Promise<number> {
  return Number((await db.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
}

/** Phase 1: paced sends; probes polled until queryable. */
async function pacedPhase(api: string, db: pg.Pool) {
  const send = makeBatchSender({ fetch, sleep, target: api, writeKey: 'local-write-key' });
  const posted = new Map<string, number>();
  const probes = new Map<string, number>();
  const visible: number[] = [];
  const answers: number[] = [];
  let unique = 0;
  let invalid = 0;
  let done = false;
  const poller = (async () => {
    while (!done || probes.size > 0) {
      const ids = [...probes.keys()];
      if (ids.length > 0) {
        const rows = await db
          .query<{ id: string }>('SELECT event_id AS id FROM events WHERE event_id = ANY($1)', [
            ids,
          ])
          .then((r) => r.rows)
          .catch(() => []);
        const now = Date.now();
        for (const { id } of rows) {
          visible.push(now - (probes.get(id) ?? now));
          probes.delete(id);
        }
      }
      await sleep(100);
    }
  })().catch(() => undefined); // a failed poll must not end the process with the stack up
  const startMs = Date.now();
  const seen = new Set<string>();
  let batch: WireMessage[] = [];
  const flush = async () => {
    const postedAt = Date.now();
    const outgoing = batch;
    batch = [];
    await send(outgoing);
    answers.push(Date.now() - postedAt);
    const probe = outgoing.find((m) => posted.get(m.messageId) === -1);
    for (const m of outgoing) if (posted.get(m.messageId) === -1) posted.set(m.messageId, postedAt);
    if (probe) probes.set(probe.messageId, postedAt);
  };
  const items = simulate({
    seed: 7_001,
    rate: PACED_RATE,
    durationMs: PACED_SECONDS * 1000,
    startMs,
    ...simulator,
  });
  for (const item of items) {
    const wait = item.atMs - Date.now();
    if (wait > 100 && batch.length > 0) await flush();
    if (wait > 0) await sleep(wait);
    if (item.kind === 'invalid') invalid += 1;
    if (item.kind === 'valid' && !seen.has(item.message.messageId)) {
      seen.add(item.message.messageId);
      posted.set(item.message.messageId, -1);
      unique += 1;
    }
    batch.push(item.message);
    if (batch.length >= 100) await flush();
  }
  if (batch.length > 0) await flush();
  done = true;
  await Promise.race([poller, sleep(120_000)]);
  return { posted, visible, answers, unique, invalid };
}

/**
 * Once with the ingest writing one record per event, once packing them into KPL aggregated
 * records (INGEST_KPL_AGGREGATION, as deployed stages do); BENCH_KPL=off or on runs one.
 */
export async function run(): Promise<void> {
  const modes = { off: [false], on: [true] }[process.env.BENCH_KPL ?? ''] ?? [false, true];
  for (const kpl of modes) await runStack(kpl);
}

async function runStack(kpl: boolean): Promise<void> {
  const profile = profileSession();
  const stack = await startOfflineStack({
    ...PORTS,
    env: {
      OFFLINE_FIREHOSE_FLUSH_SECONDS: String(FLUSH_SECONDS),
      INGEST_KPL_AGGREGATION: String(kpl),
      ...profile?.env,
    },
    ...(profile && { startTimeoutMs: 180_000, nodeArgs: profile.nodeArgs }),
  });
  let stopped = false;
  const db = new pg.Pool({ connectionString: WAREHOUSE, max: 2 });
  db.on('error', () => undefined);
  const idleRss = treeRss(stack.pid);
  let peakRss = idleRss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, treeRss(stack.pid))), 500);
  try {
    const paced = await pacedPhase(stack.apiUrl, db);
    const { rows } = await db.query<{ id: string; ms: string }>(
      'SELECT event_id AS id, (extract(epoch FROM loaded_at) * 1000)::bigint AS ms FROM events',
    );
    const loaded = rows
      .map((r) => Number(r.ms) - (paced.posted.get(r.id) ?? Number.NaN))
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    const visible = [...paced.visible].sort((a, b) => a - b);
    const answers = [...paced.answers].sort((a, b) => a - b);

    const floorMessages = [...simulate({ seed: 7_003, rate: 1_000, events: 20_000 })].map(
      (i) => i.message,
    );
    const floorRate = await emulatorPutRate(stack.kinesisEndpoint, floorMessages);

    const firstPost = Date.now();
    profile?.markStart();
    const burst = await sendSimulatedTraffic({
      target: stack.apiUrl,
      simulator: { seed: 7_002, rate: 1_000, events: BURST_EVENTS, ...simulator },
      batchSize: 100,
      concurrency: 8,
    });
    const apiRate = burst.ledger.sent / (burst.elapsedMs / 1000);
    profile?.snapshotNow();
    const expected = {
      events: paced.unique + burst.ledger.accepted,
      bad: paced.invalid + burst.ledger.invalid,
    };
    const deadline = Date.now() + 300_000;
    let events = 0;
    let bad = 0;
    while (Date.now() < deadline) {
      events = await count(db, 'SELECT count(*) AS n FROM events');
      bad = await count(db, 'SELECT count(*) AS n FROM bad_events');
      if (events >= expected.events && bad >= expected.bad) break;
      await sleep(250);
    }
    const landedAt = Date.now();
    profile?.markEnd();
    const rate = burst.ledger.accepted / ((landedAt - firstPost) / 1000);
    const p95 = quantile(visible, 0.95);
    printTable(
      `Whole local stack, KPL aggregation ${kpl ? 'ON' : 'off'}, ${fmtInt(BURST_EVENTS)} simulated events as fast as it takes them (OFFLINE_FIREHOSE_FLUSH_SECONDS=${FLUSH_SECONDS})`,
      [
        { header: 'figure' },
        { header: 'value' },
        { header: 'target' },
        { header: 'vs target' },
        { header: 'baseline (same run)' },
        { header: 'vs baseline' },
      ],
      [
        [
          'events/s, POST to loaded, zero loss',
          fmtRate(rate),
          fmtRate(TARGETS.rate),
          fmtRatio(rate, TARGETS.rate),
          `${fmtRate(floorRate)} emulator PutRecords alone`,
          fmtRatio(rate, floorRate),
        ],
        [
          'events/s accepted by the API',
          fmtRate(apiRate),
          '',
          '',
          `${fmtRate(floorRate)} emulator PutRecords alone`,
          fmtRatio(apiRate, floorRate),
        ],
        [
          `p50 POST to queryable (${PACED_RATE}/s paced)`,
          fmtMs(quantile(visible, 0.5)),
          '',
          '',
          `${fmtMs(quantile(answers, 0.5))} POST answered`,
          fmtRatio(quantile(visible, 0.5), quantile(answers, 0.5)),
        ],
        [
          `p95 POST to queryable (${PACED_RATE}/s paced)`,
          fmtMs(p95),
          fmtMs(TARGETS.p95Ms),
          fmtRatio(p95, TARGETS.p95Ms),
          `${fmtMs(quantile(answers, 0.95))} POST answered`,
          fmtRatio(p95, quantile(answers, 0.95)),
        ],
        [
          'p50 / p95 POST to load transaction',
          `${fmtMs(quantile(loaded, 0.5))} / ${fmtMs(quantile(loaded, 0.95))}`,
          '',
          '',
          `${fmtMs(FLUSH_SECONDS * 1000)} Firehose flush`,
          fmtRatio(quantile(loaded, 0.5), FLUSH_SECONDS * 1000),
        ],
        [
          'resident memory, peak, all processes',
          fmtMiB(peakRss),
          fmtMiB(TARGETS.rssBytes),
          fmtRatio(peakRss, TARGETS.rssBytes),
          `${fmtMiB(idleRss)} idle after start`,
          fmtRatio(peakRss, idleRss),
        ],
      ],
    );
    printNotes([
      `reconciled: events ${fmtInt(events)} of ${fmtInt(expected.events)} unique valid sent, bad_events ${fmtInt(bad)} of ${fmtInt(expected.bad)} invalid${events === expected.events && bad === expected.bad ? ' (exact)' : ' (NOT EXACT)'}`,
      `burst: ${fmtInt(burst.ledger.sent)} events in ${fmtInt(burst.requests)} requests of 100, 8 in flight, sent in ${fmtMs(burst.elapsedMs)}; all in the warehouse ${fmtMs(landedAt - firstPost)} after the first POST`,
      `latency phase: ${fmtInt(paced.unique)} events at ~${PACED_RATE}/s for ${PACED_SECONDS} s; ${fmtInt(visible.length)} probes (one per request) polled every 100 ms`,
      'the simulator, the bench and the whole stack share this machine',
    ]);
    if (events !== expected.events || bad !== expected.bad) {
      // What the stack said about it: its errors and warnings, last ones first to read.
      const said = stack
        .output()
        .split('\n')
        .filter((l) => /error|warn|fail|timed? ?out/i.test(l));
      printNotes([`the stack's last errors and warnings (${said.length}):`, ...said.slice(-15)]);
    }
    if (profile) {
      const figures = await stageFigures(db, firstPost, burst.ledger.accepted, apiRate);
      clearInterval(sampler);
      await db.end();
      stopped = true;
      await stack.stop();
      profile.report(figures);
    }
  } finally {
    clearInterval(sampler);
    if (!stopped) {
      await db.end();
      await stack.stop();
    }
  }
}
