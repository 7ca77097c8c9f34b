import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';

/** The port through which a use case reads one object's bytes. */
export type ObjectReader = (bucket: string, key: string) => Promise<Uint8Array>;

/** GetObject through the injected client; an object without a body is an error, not empty. */
export function s3ObjectReader(s3: Pick<S3Client, 'send'>): ObjectReader {
  return async (bucket, key) => {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!object.Body) throw new Error(`s3://${bucket}/${key} has no body`);
    return object.Body.transformToByteArray();
  };
}
