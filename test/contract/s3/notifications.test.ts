import { CopyObjectCommand, CreateBucketCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { inProcessInvoker } from '../../../offline/lambda-invoker.ts';
import type { ObjectCreatedSubscription } from '../../../offline/s3/s3-server.ts';
import { startS3, type S3Fixture } from './support.ts';

interface S3EventRecord {
  eventName: string;
  s3: { object: { key: string; size: number; eTag: string }; bucket: { name: string } };
}

async function withStandIn(
  notifications: ObjectCreatedSubscription[],
  functions: Record<string, (event: unknown) => unknown>,
  run: (s3: S3Fixture) => Promise<void>,
) {
  const s3 = await startS3({ notifications, invoker: inProcessInvoker(functions) });
  try {
    await s3.client.send(new CreateBucketCommand({ Bucket: 'events' }));
    await run(s3);
  } finally {
    await s3.stop();
  }
}

test('ObjectCreated event has the exact S3 shape, with the key URL-encoded (spaces as +)', async () => {
  const received: unknown[] = [];
  await withStandIn(
    [{ bucket: 'events', functionName: 'load', configurationId: 'load-on-create' }],
    { load: (event) => void received.push(event) },
    async (s3) => {
      const put = await s3.client.send(
        new PutObjectCommand({ Bucket: 'events', Key: 'in/my file (1).json', Body: '{}' }),
      );
      await s3.server.notificationsSettled();
      expect(received).toHaveLength(1);
      expect(received[0]).toEqual({
        Records: [
          {
            eventVersion: '2.1',
            eventSource: 'aws:s3',
            awsRegion: 'us-east-1',
            eventTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
            eventName: 'ObjectCreated:Put',
            userIdentity: { principalId: expect.any(String) },
            requestParameters: { sourceIPAddress: '127.0.0.1' },
            responseElements: {
              'x-amz-request-id': expect.any(String),
              'x-amz-id-2': expect.any(String),
            },
            s3: {
              s3SchemaVersion: '1.0',
              configurationId: 'load-on-create',
              bucket: {
                name: 'events',
                ownerIdentity: { principalId: expect.any(String) },
                arn: 'arn:aws:s3:::events',
              },
              object: {
                key: 'in/my+file+%281%29.json',
                size: 2,
                eTag: put.ETag?.replace(/"/g, ''),
                sequencer: expect.stringMatching(/^[0-9A-F]+$/),
              },
            },
          },
        ],
      });
    },
  );
});

test('ObjectCreated notifications honour prefix and suffix filters, and CopyObject fires ObjectCreated:Copy', async () => {
  const calls: { fn: string; key: string; eventName: string }[] = [];
  const recorder = (fn: string) => (event: unknown) => {
    for (const record of (event as { Records: S3EventRecord[] }).Records)
      calls.push({ fn, key: record.s3.object.key, eventName: record.eventName });
  };
  await withStandIn(
    [
      { bucket: 'events', prefix: 'events/', suffix: '.ndjson', functionName: 'loadEvents' },
      { bucket: 'events', prefix: 'metrics/', functionName: 'loadMetrics' },
      { bucket: 'other-bucket', functionName: 'never' },
    ],
    {
      loadEvents: recorder('loadEvents'),
      loadMetrics: recorder('loadMetrics'),
      never: recorder('never'),
    },
    async (s3) => {
      for (const Key of ['events/a.ndjson', 'events/a.gz', 'metrics/m1', 'elsewhere/x.ndjson'])
        await s3.client.send(new PutObjectCommand({ Bucket: 'events', Key, Body: 'x' }));
      await s3.client.send(
        new CopyObjectCommand({
          Bucket: 'events',
          Key: 'events/b.ndjson',
          CopySource: 'events/metrics/m1',
        }),
      );
      await s3.server.notificationsSettled();
      expect(calls.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
        { fn: 'loadEvents', key: 'events/a.ndjson', eventName: 'ObjectCreated:Put' },
        { fn: 'loadEvents', key: 'events/b.ndjson', eventName: 'ObjectCreated:Copy' },
        { fn: 'loadMetrics', key: 'metrics/m1', eventName: 'ObjectCreated:Put' },
      ]);
    },
  );
});

test('a notification whose function keeps failing is tried three times, then saved in .failed-notifications', async () => {
  let attempts = 0;
  await withStandIn(
    [{ bucket: 'events', functionName: 'broken' }],
    {
      broken: () => {
        attempts += 1;
        throw new Error('warehouse down');
      },
    },
    async (s3) => {
      await s3.client.send(new PutObjectCommand({ Bucket: 'events', Key: 'k.json', Body: '{}' }));
      await s3.server.notificationsSettled();
      expect(attempts).toBe(3);
      const dir = join(s3.stateDir, '.failed-notifications');
      const files = await readdir(dir);
      expect(files).toHaveLength(1);
      const saved = JSON.parse(await readFile(join(dir, files[0] ?? ''), 'utf8')) as {
        functionName: string;
        attempts: { errorMessage: string }[];
        event: { Records: S3EventRecord[] };
      };
      expect(saved.functionName).toBe('broken');
      expect(saved.attempts.map((a) => a.errorMessage)).toEqual([
        'warehouse down',
        'warehouse down',
        'warehouse down',
      ]);
      expect(saved.event.Records[0]?.s3.object.key).toBe('k.json');
      expect(s3.errors.join('\n')).toContain('.failed-notifications');
    },
  );
});

test('the notification is queued durably before S3 answers the PUT, and leaves the queue once delivered', async () => {
  let release: () => void = () => undefined;
  const gate = new Promise<void>((done) => (release = done));
  await withStandIn(
    [{ bucket: 'events', functionName: 'load' }],
    { load: () => gate },
    async (s3) => {
      await s3.client.send(new PutObjectCommand({ Bucket: 'events', Key: 'k.json', Body: '{}' }));
      const queue = join(s3.stateDir, '.async-invoke');
      expect(await readdir(queue)).toHaveLength(1);
      release();
      await s3.server.notificationsSettled();
      expect(await readdir(queue)).toEqual([]);
    },
  );
});

test('a function down for a while then back: the notification is delivered on a retry, nothing parked', async () => {
  let attempts = 0;
  await withStandIn(
    [{ bucket: 'events', functionName: 'load' }],
    {
      load: () => {
        attempts += 1;
        if (attempts === 1) throw new Error('warehouse down');
      },
    },
    async (s3) => {
      await s3.client.send(new PutObjectCommand({ Bucket: 'events', Key: 'k.json', Body: '{}' }));
      await s3.server.notificationsSettled();
      expect(attempts).toBe(2);
      await expect(readdir(join(s3.stateDir, '.failed-notifications'))).rejects.toThrow(/ENOENT/);
    },
  );
});
