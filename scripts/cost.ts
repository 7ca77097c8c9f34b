/**
 * What the deployed pipeline costs at a steady rate, per service, per month and per million
 * events, from AWS's us-east-1 list prices (tools/cost/prices.ts; check them):
 *   npm run cost -- --events-per-second 200
 *   npm run cost -- --events-per-second 200 --stream-mode provisioned --redshift-hours 6
 * The model and its assumptions: tools/cost/model.ts and docs/deploy.md.
 */
import { parseArgs } from 'node:util';
import {
  estimateCost,
  PROD_WORKLOAD,
  type CostEstimate,
  type Workload,
} from '../tools/cost/model.ts';

const HELP = `npm run cost -- --events-per-second N [options]

  --events-per-second N   steady event rate (required)
  --event-size BYTES      one event as stored on the stream (default ${PROD_WORKLOAD.eventBytes})
  --events-per-request N  events per API request, as SDKs batch them (default ${PROD_WORKLOAD.eventsPerRequest})
  --stream-mode MODE      on-demand (prod's default) or provisioned
  --shards N              provisioned shards (default: the fewest that take the rate)
  --retention-hours H     stream retention, 24-8760 (default ${PROD_WORKLOAD.retentionHours})
  --redshift-hours H      hours a day Redshift Serverless is billed (default: derived from the loads)
  --redshift-rpu N        Redshift Serverless base capacity (default ${PROD_WORKLOAD.redshiftRpu})
  --kpl                   KPL aggregation at ingest (INGEST_KPL_AGGREGATION), records of 51,200 bytes
  --kpl-max-bytes BYTES   KPL aggregation with records of at most BYTES (1,024-1,048,576)
  --json                  the estimate as JSON
`;

function fail(message: string): never {
  process.stderr.write(`${message}\n\n${HELP}`);
  process.exit(2);
}

function number(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) fail(`--${name} must be a number (got ${value})`);
  return n;
}

function workloadFromArgs(argv: string[]): { workload: Workload; json: boolean } {
  const { values } = parseArgs({
    args: argv,
    options: {
      'events-per-second': { type: 'string' },
      'event-size': { type: 'string' },
      'events-per-request': { type: 'string' },
      'stream-mode': { type: 'string' },
      shards: { type: 'string' },
      'retention-hours': { type: 'string' },
      'redshift-hours': { type: 'string' },
      'redshift-rpu': { type: 'string' },
      kpl: { type: 'boolean', default: false },
      'kpl-max-bytes': { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    process.exit(0);
  }
  const eventsPerSecond = number(values['events-per-second'], 'events-per-second');
  if (eventsPerSecond === undefined) fail('--events-per-second is required');
  const mode = values['stream-mode'] ?? 'on-demand';
  if (mode !== 'on-demand' && mode !== 'provisioned')
    fail(`--stream-mode is on-demand or provisioned (got ${mode})`);
  const optional = <K extends keyof Workload>(key: K, value: Workload[K] | undefined) =>
    value === undefined ? {} : { [key]: value };
  return {
    json: values.json,
    workload: {
      ...PROD_WORKLOAD,
      eventsPerSecond,
      streamMode: mode === 'provisioned' ? 'PROVISIONED' : 'ON_DEMAND',
      ...optional('eventBytes', number(values['event-size'], 'event-size')),
      ...optional('eventsPerRequest', number(values['events-per-request'], 'events-per-request')),
      ...optional('shards', number(values.shards, 'shards')),
      ...optional('retentionHours', number(values['retention-hours'], 'retention-hours')),
      ...optional('redshiftHoursPerDay', number(values['redshift-hours'], 'redshift-hours')),
      ...optional('redshiftRpu', number(values['redshift-rpu'], 'redshift-rpu')),
      ...optional(
        'kplMaxRecordBytes',
        number(values['kpl-max-bytes'], 'kpl-max-bytes') ?? (values.kpl ? 51_200 : undefined),
      ),
    },
  };
}

const money = (n: number) =>
  n >= 100 ? `$${n.toFixed(0)}` : n >= 1 ? `$${n.toFixed(2)}` : `$${n.toFixed(4)}`;

/** With KPL on, what the same traffic costs on the stream without it. */
function kplSaving(estimate: CostEstimate): string | undefined {
  const { kplMaxRecordBytes: _kpl, ...plain } = estimate.workload;
  if (_kpl === undefined) return undefined;
  const kinesis = (e: CostEstimate) =>
    e.lines.filter((l) => l.service === 'Kinesis').reduce((sum, l) => sum + l.monthlyUsd, 0);
  const without = estimateCost(plain);
  const saved = kinesis(without) - kinesis(estimate);
  return `KPL aggregation: Kinesis ${money(kinesis(estimate))}/month instead of ${money(kinesis(without))} (saves ${money(saved)}), ${estimate.shards} shards instead of ${without.shards}`;
}

function table(estimate: CostEstimate): string {
  const saving = kplSaving(estimate);
  const millions = estimate.eventsPerMonth / 1e6;
  const perMillion = (n: number) => (millions === 0 ? '-' : money(n / millions));
  const rows = estimate.lines.map((l) => [
    l.service,
    l.item,
    money(l.monthlyUsd),
    perMillion(l.monthlyUsd),
    l.basis,
  ]);
  const head = ['service', 'item', 'per month', 'per M events', 'how'];
  const total = [
    'TOTAL',
    '',
    money(estimate.totalMonthlyUsd),
    perMillion(estimate.totalMonthlyUsd),
    '',
  ];
  const all = [head, ...rows, total];
  const widths = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((cell, i) =>
        i === 2 || i === 3 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  const rule = widths.map((n) => '-'.repeat(n)).join('  ');
  const w = estimate.workload;
  return [
    `${w.eventsPerSecond.toLocaleString('en-US')} events/s of ${w.eventBytes} bytes = ${millions.toLocaleString('en-US', { maximumFractionDigits: 1 })} M events/month (730 h)`,
    `stream ${w.streamMode} (${estimate.shards} shards), retention ${w.retentionHours} h; Redshift ${w.redshiftRpu} RPU billed ${estimate.redshiftHoursPerDay.toFixed(1)} h/day`,
    ...(saving ? [saving] : []),
    "us-east-1 list prices, no free tier: check each service's pricing page.",
    '',
    line(head),
    rule,
    ...rows.map(line),
    rule,
    line(total),
    '',
  ].join('\n');
}

const { workload, json } = workloadFromArgs(process.argv.slice(2));
try {
  const estimate = estimateCost(workload);
  process.stdout.write(json ? `${JSON.stringify(estimate, null, 2)}\n` : table(estimate));
} catch (error: unknown) {
  if (error instanceof RangeError) fail(error.message);
  throw error;
}
