/**
 * The fault campaign at full size (issue #12; not in CI): 100,000 simulated events at a
 * steady 500 events/s (200 s: every fault, one after another, lands under traffic) through `npm start`'s stack (own ports 3500/3502/4807-4812, state in
 * a temporary folder, persistence on) while every registered fault is injected once, then the
 * drain and the exact reconciliation. The baseline beside the campaign's time is the traffic
 * alone at that rate (events / rate): what the faults and the drain added.
 */
import { chaosReport } from '../tools/chaos/chaos-report.ts';
import { DEFAULT_TIMINGS, FAULTS, faultNamed } from '../tools/chaos/faults/registry.ts';
import { runChaos } from '../tools/chaos/run-chaos.ts';
import { fmtMs } from './table.ts';

const EVENTS = 100_000;
const RATE = 500;

export async function run(): Promise<void> {
  const started = Date.now();
  const result = await runChaos({
    events: EVENTS,
    rate: RATE,
    seed: 20_261_208,
    faults: Object.keys(FAULTS).map((name) => faultNamed(name, DEFAULT_TIMINGS)),
    ports: { http: 3500, lambda: 3502, kinesis: 4807, othersFrom: 4808 },
    env: {
      OFFLINE_FIREHOSE_FLUSH_SECONDS: '1',
      OFFLINE_ASYNC_RETRY_SECONDS: String(Math.ceil(DEFAULT_TIMINGS.outageMs / 2_000)),
      INGEST_KPL_AGGREGATION: 'true',
    },
    log: (line) => console.log(line),
  });
  console.log(`\n${chaosReport(result, started)}`);
  console.log(
    `\ncampaign ${fmtMs(result.elapsedMs)} (stack start, traffic, faults, drain, reconciliation) vs the traffic alone ${fmtMs((EVENTS / RATE) * 1000)}`,
  );
  if (!result.ok) throw new Error('the campaign did not reconcile exactly');
}
