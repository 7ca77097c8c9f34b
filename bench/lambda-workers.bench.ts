/**
 * What one function instance (a serverless-offline worker thread) costs in resident memory, and
 * whether idle instances are reused: `npm start`'s stack on this bench's own ports, the ingest
 * function driven through the HTTP API at 1, then 4, then 8 requests in flight, with the worker
 * ceiling (OFFLINE_LAMBDA_WORKERS) raised out of the way. After each step: the whole tree's
 * resident memory and the stack process's thread count (one thread per worker, plus Node's own).
 */
import { readdirSync } from 'node:fs';
import { startOfflineStack } from '../test/support/offline-stack.ts';
import { fmtInt, fmtMiB, printNotes, printTable } from './table.ts';
import { treeRss } from './process-tree.ts';

const PORTS = { httpPort: 3430, lambdaPort: 3432, kinesisPort: 4737, otherPortsFrom: 4738 };
const STEPS = [1, 4, 8];
const REQUESTS_PER_STEP = 200;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

const threads = (pid: number) => readdirSync(`/proc/${pid}/task`).length;

function body(step: number, request: number): string {
  const batch = Array.from({ length: 20 }, (_, i) => ({
    type: 'track',
    event: 'Product Viewed',
    anonymousId: `anon-${request % 50}`,
    messageId: `workers-${step}-${request}-${i}`,
    timestamp: new Date().toISOString(),
    properties: { product_id: `p${i}`, price: 9.5 },
  }));
  return JSON.stringify({ batch });
}

async function drive(api: string, inFlight: number, step: number): Promise<void> {
  let next = 0;
  const auth = `Basic ${Buffer.from('local-write-key:').toString('base64')}`;
  const worker = async () => {
    while (next < REQUESTS_PER_STEP) {
      const request = next++;
      const response = await fetch(`${api}/v1/batch`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: auth },
        body: body(step, request),
      });
      await response.arrayBuffer();
      if (response.status !== 200) throw new Error(`POST /v1/batch answered ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
}

export async function run(): Promise<void> {
  const stack = await startOfflineStack({ ...PORTS, env: { OFFLINE_LAMBDA_WORKERS: '16' } });
  try {
    const rows: string[][] = [];
    const idle = { rss: treeRss(stack.pid), threads: threads(stack.pid) };
    rows.push(['started, no invocation', fmtMiB(idle.rss), fmtInt(idle.threads), '', '']);
    let before = idle;
    let inFlightBefore = 0;
    for (const inFlight of STEPS) {
      await drive(stack.apiUrl, inFlight, inFlight);
      await sleep(2_000);
      const after = { rss: treeRss(stack.pid), threads: threads(stack.pid) };
      const added = inFlight - inFlightBefore;
      rows.push([
        `${inFlight} in flight (${REQUESTS_PER_STEP} requests)`,
        fmtMiB(after.rss),
        fmtInt(after.threads),
        fmtInt(after.threads - before.threads),
        fmtMiB((after.rss - before.rss) / Math.max(1, added)),
      ]);
      before = after;
      inFlightBefore = inFlight;
    }
    printTable(
      'Function instances (serverless-offline worker threads) of ingest, driven through the HTTP API',
      [
        { header: 'step' },
        { header: 'tree RSS' },
        { header: 'threads' },
        { header: 'threads added' },
        { header: 'RSS per added in flight' },
      ],
      rows,
    );
    printNotes([
      'one serverless-offline instance of a function = one worker thread; an idle one is reused, so a step adds only the instances it runs at once beyond the previous step',
      'the stack shares this machine with the bench',
    ]);
  } finally {
    await stack.stop();
  }
}
