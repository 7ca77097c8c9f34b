import { PutRecordBatchCommand, PutRecordCommand } from '@aws-sdk/client-firehose';
import { gunzipSync } from 'node:zlib';
import { CreateBucketCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { BUCKET, encode, lines, objects, startStack, stream, waitFor } from './support.ts';
import { validateDeliveryStreams } from '../../../offline/firehose/delivery-stream-config.ts';

const KIB = 1024;

test('flushes on size: a full S3 buffer becomes an object at once, long before the interval', async () => {
  const stack = await startStack({
    deliveryStreams: [stream({ bufferingHints: { sizeInMBs: 1, intervalInSeconds: 900 } })],
  });
  try {
    const record = (n: number) => ({
      Data: encode(`${JSON.stringify({ n, pad: 'x'.repeat(110 * KIB) })}\n`),
    });
    // 8 records of ~110 KiB stay under 1 MiB: nothing is written.
    await stack.client.send(
      new PutRecordBatchCommand({
        DeliveryStreamName: 'events',
        Records: Array.from({ length: 8 }, (_, n) => record(n)),
      }),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await objects(stack.s3)).toHaveLength(0);
    // Two more cross 1 MiB: an object of the 9 that fit is cut at once, without waiting 900 s.
    await stack.client.send(
      new PutRecordBatchCommand({ DeliveryStreamName: 'events', Records: [record(8), record(9)] }),
    );
    const written = await waitFor(async () => {
      const found = await objects(stack.s3);
      return found.length > 0 ? found : undefined;
    }, 3_000);
    expect(written).toHaveLength(1);
    const first = written[0]?.body ?? '';
    expect(Buffer.byteLength(first)).toBeLessThanOrEqual(1024 * KIB);
    expect(lines(first).map((l) => (JSON.parse(l) as { n: number }).n)).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7, 8,
    ]);
  } finally {
    await stack.stop();
  }
});

test('flushes on interval: a buffer below the size limit is written once its interval has passed', async () => {
  const stack = await startStack({
    deliveryStreams: [stream({ bufferingHints: { sizeInMBs: 128, intervalInSeconds: 1 } })],
  });
  try {
    const sentAt = Date.now();
    await stack.client.send(
      new PutRecordCommand({ DeliveryStreamName: 'events', Record: { Data: encode('small\n') } }),
    );
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await objects(stack.s3)).toHaveLength(0);
    const written = await waitFor(async () => {
      const found = await objects(stack.s3);
      return found.length > 0 ? found : undefined;
    }, 3_000);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(1_000);
    expect(written.map((o) => o.body)).toEqual(['small\n']);
  } finally {
    await stack.stop();
  }
});

test('intervalOverrideSeconds replaces a 900 s interval for fast local feedback', async () => {
  const stack = await startStack({ intervalOverrideSeconds: 0.2 });
  try {
    await stack.client.send(
      new PutRecordCommand({ DeliveryStreamName: 'events', Record: { Data: encode('quick\n') } }),
    );
    const written = await waitFor(async () => {
      const found = await objects(stack.s3);
      return found.length > 0 ? found : undefined;
    }, 2_000);
    expect(written.map((o) => o.body)).toEqual(['quick\n']);
  } finally {
    await stack.stop();
  }
});

test('S3 object naming: <YYYY/MM/dd/HH/ UTC prefix><stream>-<version>-<yyyy-MM-dd-HH-mm-ss>-<uuid>, from the oldest record', async () => {
  // 23:59:58 on 31 Dec 2026 UTC: a local time zone would show another hour, day or year.
  const clock = () => Date.UTC(2026, 11, 31, 23, 59, 58);
  const stack = await startStack({
    clock,
    deliveryStreams: [
      stream(),
      stream({
        name: 'custom',
        prefix: 'raw/year=!{timestamp:yyyy}/month=!{timestamp:MM}/',
        compression: 'GZIP',
      }),
    ],
  });
  try {
    for (const name of ['events', 'custom'])
      await stack.client.send(
        new PutRecordCommand({ DeliveryStreamName: name, Record: { Data: encode('a\n') } }),
      );
    await stack.firehose.flush();
    const keys = (await objects(stack.s3)).map((o) => o.key).sort();
    const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
    expect(keys).toHaveLength(2);
    expect(keys[0]).toMatch(new RegExp(`^2026/12/31/23/events-1-2026-12-31-23-59-58-${uuid}$`));
    expect(keys[1]).toMatch(
      new RegExp(`^raw/year=2026/month=12/custom-1-2026-12-31-23-59-58-${uuid}\\.gz$`),
    );
    const gz = await stack.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: keys[1] }));
    expect(gunzipSync(Buffer.from((await gz.Body?.transformToByteArray()) ?? [])).toString()).toBe(
      'a\n',
    );
  } finally {
    await stack.stop();
  }
});

// FileExtension "will override the default file extension" (Firehose API,
// ExtendedS3DestinationConfiguration): an S3 notification filtered on that suffix must fire.
test('FileExtension replaces the default extension of delivered objects, compressed or not', async () => {
  const stack = await startStack({
    deliveryStreams: [
      stream({ name: 'plain', fileExtension: '.json' }),
      stream({ name: 'zipped', compression: 'GZIP', fileExtension: '.json.gz' }),
      stream({ name: 'bare', compression: 'GZIP', fileExtension: '' }),
    ],
  });
  try {
    for (const name of ['plain', 'zipped', 'bare'])
      await stack.client.send(
        new PutRecordCommand({ DeliveryStreamName: name, Record: { Data: encode('a\n') } }),
      );
    await stack.firehose.flush();
    const keys = (await objects(stack.s3)).map((o) => o.key);
    const uuid = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
    expect(keys.find((k) => k.includes('/plain-'))).toMatch(new RegExp(`${uuid}\\.json$`));
    expect(keys.find((k) => k.includes('/zipped-'))).toMatch(new RegExp(`${uuid}\\.json\\.gz$`));
    expect(keys.find((k) => k.includes('/bare-'))).toMatch(new RegExp(`${uuid}$`));
  } finally {
    await stack.stop();
  }
});

test('a FileExtension Firehose would refuse fails at start', () => {
  for (const fileExtension of ['json', '.JSON', `.${'a'.repeat(128)}`])
    expect(() => validateDeliveryStreams([stream({ fileExtension })], false)).toThrow(
      /fileExtension must be empty or a dot/,
    );
});

test('close flushes buffered records to S3: nothing is lost on shutdown', async () => {
  const stack = await startStack({});
  await stack.client.send(
    new PutRecordCommand({ DeliveryStreamName: 'events', Record: { Data: encode('kept\n') } }),
  );
  await stack.restart();
  try {
    expect((await objects(stack.s3)).map((o) => o.body)).toEqual(['kept\n']);
  } finally {
    await stack.stop();
  }
});

test('S3 write failures are retried until the bucket accepts the object', async () => {
  const stack = await startStack({ createBucket: false });
  try {
    await stack.client.send(
      new PutRecordCommand({ DeliveryStreamName: 'events', Record: { Data: encode('late\n') } }),
    );
    const flushed = stack.firehose.flush();
    await waitFor(
      async () => (stack.errors.some((e) => e.includes('NoSuchBucket')) ? true : undefined),
      2_000,
    );
    await stack.s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await flushed;
    expect((await objects(stack.s3)).map((o) => o.body)).toEqual(['late\n']);
  } finally {
    await stack.stop();
  }
});
