/**
 * The fault campaign (docs/reliability.md):
 *   npm run chaos -- [--events N] [--rate N] [--seed N] [--faults a,b,c] [--fault-seconds S]
 *     [--outage-seconds S] [--port P] [--keep-state]
 * Starts its own local stack (ports P, P+2, and 1307 above P for Kinesis and the next five
 * for the other stand-ins; default 3500), drives the seeded simulator at a steady rate while
 * the faults are injected one after another, waits for the pipeline to drain, and reconciles
 * it exactly. Prints what each fault did and the verdict; exits 0 only if exact.
 */
import { parseArgs } from 'node:util';
import { chaosReport } from '../tools/chaos/chaos-report.ts';
import { DEFAULT_TIMINGS, FAULTS, faultNamed } from '../tools/chaos/faults/registry.ts';
import { runChaos } from '../tools/chaos/run-chaos.ts';

const USAGE = `usage: npm run chaos -- [--events N] [--rate N] [--seed N] [--faults ${Object.keys(FAULTS).join(',')}]
  [--fault-seconds S] [--outage-seconds S] [--port P] [--keep-state]`;

function positive(name: string, text: string): number {
  const value = Number(text);
  if (!(Number.isFinite(value) && value > 0))
    throw new Error(`--${name} must be a positive number (got ${text})\n${USAGE}`);
  return value;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      events: { type: 'string', default: '100000' },
      rate: { type: 'string', default: '500' },
      seed: { type: 'string', default: '20261208' },
      faults: { type: 'string', default: Object.keys(FAULTS).join(',') },
      'fault-seconds': { type: 'string', default: String(DEFAULT_TIMINGS.faultMs / 1000) },
      'outage-seconds': { type: 'string', default: String(DEFAULT_TIMINGS.outageMs / 1000) },
      port: { type: 'string', default: '3500' },
      'keep-state': { type: 'boolean', default: false },
    },
    strict: true,
  });
  const events = positive('events', values.events);
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed)) throw new Error(`--seed must be an integer\n${USAGE}`);
  const timings = {
    faultMs: positive('fault-seconds', values['fault-seconds']) * 1000,
    outageMs: positive('outage-seconds', values['outage-seconds']) * 1000,
  };
  const faults = values.faults
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
    .map((name) => faultNamed(name, timings));
  const http = positive('port', values.port);
  const started = Date.now();
  const result = await runChaos({
    events,
    rate: positive('rate', values.rate),
    seed,
    faults,
    ports: { http, lambda: http + 2, kinesis: http + 1307, othersFrom: http + 1308 },
    env: {
      OFFLINE_FIREHOSE_FLUSH_SECONDS: '1',
      // Lambda's asynchronous retries (AWS: 1 min, then 2 min) scaled so that they span the
      // warehouse outage: a load failing during it is retried once the warehouse is back.
      OFFLINE_ASYNC_RETRY_SECONDS: String(Math.max(1, Math.ceil(timings.outageMs / 2_000))),
      INGEST_KPL_AGGREGATION: 'true',
    },
    keepState: values['keep-state'],
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(`\n${chaosReport(result, started)}\n`);
  if (values['keep-state']) process.stdout.write(`state kept in ${result.stateDir}\n`);
  return result.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
