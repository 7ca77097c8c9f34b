import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { awsClientConfig } from '../../../shared/runtime/aws-client-config.ts';
import { startS3Server, type S3Server } from '../../../offline/s3/s3-server.ts';
import { decode, scenario, type Scenario } from './harness.ts';

describe('event source mapping: S3 on-failure destination', () => {
  let world: Scenario | undefined;
  let server: S3Server | undefined;
  let s3: S3Client | undefined;
  let dir = '';
  afterEach(async () => {
    await world?.close();
    s3?.destroy();
    await server?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
    world = server = s3 = undefined;
  });

  // kinesis-on-failure-destination.html: "For Amazon S3 destinations, Lambda also sends the
  // entire invocation record along with the metadata", under
  // aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<Random UUID>; the body's
  // fields are AWS's recorded answer (localstack snapshot
  // test_kinesis_event_source_mapping_with_s3_on_failure_destination).
  test('a discarded batch is written to the S3 bucket under the documented key, with its records as payload', async () => {
    dir = await mkdtemp(join(tmpdir(), 'esm-s3-'));
    server = await startS3Server({
      port: 0,
      stateDir: dir,
      log: { info: () => {}, error: () => {} },
    });
    s3 = new S3Client({
      ...awsClientConfig({ region: 'us-east-1', endpoint: server.endpoint }),
      forcePathStyle: true,
    });
    await s3.send(new CreateBucketCommand({ Bucket: 'failures' }));
    const seen: string[] = [];
    world = await scenario({
      fn: (event) => {
        seen.push(...decode(event).map((r) => r.sequenceNumber));
        throw new Error('always');
      },
    });
    const sequence = await world.put('k', { i: 0 });
    await world.start(
      { maximumRetryAttempts: 1, onFailureBucket: 'failures' },
      { s3, uuid: 'mapping-uuid' },
    );
    const client = s3;
    let keys: string[] = [];
    for (let i = 0; i < 80 && keys.length === 0; i += 1) {
      const listed = await client.send(new ListObjectsV2Command({ Bucket: 'failures' }));
      keys = (listed.Contents ?? []).map((o) => o.Key ?? '');
      if (keys.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(keys).toHaveLength(1);
    const [key = ''] = keys;
    expect(key).toMatch(
      /^aws\/lambda\/mapping-uuid\/shardId-000000000000\/\d{4}\/\d\d\/\d\d\/\d{4}-\d\d-\d\dT\d\d\.\d\d\.\d\d-[0-9a-f-]{36}$/,
    );
    const got = await client.send(new GetObjectCommand({ Bucket: 'failures', Key: key }));
    const body = JSON.parse((await got.Body?.transformToString()) ?? '{}') as {
      requestContext: unknown;
      responseContext: unknown;
      timestamp: string;
      payload: { Records: unknown[] };
    };
    expect(Object.keys(body)).toEqual([
      'requestContext',
      'responseContext',
      'version',
      'timestamp',
      'KinesisBatchInfo',
      'payload',
    ]);
    expect(body.requestContext).toMatchObject({
      condition: 'RetryAttemptsExhausted',
      approximateInvokeCount: 2,
    });
    expect(body.responseContext).toEqual({
      statusCode: 200,
      executedVersion: '$LATEST',
      functionError: 'Unhandled',
    });
    // The date folders and time are the record's timestamp, in UTC.
    const at = body.timestamp;
    expect(key).toContain(
      `/${at.slice(0, 10).replaceAll('-', '/')}/${at.slice(0, 19).replaceAll(':', '.')}-`,
    );
    expect(body.payload.Records).toHaveLength(1);
    expect(body.payload.Records[0]).toMatchObject({
      eventSource: 'aws:kinesis',
      kinesis: { sequenceNumber: sequence, partitionKey: 'k' },
    });
    expect(seen).toEqual([sequence, sequence]);
  });
});
