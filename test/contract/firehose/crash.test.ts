import { FirehoseClient, PutRecordBatchCommand, PutRecordCommand } from '@aws-sdk/client-firehose';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { awsClientConfig } from '../../../shared/runtime/aws-client-config.ts';
import { BUCKET, encode, objects, startStack, waitFor, type Stack } from './support.ts';

/**
 * What the local Firehose acknowledged survives a kill -9 of its process: a Direct PUT
 * answered 200 is Firehose's to deliver ("For DirectPut Firehose streams, Firehose retains
 * the records for 24 hours", https://docs.aws.amazon.com/firehose/latest/dev/troubleshooting.html),
 * and a producer such as the aggregate function moves its own checkpoint on once answered.
 */
const FIXTURE = resolve(__dirname, 'fixtures/firehose-process.ts');

/** The stand-in in a child process on the stack's S3 and state folder; resolves with its client. */
async function firehoseProcess(
  stack: Stack,
): Promise<{ child: ChildProcess; client: FirehoseClient }> {
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    env: {
      ...process.env,
      S3_ENDPOINT: stack.s3Server.endpoint,
      STATE_DIR: join(stack.stateDir, 'firehose'),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const endpoint = await waitFor(async () => /endpoint (\S+)/.exec(output)?.[1], 20_000);
  return { child, client: new FirehoseClient(awsClientConfig({ region: 'us-east-1', endpoint })) };
}

async function kill9(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

test('a Direct PUT acknowledged before a kill -9 is delivered to S3 by the next start, once', async () => {
  const stack = await startStack({ intervalOverrideSeconds: 0.2 });
  const { child, client } = await firehoseProcess(stack);
  try {
    const answer = await client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'events',
        Records: [{ Data: encode('one\n') }, { Data: encode('two\n') }],
      }),
    );
    expect(answer.FailedPutCount).toBe(0);
    // On disk before the answer, and nothing in S3 yet (900 s buffers in the child).
    expect(readdirSync(join(stack.stateDir, 'firehose', 'accepted', 'events'))).toHaveLength(1);
    await kill9(child);
    expect(await objects(stack.s3)).toEqual([]);

    // The next start (this process's stand-in, on the same state) delivers them.
    await stack.restart({ intervalOverrideSeconds: 0.2 });
    const written = await waitFor(async () => {
      const found = await objects(stack.s3);
      return found.length > 0 ? found : undefined;
    }, 5_000);
    expect(written.map((o) => o.body)).toEqual(['one\ntwo\n']);
    await waitFor(
      async () =>
        readdirSync(join(stack.stateDir, 'firehose', 'accepted', 'events')).length === 0 ||
        undefined,
      2_000,
    );
    // And a further start has nothing left to deliver again.
    await stack.restart({ intervalOverrideSeconds: 0.2 });
    await new Promise((r) => setTimeout(r, 500));
    expect(await objects(stack.s3)).toHaveLength(1);
  } finally {
    client.destroy();
    if (child.exitCode === null && child.signalCode === null) await kill9(child);
    await stack.stop();
  }
}, 60_000);

test('records delivered before a clean close leave nothing to deliver again at the next start', async () => {
  const stack = await startStack({});
  try {
    await stack.client.send(
      new PutRecordCommand({ DeliveryStreamName: 'events', Record: { Data: encode('once\n') } }),
    );
    await stack.restart({ intervalOverrideSeconds: 0.2 });
    await new Promise((r) => setTimeout(r, 600));
    expect((await objects(stack.s3)).map((o) => o.body)).toEqual(['once\n']);
  } finally {
    await stack.stop();
  }
});

test('an object saved under undelivered/ by an earlier run goes to S3 at the next start', async () => {
  const stack = await startStack({});
  try {
    const saved = join(stack.stateDir, 'firehose', 'undelivered', BUCKET, '2026', '12');
    mkdirSync(saved, { recursive: true });
    writeFileSync(join(saved, 'events-1-2026-12-08-01-00-00-x'), 'saved\n');
    await stack.restart();
    expect(await objects(stack.s3)).toEqual([
      { key: '2026/12/events-1-2026-12-08-01-00-00-x', body: 'saved\n' },
    ]);
    expect(readdirSync(saved)).toEqual([]);
  } finally {
    await stack.stop();
  }
});
