import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** The port through which a use case writes one small object. */
export type ObjectWriter = (bucket: string, key: string, body: string) => Promise<void>;

/** PutObject through the injected client; the bucket's default encryption applies. */
export function s3ObjectWriter(s3: Pick<S3Client, 'send'>): ObjectWriter {
  return async (bucket, key, body) => {
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: key,
        Body: body,
        ContentType: 'application/json',
      }),
    );
  };
}
