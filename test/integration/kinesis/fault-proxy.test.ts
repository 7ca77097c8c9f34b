import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import type { KinesisEmulator } from '../../../offline/kinesis-emulator.ts';
import { startFaultProxy, type FaultProxy } from '../../../offline/kinesis-fault-proxy.ts';
import { awsClientConfig } from '../../../shared/runtime/aws-client-config.ts';
import { startStream } from '../../support/kinesis.ts';

let emulator: KinesisEmulator;
let proxy: FaultProxy;
let streamName: string;
let client: KinesisClient;

beforeEach(async () => {
  ({ emulator, streamName } = await startStream(4));
  proxy = await startFaultProxy({ target: emulator.endpoint, port: 0, throttleRate: 0 });
  client = new KinesisClient(awsClientConfig({ region: 'us-east-1', endpoint: proxy.endpoint }));
});
afterEach(async () => {
  client.destroy();
  await proxy.close();
  await emulator.close();
});

// PutRecords' documented example: "Rate exceeded for shard shardId-000000000001 in stream
// exampleStreamName under account 111111111111."
// (https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html)
test('a throttled PutRecords entry names the shard the record hashes to, in Kinesis words', async () => {
  const Records = Array.from({ length: 12 }, (_, i) => ({
    PartitionKey: `user-${i}`,
    Data: new TextEncoder().encode(String(i)),
  }));
  const written = await client.send(new PutRecordsCommand({ StreamName: streamName, Records }));
  const shards = (written.Records ?? []).map((r) => r.ShardId);
  expect(new Set(shards).size).toBeGreaterThan(1);

  proxy.setThrottleRate(1);
  const refused = await client.send(
    new PutRecordsCommand({
      StreamARN: `arn:aws:kinesis:us-east-1:000000000000:stream/${streamName}`,
      Records,
    }),
  );
  expect(refused.FailedRecordCount).toBe(12);
  expect(refused.Records?.map((r) => r.ErrorMessage)).toEqual(
    shards.map(
      (shard) =>
        `Rate exceeded for shard ${shard} in stream ${streamName} under account 000000000000.`,
    ),
  );
  expect(
    refused.Records?.every((r) => r.ErrorCode === 'ProvisionedThroughputExceededException'),
  ).toBe(true);
});
