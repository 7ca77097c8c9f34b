/**
 * The throughput bench's profiling mode (`BENCH_PROFILE=1`, or `heap` for heap snapshots too):
 * the stack runs with node's `--cpu-prof` (every thread writes a profile when it ends) and
 * `thread-memory.cjs` preloaded (peak heap per thread); the bench marks the burst's window,
 * and after the stack stops this prints where the CPU and the memory went, stage by stage.
 * Profiles go to a fresh folder under the system's temporary folder, never into the tree.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { attribute, STAGES } from './cpu-attribution.ts';
import { heapByConstructor } from './heap-summary.ts';
import { fmtFixed, fmtInt, fmtMiB, fmtRate, printNotes, printTable } from '../table.ts';

const PRELOAD = resolve(__dirname, 'thread-memory.cjs');
const truncate = (text: string, max: number) =>
  text.length > max ? `${text.slice(0, max - 3)}...` : text;
const nowUs = () => Number(process.hrtime.bigint() / 1000n);

export interface StackFigures {
  /** Events the burst put through every stage. */
  events: number;
  /** Per stage, events/s measured alone by its own bench (from the caller). */
  alone: Partial<Record<(typeof STAGES)[number], string>>;
  /** Per stage, events/s inside the stack by wall clock, where measured. */
  inside: Partial<Record<(typeof STAGES)[number], number>>;
  notes?: string[];
}

interface ThreadMemory {
  pid: number;
  threadId: number;
  label: string;
  peak: { heapUsed: number; heapTotal: number; external: number; arrayBuffers: number };
}

export interface ProfileSession {
  dir: string;
  heap: boolean;
  /** Environment and node options for the stack's process (workers inherit the options). */
  env: Record<string, string>;
  nodeArgs: string[];
  markStart(): void;
  markEnd(): void;
  /** Asks every thread for one heap snapshot (BENCH_PROFILE=heap only). */
  snapshotNow(): void;
  /** After the stack stopped (its threads wrote their profiles): the breakdown. */
  report(figures: StackFigures): void;
}

export function profileSession(): ProfileSession | undefined {
  const mode = process.env.BENCH_PROFILE;
  if (mode === undefined || mode === '' || mode === '0') return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'kcs-profile-'));
  const window = { startUs: 0, endUs: 0 };
  const heap = mode === 'heap';
  return {
    dir,
    heap,
    env: { BENCH_PROFILE_DIR: dir },
    nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`, `--require=${PRELOAD}`],
    markStart: () => (window.startUs = nowUs()),
    markEnd: () => {
      window.endUs = nowUs();
      // Kept with the profiles, so attribute() can be run on them again later.
      writeFileSync(join(dir, 'window.json'), JSON.stringify(window));
    },
    snapshotNow: () => {
      if (heap) writeFileSync(join(dir, 'snapshot-now'), '');
    },
    report: (figures) => report(dir, window, figures),
  };
}

function report(dir: string, window: { startUs: number; endUs: number }, f: StackFigures): void {
  const cpu = attribute(dir, window);
  const wallMs = (window.endUs - window.startUs) / 1000;
  printTable(
    `Where the CPU went during the burst (${fmtInt(wallMs)} ms wall, ${fmtInt(cpu.totalMs)} ms CPU over ${cpu.threads.length} profiled threads; 2 cores = ${fmtInt(2 * wallMs)} ms available)`,
    [
      { header: 'stage' },
      { header: 'CPU ms' },
      { header: 'share' },
      { header: 'events per CPU-s' },
      { header: 'events/s inside (wall)' },
      { header: 'events/s alone (own bench)' },
    ],
    STAGES.filter((s) => (cpu.byStage.get(s) ?? 0) > 0 || f.inside[s] !== undefined).map((s) => {
      const ms = cpu.byStage.get(s) ?? 0;
      const inside = f.inside[s];
      return [
        s,
        fmtInt(ms),
        `${fmtFixed((100 * ms) / cpu.totalMs, 1)} %`,
        ms > 0 ? fmtRate(f.events / (ms / 1000)) : '',
        inside === undefined ? '' : fmtRate(inside),
        f.alone[s] ?? '',
      ];
    }),
  );
  const top = [...cpu.functions.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, 20);
  printTable(
    'Top self time (all threads, burst window)',
    [
      { header: 'function (file:line)' },
      { header: 'self ms' },
      { header: 'share' },
      { header: 'stage' },
    ],
    top.map(([key, { ms, stage }]) => [
      truncate(key.split('\u0000')[0] ?? key, 90),
      fmtInt(ms),
      `${fmtFixed((100 * ms) / cpu.totalMs, 1)} %`,
      stage,
    ]),
  );
  const memory = readdirSync(dir)
    .filter((file) => file.startsWith('memory-'))
    .map((file) => JSON.parse(readFileSync(join(dir, file), 'utf8')) as ThreadMemory);
  const groups = new Map<string, { threads: number; heap: number; external: number }>();
  for (const m of memory) {
    const g = groups.get(m.label) ?? { threads: 0, heap: 0, external: 0 };
    g.threads += 1;
    g.heap += m.peak.heapTotal;
    g.external += m.peak.external;
    groups.set(m.label, g);
  }
  printTable(
    'Peak memory per thread group (each thread its own peak; summed per group)',
    [
      { header: 'threads' },
      { header: 'count' },
      { header: 'V8 heap total' },
      { header: 'external (incl. WASM / buffers)' },
    ],
    [...groups.entries()]
      .sort((a, b) => b[1].heap + b[1].external - (a[1].heap + a[1].external))
      .map(([label, g]) => [label, fmtInt(g.threads), fmtMiB(g.heap), fmtMiB(g.external)]),
  );
  const snapshots = readdirSync(dir).filter((file) => file.endsWith('.heapsnapshot'));
  if (snapshots.length > 0)
    printTable(
      'Heap snapshots at the end of the burst: the largest kinds of object per thread',
      [
        { header: 'snapshot', align: 'left' },
        { header: 'largest self sizes', align: 'left' },
      ],
      snapshots.map((file) => [
        file,
        heapByConstructor(join(dir, file), 5)
          .map((h) => `${h.name} ${fmtMiB(h.bytes)}`)
          .join(', '),
      ]),
    );
  printNotes([
    ...(f.notes ?? []),
    `profiles, memory samples${readdirSync(dir).some((x) => x.endsWith('.heapsnapshot')) ? ', heap snapshots' : ''}: ${dir}`,
    "a sample counts for the stage of the nearest frame on its stack in a stage's files; a function worker counts wholly for its function",
    "events per CPU-s: the burst's events over the stage's CPU time (what it could carry with a core to itself)",
  ]);
}
