import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inProcessInvoker } from '../../../offline/lambda-invoker.ts';
import { asyncFixture, type AsyncFixture } from './support.ts';

/**
 * "Lambda places the event in a queue and returns a success response" (invocation-async):
 * an accepted event is never lost, whatever happens to the process after it was accepted.
 */
let fx: AsyncFixture;
beforeEach(async () => {
  fx = await asyncFixture();
});
afterEach(async () => {
  await fx.close();
});

const CONFIG = { maximumRetryAttempts: 2, maximumEventAgeSeconds: 21_600 };

test('an accepted event survives kill -9 and is delivered after the restart; an event delivered before the kill is not delivered again', async () => {
  const child = spawn(
    process.execPath,
    // In this process itself (`--import tsx`), so SIGKILL hits the process holding the queue.
    ['--import', 'tsx', join(__dirname, 'queue-child-process.ts'), fx.queueDir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  await new Promise<void>((done, fail) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('accepted')) done();
    });
    child.on('exit', (code) => fail(new Error(`child exited ${String(code)}: ${stderr}`)));
  });
  const exited = new Promise((done) => child.on('exit', done));
  child.kill('SIGKILL');
  await exited;
  expect(await fx.queued()).toHaveLength(1);

  const received: unknown[] = [];
  const restarted = fx.invokerOver(
    inProcessInvoker({ load: (event) => void received.push(event) }),
    { load: fx.toDlq(CONFIG) },
  );
  await restarted.start();
  await restarted.settled();
  expect(received).toEqual([{ id: 'pending' }]);
  expect(await fx.queued()).toEqual([]);
}, 30_000);

test('on stop, an event waiting for its retry stays queued (not parked) and the next start delivers it, its retries already spent counted', async () => {
  let calls = 0;
  const first = fx.invokerOver(
    inProcessInvoker({
      load: () => {
        calls += 1;
        throw new Error('warehouse down');
      },
    }),
    { load: fx.toDlq({ ...CONFIG, maximumRetryAttempts: 1 }) },
  );
  await first.start();
  await first.invoke('load', { id: 'e1' });
  while (calls === 0) await new Promise((done) => setTimeout(done, 5));
  await first.close();
  const [file = ''] = await fx.queued();
  const saved = JSON.parse(await readFile(join(fx.queueDir, file), 'utf8')) as {
    functionErrors: number;
    invokeCount: number;
  };
  expect(saved).toMatchObject({ functionErrors: 1, invokeCount: 1 });
  expect(await fx.parked()).toEqual([]);
  expect(await fx.deadLetters()).toEqual([]);

  // Still failing after the restart: its one retry is spent, so it is dead-lettered now.
  const second = fx.invokerOver(
    inProcessInvoker({
      load: () => {
        calls += 1;
        throw new Error('still down');
      },
    }),
    { load: fx.toDlq({ ...CONFIG, maximumRetryAttempts: 1 }) },
  );
  await second.start();
  await second.settled();
  expect(calls).toBe(2);
  const [record] = await fx.deadLetters();
  expect(record?.requestContext).toMatchObject({
    condition: 'RetriesExhausted',
    approximateInvokeCount: 2,
  });
  expect(await fx.queued()).toEqual([]);
});

test('the event is on disk when invoke resolves (S3 awaits it before answering the PUT)', async () => {
  const asyncInvoker = fx.invokerOver(inProcessInvoker({}), { load: fx.toDlq(CONFIG) });
  // Not started: nothing is delivered, so what invoke leaves is what a kill would leave.
  await asyncInvoker.invoke('load', { id: 'queued' });
  const [file = ''] = await fx.queued();
  expect(JSON.parse(await readFile(join(fx.queueDir, file), 'utf8'))).toMatchObject({
    functionName: 'load',
    event: { id: 'queued' },
    invokeCount: 0,
  });
});
