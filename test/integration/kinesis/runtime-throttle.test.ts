import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyFaultSwitches } from '../../../offline/faults/apply-fault-switches.ts';
import {
  watchFaultSwitches,
  writeFaultSwitches,
  type FaultSwitchReader,
} from '../../../offline/faults/fault-switches.ts';
import type { KinesisEmulator } from '../../../offline/kinesis-emulator.ts';
import { startFaultProxy, type FaultProxy } from '../../../offline/kinesis-fault-proxy.ts';
import { awsClientConfig } from '../../../shared/runtime/aws-client-config.ts';
import { readStreamRecords } from '../../../tools/reconcile/read-stream-records.ts';
import { startStream } from '../../support/kinesis.ts';

/**
 * The fault proxy sits in front of the emulator for the stack's whole life, so faults.json
 * can start and stop throttling at run time, with no restart: while it is on, a share of
 * PutRecords entries is refused and not written; once it is off, everything passes again, and
 * the change is logged with what the fault did.
 */
let emulator: KinesisEmulator;
let proxy: FaultProxy;
let streamName: string;
let client: KinesisClient;
let stateDir: string;
let reader: FaultSwitchReader;
const logged: string[] = [];

beforeAll(async () => {
  ({ emulator, streamName } = await startStream(2));
  proxy = await startFaultProxy({ target: emulator.endpoint, port: 0, throttleRate: 0 });
  client = new KinesisClient(awsClientConfig({ region: 'us-east-1', endpoint: proxy.endpoint }));
  stateDir = await mkdtemp(join(tmpdir(), 'runtime-throttle-'));
  reader = watchFaultSwitches(stateDir, (m) => logged.push(m), 50);
  applyFaultSwitches(reader, {
    kinesis: proxy,
    baseThrottleRate: 0,
    log: { warn: (m) => logged.push(m) },
  });
});
afterAll(async () => {
  reader.close();
  client.destroy();
  await proxy.close();
  await emulator.close();
  await rm(stateDir, { recursive: true, force: true });
});

const put = async (n: number, tag: string) => {
  const answer = await client.send(
    new PutRecordsCommand({
      StreamName: streamName,
      Records: Array.from({ length: n }, (_, i) => ({
        PartitionKey: `${tag}-${i}`,
        Data: Buffer.from(`${tag}-${i}`),
      })),
    }),
  );
  return answer.FailedRecordCount ?? 0;
};
const until = async (done: () => boolean) => {
  for (let i = 0; i < 100 && !done(); i += 1) await new Promise((r) => setTimeout(r, 50));
};

test('faults.json switches PutRecords throttling on and off while the proxy runs; refused entries are not written', async () => {
  expect(await put(200, 'before')).toBe(0);

  writeFaultSwitches(stateDir, { kinesisThrottleRate: 0.5, reason: 'test' });
  await until(() => logged.some((m) => /Kinesis throttle 0.5/.test(m)));
  const refused = await put(200, 'during');
  expect(refused).toBeGreaterThan(50);
  expect(refused).toBeLessThan(150);

  writeFaultSwitches(stateDir, {});
  await until(() => logged.some((m) => /throttle 0.5 off/.test(m)));
  expect(await put(200, 'after')).toBe(0);
  expect(logged.find((m) => /off:/.test(m))).toMatch(
    new RegExp(`off: ${refused} PutRecords entries refused`),
  );

  const written = (await readStreamRecords(client, streamName)).map((r) =>
    Buffer.from(r.data).toString('utf8'),
  );
  expect(written.filter((d) => d.startsWith('during-'))).toHaveLength(200 - refused);
  expect(written).toHaveLength(600 - refused);
});
