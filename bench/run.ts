/**
 * Runs the benchmarks: `npm run bench` runs all, `npm run bench -- ingest` one by name.
 * Figures are measured, never asserted; each is printed beside a baseline from the same run.
 */
import { cpus, totalmem } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fmtMiB, fmtMs } from './table.ts';

interface Bench {
  name: string;
  title: string;
  load: () => Promise<{ run: () => Promise<void> }>;
}

const BENCHES: readonly Bench[] = [
  {
    name: 'ingest',
    title: 'ingest handler vs JSON floor',
    load: () => import('./ingest-handler.bench.ts'),
  },
  {
    name: 'aggregate',
    title: 'aggregate use case vs decode + parse floor',
    load: () => import('./aggregate.bench.ts'),
  },
  {
    name: 'transform',
    title: 'Firehose transformation vs decode/parse/stringify/encode floor',
    load: () => import('./transform.bench.ts'),
  },
  {
    name: 'load',
    title: 'warehouse load (loadObject) vs raw COPY, PGlite and PostgreSQL',
    load: () => import('./warehouse-load.bench.ts'),
  },
  {
    name: 'load-paths',
    title: 'warehouse load: object size, wire server, COPY vs JSON staging, memory vs disk',
    load: () => import('./load-paths.bench.ts'),
  },
  {
    name: 'emulators',
    title: 'Kinesis emulators: kinesalite vs kinesis-local',
    load: () => import('./kinesis-emulators.bench.ts'),
  },
  {
    name: 'throughput',
    title: 'whole local stack: events/s with zero loss, POST-to-queryable latency, memory',
    load: () => import('./throughput.bench.ts'),
  },
  {
    name: 'workers',
    title: 'resident memory per function instance (worker thread), instance reuse',
    load: () => import('./lambda-workers.bench.ts'),
  },
  {
    name: 'stack',
    title: 'bundle sizes and npm start',
    load: () => import('./stack.bench.ts'),
  },
  {
    name: 'chaos',
    title: 'fault campaign: 100,000 events under every fault, reconciled exactly',
    load: () => import('./chaos.bench.ts'),
  },
];

function selected(args: readonly string[]): Bench[] {
  if (args.length === 0) return [...BENCHES];
  const unknown = args.filter((name) => !BENCHES.some((b) => b.name === name));
  if (unknown.length > 0) {
    const names = BENCHES.map((b) => b.name).join(', ');
    throw new Error(`unknown benchmark ${unknown.join(', ')}: choose from ${names}`);
  }
  return BENCHES.filter((b) => args.includes(b.name));
}

async function main(): Promise<void> {
  // As in offline/plugin.cjs: the deployed runtime is Node 22, so the SDK's Node 20 notice
  // would only interleave with the tables. Set before any bench loads the SDK.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const benches = selected(process.argv.slice(2));
  const cpu = cpus();
  console.log('Clickstream benchmarks');
  console.log(`  node      ${process.version} (${process.platform}/${process.arch})`);
  console.log(`  cpus      ${cpu.length} × ${cpu[0]?.model.trim() ?? 'unknown'}`);
  console.log(`  memory    ${fmtMiB(totalmem())}`);
  console.log(`  date      ${new Date().toISOString()}`);
  console.log(`  running   ${benches.map((b) => b.name).join(', ')}`);

  for (const bench of benches) {
    console.log(`\n=== ${bench.name}: ${bench.title} ===`);
    const start = performance.now();
    try {
      const module = await bench.load();
      await module.run();
      console.log(`\n(${bench.name} took ${fmtMs(performance.now() - start)})`);
    } catch (error) {
      process.exitCode = 1;
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.error(`\n${bench.name} FAILED: ${message}`);
    }
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
});
