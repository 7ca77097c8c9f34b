import { CreateBucketCommand, NoSuchKey, PutObjectCommand } from '@aws-sdk/client-s3';
import { gzipSync } from 'node:zlib';
import { s3ObjectReader } from '../../../shared/adapters/s3/s3-object-reader.ts';
import { startS3, type S3Fixture } from '../../contract/s3/support.ts';

/** The load function's S3 port, through the unchanged SDK client, against the S3 stand-in. */
let s3: S3Fixture;
beforeAll(async () => {
  s3 = await startS3();
  await s3.client.send(new CreateBucketCommand({ Bucket: 'analytics' }));
});
afterAll(() => s3.stop());

test('GetObject through the port answers the exact bytes of the object (a gzip Firehose object)', async () => {
  const body = gzipSync('{"row_kind":"event"}\n'.repeat(1_000));
  await s3.client.send(
    new PutObjectCommand({ Bucket: 'analytics', Key: 'events/2026/12/04/part.gz', Body: body }),
  );
  const read = await s3ObjectReader(s3.client)('analytics', 'events/2026/12/04/part.gz');
  expect(Buffer.from(read).equals(body)).toBe(true);
});

test('a missing key is the SDK NoSuchKey error, never an empty object', async () => {
  await expect(s3ObjectReader(s3.client)('analytics', 'events/absent.gz')).rejects.toBeInstanceOf(
    NoSuchKey,
  );
});
