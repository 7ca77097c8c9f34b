/**
 * A process that accepts two events into an async event queue and is then killed: the first is
 * delivered, the function hangs on the second. Run by durability.test.ts:
 * `node --import tsx queue-child-process.ts <queueDir>`; prints `accepted` once both events are queued.
 */
import { readdir } from 'node:fs/promises';
import { createAsyncInvoker } from '../../../offline/async-invoke/async-invoker.ts';
import { folderAsyncDestination } from '../../../offline/async-invoke/failure-destinations.ts';
import { inProcessInvoker } from '../../../offline/lambda-invoker.ts';

const queueDir = process.argv[2] ?? '';
const asyncInvoker = createAsyncInvoker({
  invoker: inProcessInvoker({
    load: (event) =>
      (event as { id: string }).id === 'delivered'
        ? { loaded: true }
        : new Promise<never>(() => undefined),
  }),
  queueDir,
  unconfiguredFailures: folderAsyncDestination(`${queueDir}-failed`),
  region: 'us-east-1',
  log: { info: () => undefined, error: (message) => process.stderr.write(`${message}\n`) },
});
async function main(): Promise<void> {
  await asyncInvoker.start();
  await asyncInvoker.invoke('load', { id: 'delivered' });
  // Let the first event be delivered (and removed from the queue) before the second is queued.
  while ((await readdir(queueDir)).length > 0)
    await new Promise((resolve) => setTimeout(resolve, 10));
  await asyncInvoker.invoke('load', { id: 'pending' });
  process.stdout.write('accepted\n');
  setInterval(() => undefined, 1_000);
}

void main();
