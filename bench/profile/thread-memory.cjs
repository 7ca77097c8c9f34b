/**
 * Preloaded (NODE_OPTIONS --require) into the stack under `BENCH_PROFILE`: in every thread of
 * the process (the main one, each of serverless-offline's function workers, the warehouse's
 * PGlite worker) it samples the isolate's heap every second and keeps the peak in
 * `<BENCH_PROFILE_DIR>/memory-<pid>-<threadId>.json`. Worker heaps share the process's
 * resident set, so this is the only per-thread figure there is. When the file `snapshot-now`
 * appears in that folder, each thread writes one heap snapshot there (BENCH_PROFILE=heap).
 */
/* eslint-disable @typescript-eslint/no-require-imports */
const { existsSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const v8 = require('node:v8');
const { isMainThread, threadId, workerData } = require('node:worker_threads');

// Function workers get their function's environment, not the process's: the folder is also
// read from the node options every thread inherits.
const dir =
  process.env.BENCH_PROFILE_DIR ??
  process.execArgv.find((a) => a.startsWith('--cpu-prof-dir='))?.slice('--cpu-prof-dir='.length);

function label() {
  if (isMainThread) return 'main';
  const data = workerData && typeof workerData === 'object' ? workerData : {};
  if (typeof data.functionKey === 'string') return `function ${data.functionKey}`;
  if (typeof data.dataDir === 'string') return 'warehouse (PGlite)';
  return 'worker';
}

if (dir) {
  const name = label();
  const file = join(dir, `memory-${process.pid}-${threadId}.json`);
  const peak = { heapUsed: 0, heapTotal: 0, external: 0, arrayBuffers: 0, rss: 0 };
  let changed = false;
  let snapshotTaken = false;
  const write = () => {
    if (!changed) return;
    changed = false;
    writeFileSync(file, JSON.stringify({ pid: process.pid, threadId, label: name, peak }));
  };
  const sample = () => {
    const usage = process.memoryUsage();
    for (const key of Object.keys(peak)) {
      if (usage[key] > peak[key]) {
        peak[key] = usage[key];
        changed = true;
      }
    }
    if (!snapshotTaken && existsSync(join(dir, 'snapshot-now'))) {
      snapshotTaken = true;
      const safe = name.replace(/[^a-z0-9-]+/gi, '_');
      v8.writeHeapSnapshot(join(dir, `heap-${safe}-${process.pid}-${threadId}.heapsnapshot`));
    }
  };
  // process.memoryUsage() reads /proc for the resident set: once a second is cheap enough.
  const sampler = setInterval(sample, 1_000);
  const writer = setInterval(write, 1_000);
  sampler.unref();
  writer.unref();
  process.on('exit', () => {
    sample();
    write();
  });
}
