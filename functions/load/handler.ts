import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import pg from 'pg';
import * as z from 'zod';
import { awsClientConfig } from '#shared/runtime/aws-client-config';
import { awsEnv, optionalEndpoint, parseEnv } from '#shared/config/parse-env';
import { objectsOf, type S3Notification } from '#shared/load/s3-notification';
import { logger } from '#shared/runtime/logger';
import { stagingLoader, type LoadResult, type ObjectLoader } from '#shared/load/load-object';
import { PostgresWarehouse } from '#shared/adapters/postgres/postgres-warehouse';
import {
  RedshiftDataApiClient,
  RedshiftObjectLoader,
} from '#shared/adapters/redshift-data-api/redshift-data-api';
import { redshiftDataApi } from '#shared/adapters/redshift-data-api/redshift-data-client';
import {
  loadWarehouseConfig,
  type PostgresWarehouseConfig,
  type WarehouseConfig,
} from '#shared/config/load-config';

export interface LoadDeps {
  /** The loader for objects of `bucket` (Redshift's COPY names the bucket it reads from). */
  loaderFor(bucket: string): ObjectLoader;
  /** The object's bytes; read only by a loader that stages rows itself, and only when needed. */
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
        const result = await deps.loaderFor(object.bucket).load({
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

/** Postgres: the function downloads the object, validates it and stages the rows. */
function postgresDeps(warehouse: PostgresWarehouseConfig): LoadDeps {
  const env = parseEnv(z.object({ ...awsEnv, S3_ENDPOINT: optionalEndpoint }));
  const pool = new pg.Pool({ connectionString: warehouse.url, max: 2, idleTimeoutMillis: 10_000 });
  pool.on('error', (error) => logger.warn('idle warehouse connection closed', { error }));
  const s3 = new S3Client({
    ...awsClientConfig({ region: env.AWS_REGION, endpoint: env.S3_ENDPOINT }),
    forcePathStyle: env.S3_ENDPOINT !== undefined,
  });
  const loader = stagingLoader(new PostgresWarehouse(pool, { staging: warehouse.staging }));
  return {
    loaderFor: () => loader,
    async read(bucket, key) {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      if (!object.Body) throw new Error(`s3://${bucket}/${key} has no body`);
      return object.Body.transformToByteArray();
    },
  };
}

/** Redshift: COPY reads the object from S3 server-side; the function never downloads it. */
function redshiftDeps(warehouse: Extract<WarehouseConfig, { dialect: 'redshift' }>): LoadDeps {
  // SDK retries here (unlike awsClientConfig's default): the polling client has no retry of
  // its own, and a throttled DescribeStatement should not redo a whole COPY. A resubmitted
  // batch is harmless: it LOCKs `loads` and finds the key there.
  const dataApi = new RedshiftDataClient({ ...awsClientConfig(warehouse), maxAttempts: 3 });
  const client = new RedshiftDataApiClient(redshiftDataApi(dataApi), warehouse.target, {
    timeoutMs: warehouse.waitMs,
  });
  return {
    loaderFor: (bucket) =>
      new RedshiftObjectLoader(client, {
        ...warehouse.load,
        bucket,
        // Serverless keeps no rejected lines to move to bad_events: refuse rather than lose them.
        loadErrors: warehouse.target.WorkgroupName !== undefined ? 'fail' : 'stl_load_errors',
      }),
    read: (bucket, key) =>
      Promise.reject(new Error(`s3://${bucket}/${key}: Redshift COPYs objects, none is read`)),
  };
}

const warehouse = loadWarehouseConfig();
export const handler = makeHandler(
  warehouse.dialect === 'redshift' ? redshiftDeps(warehouse) : postgresDeps(warehouse),
);
