import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import pg from 'pg';
import * as z from 'zod';
import { awsClientConfig } from '#shared/aws/client-config';
import { awsEnv, optionalEndpoint, parseEnv } from '#shared/config';
import { objectsOf, type S3Notification } from '#shared/load/s3-objects';
import { logger } from '#shared/logger';
import { loadObject, type LoadResult, type StagingWarehouse } from '#shared/warehouse/load-object';
import { PostgresWarehouse } from '#shared/warehouse/postgres-warehouse';

export interface LoadDeps {
  warehouse: StagingWarehouse;
  /** The object's bytes; read only when the object is not loaded yet. */
  read(bucket: string, key: string): Promise<Uint8Array>;
}

/**
 * Load: each object Firehose delivers goes into the warehouse exactly once (staging, upsert
 * on the row key, and the object key in `loads`, in one transaction). A failure throws, so
 * Lambda's asynchronous retries and on-failure destination keep the object key.
 */
export function makeHandler(deps: LoadDeps) {
  return middy<S3Notification, { loaded: LoadResult[] }>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      const { objects, ignored } = objectsOf(event);
      for (const key of ignored)
        logger.warn('object ignored: not under events/, metrics/ or processing-failed/', { key });
      const loaded: LoadResult[] = [];
      for (const object of objects) {
        const result = await loadObject(deps.warehouse, {
          key: object.key,
          kind: object.kind,
          body: () => deps.read(object.bucket, object.key),
        });
        logger.info('object loaded', {
          ...result.counts,
          key: result.key,
          kind: result.kind,
          status: result.status,
        });
        loaded.push(result);
      }
      return { loaded };
    });
}

const config = parseEnv(
  z.object({
    ...awsEnv,
    WAREHOUSE_URL: z
      .string()
      .regex(/^postgres(ql)?:\/\//, { error: 'a postgres:// URL of the warehouse' }),
    /** 'insert' for servers without COPY FROM STDIN (the local PGlite); 'copy' for PostgreSQL. */
    WAREHOUSE_STAGING: z.enum(['copy', 'insert']).default('copy'),
    S3_ENDPOINT: optionalEndpoint,
  }),
);
const pool = new pg.Pool({
  connectionString: config.WAREHOUSE_URL,
  max: 2,
  idleTimeoutMillis: 10_000,
});
pool.on('error', (error) => logger.warn('idle warehouse connection closed', { error }));
const s3 = new S3Client({
  ...awsClientConfig({ region: config.AWS_REGION, endpoint: config.S3_ENDPOINT }),
  forcePathStyle: config.S3_ENDPOINT !== undefined,
});

export const handler = makeHandler({
  warehouse: new PostgresWarehouse(pool, { staging: config.WAREHOUSE_STAGING }),
  async read(bucket, key) {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if (!object.Body) throw new Error(`s3://${bucket}/${key} has no body`);
    return object.Body.transformToByteArray();
  },
});
