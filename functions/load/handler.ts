import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '#shared/runtime/logger';
import type { S3Notification } from '#shared/load/s3-notification';
import { stagingLoader, type LoadResult } from '#shared/load/load-object';
import {
  handleS3Notification,
  type LoadNotificationDeps,
} from '#shared/load/handle-s3-notification';
import {
  loadLoadFunctionConfig,
  type LoadFunctionConfig,
  type PostgresWarehouseConfig,
  type WarehouseConfig,
} from '#shared/config/load-config';
import { createPgPool } from '#shared/adapters/postgres/pg-pool';
import { PostgresWarehouse } from '#shared/adapters/postgres/postgres-warehouse';
import {
  RedshiftDataApiClient,
  RedshiftObjectLoader,
} from '#shared/adapters/redshift-data-api/redshift-data-api';
import {
  createRedshiftDataClient,
  redshiftDataApi,
} from '#shared/adapters/redshift-data-api/redshift-data-client';
import { createS3Client } from '#shared/adapters/s3/s3-client';
import { s3ObjectReader } from '#shared/adapters/s3/s3-object-reader';

export type LoadDeps = Pick<LoadNotificationDeps, 'loaderFor' | 'read'>;

/**
 * Load: each object Firehose delivers goes into the warehouse exactly once (staging, upsert
 * on the row key, and the object key in `loads`, in one transaction). A failure throws, so
 * Lambda's asynchronous retries and on-failure destination keep the object key.
 */
export function makeHandler(deps: LoadDeps) {
  return middy<S3Notification, { loaded: LoadResult[] }>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler((event) =>
      handleS3Notification(event, {
        ...deps,
        onIgnored: (key) =>
          logger.warn('object ignored: not under events/, metrics/ or processing-failed/', { key }),
        onLoaded: (result) =>
          logger.info('object loaded', {
            ...result.counts,
            key: result.key,
            kind: result.kind,
            status: result.status,
          }),
      }),
    );
}

/** Postgres: the function downloads the object, validates it and stages the rows. */
function postgresDeps(warehouse: PostgresWarehouseConfig, config: LoadFunctionConfig): LoadDeps {
  const pool = createPgPool(warehouse.url, config.pool, (error) =>
    logger.warn('idle warehouse connection closed', { error }),
  );
  const s3 = createS3Client({ region: config.region, endpoint: config.s3Endpoint });
  const loader = stagingLoader(new PostgresWarehouse(pool, { staging: warehouse.staging }));
  return { loaderFor: () => loader, read: s3ObjectReader(s3) };
}

/** Redshift: COPY reads the object from S3 server-side; the function never downloads it. */
function redshiftDeps(warehouse: Extract<WarehouseConfig, { dialect: 'redshift' }>): LoadDeps {
  const dataApi = createRedshiftDataClient(warehouse);
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

const config = loadLoadFunctionConfig();
export const handler = makeHandler(
  config.warehouse.dialect === 'redshift'
    ? redshiftDeps(config.warehouse)
    : postgresDeps(config.warehouse, config),
);
