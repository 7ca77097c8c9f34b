import { PutRecordCommand } from '@aws-sdk/client-kinesis';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureStreams, startKinesisEmulator } from '../../../offline/kinesis-emulator.ts';
import { readAllRecords } from '../../support/kinesis.ts';

describe('the local Kinesis emulator persists streams under the state folder', () => {
  const root = mkdtempSync(join(tmpdir(), 'kinesis-state-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('a state folder whose parents do not exist yet is created, and records survive a restart', async () => {
    const path = join(root, 'fresh', 'state', 'kinesis');
    const spec = [{ logicalId: 'Clicks', name: 'clicks', shardCount: 1 }];

    const first = await startKinesisEmulator({ port: 0, path });
    await ensureStreams(first.client, spec);
    await first.client.send(
      new PutRecordCommand({
        StreamName: 'clicks',
        PartitionKey: 'a1',
        Data: Buffer.from('{"n":1}'),
      }),
    );
    await first.close();

    const second = await startKinesisEmulator({ port: 0, path });
    try {
      await ensureStreams(second.client, spec);
      const records = await readAllRecords(second.client, 'clicks');
      expect(records.map((r) => r.json)).toEqual([{ n: 1 }]);
    } finally {
      await second.close();
    }
  });
});
