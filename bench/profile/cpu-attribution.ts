/**
 * Reads the `.cpuprofile` files node's `--cpu-prof` writes for each thread of the stack and
 * attributes their samples to the pipeline's stages by file path: a sample belongs to the
 * stage of the nearest frame on its stack (itself, then its callers) whose file is a stage's;
 * a function's worker thread belongs wholly to that function's stage. Only samples inside a
 * window (the burst, on the monotonic clock V8 and process.hrtime share) count.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  parent?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export const STAGES = [
  'HTTP API + ingest',
  'Kinesis emulator',
  'ESM + aggregate',
  'Firehose + transform',
  'S3 + notifications',
  'async invoke + load',
  'warehouse (PGlite)',
  'Lambda runtime (serverless-offline)',
  'SQS + SNS',
  'SDK clients (caller unknown)',
  'unattributed (event loop, I/O, GC)',
] as const;
export type Stage = (typeof STAGES)[number];

/** File-path rules, first match wins; functions' bundles are named by the function. */
const RULES: readonly [RegExp, Stage][] = [
  [/offline\/http-api\/|functions\/ingest\/|shared\/ingest\//, 'HTTP API + ingest'],
  [/kinesalite|leveldown|levelup|memdown|kinesis-emulator|kinesis-fault-proxy/, 'Kinesis emulator'],
  [/offline\/event-source-mapping\/|functions\/aggregate\/|shared\/analytics\//, 'ESM + aggregate'],
  [/offline\/firehose\/|functions\/transform\/|shared\/transform\//, 'Firehose + transform'],
  [/offline\/s3\//, 'S3 + notifications'],
  [/offline\/async-invoke\/|functions\/load\/|shared\/load\//, 'async invoke + load'],
  [/@electric-sql\/pglite|offline\/warehouse\//, 'warehouse (PGlite)'],
  [/serverless-offline\/|offline\/lambda-invoker/, 'Lambda runtime (serverless-offline)'],
  [/offline\/sqs\/|offline\/sns\//, 'SQS + SNS'],
  [/@aws-sdk\/|@smithy\//, 'SDK clients (caller unknown)'],
];
/** SDK frames only count as a stage when nothing above them names one. */
const WEAK: ReadonlySet<Stage> = new Set(['SDK clients (caller unknown)']);
const NOT_CPU = new Set(['(idle)', '(root)']);

export function stageOfUrl(url: string): Stage | undefined {
  for (const [pattern, stage] of RULES) if (pattern.test(url)) return stage;
  return undefined;
}

export interface ThreadProfile {
  file: string;
  /** The stage a whole thread belongs to (a function's worker), else per frame. */
  threadStage: Stage | undefined;
  cpuMs: number;
}
export interface Attribution {
  threads: ThreadProfile[];
  byStage: Map<Stage, number>;
  /** Self time per function (name, file:line), with the stage it was counted for. */
  functions: Map<string, { ms: number; stage: Stage }>;
  totalMs: number;
}

/** The stage of a worker thread: the function bundle or PGlite it runs, if one. */
function threadStage(profile: CpuProfile): Stage | undefined {
  for (const node of profile.nodes) {
    const url = node.callFrame.url;
    if (url.includes('offline/warehouse/pglite-server')) return 'warehouse (PGlite)';
    const fn = /\/functions\/(ingest|aggregate|transform|load)\/[^/]*\.js$/.exec(url);
    if (fn && url.includes('.build')) return stageOfUrl(`functions/${fn[1]}/`);
  }
  return undefined;
}

export function attribute(dir: string, window: { startUs: number; endUs: number }): Attribution {
  const result: Attribution = { threads: [], byStage: new Map(), functions: new Map(), totalMs: 0 };
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    for (const node of profile.nodes)
      for (const child of node.children ?? []) {
        const c = byId.get(child);
        if (c) c.parent = node.id;
      }
    const whole = threadStage(profile);
    const stageMemo = new Map<number, Stage>();
    const stageOf = (id: number): Stage => {
      const memo = stageMemo.get(id);
      if (memo) return memo;
      let weak: Stage | undefined;
      let found: Stage | undefined;
      for (let n = byId.get(id); n && !found; n = n.parent ? byId.get(n.parent) : undefined) {
        const s = stageOfUrl(n.callFrame.url);
        if (s && WEAK.has(s)) weak ??= s;
        else if (s) found = s;
      }
      const stage = whole ?? found ?? weak ?? 'unattributed (event loop, I/O, GC)';
      stageMemo.set(id, stage);
      return stage;
    };
    let t = profile.startTime;
    let cpuUs = 0;
    for (let i = 0; i < profile.samples.length; i += 1) {
      t += profile.timeDeltas[i] ?? 0;
      const duration = profile.timeDeltas[i + 1] ?? 0;
      if (t < window.startUs || t > window.endUs) continue;
      const node = byId.get(profile.samples[i] ?? -1);
      if (!node || NOT_CPU.has(node.callFrame.functionName)) continue;
      const stage = stageOf(node.id);
      cpuUs += duration;
      result.byStage.set(stage, (result.byStage.get(stage) ?? 0) + duration / 1000);
      const { functionName, url, lineNumber } = node.callFrame;
      const short = url.replace(/^.*?(node_modules\/|\/work\/[^/]+\/)/, '');
      // Per stage too: module loading, GC or a library counts for each stage that ran it.
      const key = `${functionName || '(anonymous)'} ${short}:${lineNumber + 1}\u0000${stage}`;
      const entry = result.functions.get(key) ?? { ms: 0, stage };
      entry.ms += duration / 1000;
      result.functions.set(key, entry);
    }
    result.threads.push({ file, threadStage: whole, cpuMs: cpuUs / 1000 });
    result.totalMs += cpuUs / 1000;
  }
  return result;
}
