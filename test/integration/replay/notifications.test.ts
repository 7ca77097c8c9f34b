import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inProcessInvoker } from '../../../offline/lambda-invoker.ts';
import { notificationFiles } from '../../../tools/replay/notification-files.ts';
import { replayNotifications } from '../../../tools/replay/replay-notifications.ts';
import { startBucket, type Bucket } from './support.ts';

/**
 * S3 notifications the load function failed: the S3 stand-in saves them after its three
 * asynchronous attempts; the replay re-delivers each to the function it was for.
 */
let bucket: Bucket;
const delivered: unknown[] = [];

beforeAll(async () => {
  bucket = await startBucket(
    // The stack's load function fails every attempt, so the stand-in saves the notification.
    inProcessInvoker({
      load: () => {
        throw new Error('warehouse unreachable');
      },
    }),
  );
});
afterAll(() => bucket.stop());

const dir = () => join(bucket.stateDir, '.failed-notifications');
const savedFiles = async () => (await readdir(dir()).catch(() => [])).sort();
const replay = (dryRun: boolean, works: boolean) =>
  replayNotifications({
    saved: notificationFiles(dir()),
    invoker: inProcessInvoker({
      load: (event) => {
        if (!works) throw new Error('still unreachable');
        delivered.push(event);
        return { loaded: [] };
      },
    }),
    dryRun,
  });

test('a failed notification is kept by a dry run and a failing replay, then re-delivered once and removed', async () => {
  await bucket.put('events/2026/11/25/10/events-1 a', '{}\n');
  await bucket.server.notificationsSettled();
  const [file, ...others] = await savedFiles();
  expect(file).toBeDefined();
  expect(others).toEqual([]);

  const dry = await replay(true, true);
  expect(dry.items).toEqual({ found: 1, replayed: 1, skipped: 0, failing: 0 });
  expect(dry.notes.join('\n')).toContain('would invoke load for events/2026/11/25/10/events-1+a');
  expect(delivered).toEqual([]);
  expect(await savedFiles()).toEqual([file]);

  const failing = await replay(false, false);
  expect(failing.items).toEqual({ found: 1, replayed: 0, skipped: 0, failing: 1 });
  expect(failing.notes.join('\n')).toMatch(/load failed for .*still unreachable/);
  expect(await savedFiles()).toEqual([file]);

  const done = await replay(false, true);
  expect(done.items).toEqual({ found: 1, replayed: 1, skipped: 0, failing: 0 });
  expect(delivered).toHaveLength(1);
  expect(delivered[0]).toMatchObject({
    Records: [
      {
        eventName: 'ObjectCreated:Put',
        s3: { object: { key: 'events/2026/11/25/10/events-1+a' } },
      },
    ],
  });
  expect(await savedFiles()).toEqual([]);

  const again = await replay(false, true);
  expect(again.items.found).toBe(0);
  expect(delivered).toHaveLength(1);
});

test('a file that is not a saved notification is reported and left alone', async () => {
  await mkdir(dir(), { recursive: true });
  await writeFile(join(dir(), 'broken.json'), '{"attempts": []}');

  const report = await replay(false, true);

  expect(report.items).toEqual({ found: 1, replayed: 0, skipped: 0, failing: 1 });
  expect(report.notes).toEqual(['broken.json: functionName is missing']);
  expect(await savedFiles()).toEqual(['broken.json']);
});
