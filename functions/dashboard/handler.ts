import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { chartJsSource } from '#shared/dashboard/chart-js';
import { loadDashboardConfig } from '#shared/config/dashboard-config';
import { buildDashboardPage } from '#shared/dashboard/page';
import { ReadKeys } from '#shared/dashboard/read-keys';
import { SqlDashboardReader } from '#shared/dashboard/reader';
import {
  handleDashboardRequest,
  type DashboardDeps,
} from '#shared/dashboard/handle-dashboard-request';
import { lowerCaseHeaders } from '#shared/runtime/http-headers';
import { httpErrorHandler } from '#shared/runtime/http-error-handler';
import type { HttpResponse } from '#shared/runtime/http-responses';
import { logger } from '#shared/runtime/logger';
import { createPgPool } from '#shared/adapters/postgres/pg-pool';
import { poolExecutor } from '#shared/adapters/postgres/pg-executor';
import { RedshiftDataApiClient } from '#shared/adapters/redshift-data-api/redshift-data-api';
import {
  createRedshiftDataClient,
  redshiftDataApi,
} from '#shared/adapters/redshift-data-api/redshift-data-client';
import type { SqlExecutor } from '#shared/adapters/postgres/sql-executor';

/** Dashboard: GET /dashboard (the live page) and GET /dashboard/data (its figures). */
export function makeHandler(deps: DashboardDeps) {
  return middy<APIGatewayProxyEventV2, HttpResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpErrorHandler(logger))
    .handler((event) => {
      return handleDashboardRequest(
        {
          path: event.rawPath,
          headers: lowerCaseHeaders(event.headers),
          query: event.queryStringParameters ?? {},
        },
        deps,
      );
    });
}

const config = loadDashboardConfig();

function warehouseExecutor(): SqlExecutor {
  const warehouse = config.warehouse;
  if (warehouse.dialect === 'redshift') {
    const client = createRedshiftDataClient(warehouse);
    // Each read its own statement (no session to expire); a page refresh waits at most
    // redshiftRead.timeoutMs.
    return new RedshiftDataApiClient(
      redshiftDataApi(client),
      warehouse.target,
      config.redshiftRead,
    ).statements();
  }
  const pool = createPgPool(warehouse.url, config.pool, (error) =>
    logger.warn('idle warehouse connection closed', { error }),
  );
  return poolExecutor(pool);
}

export const handler = makeHandler({
  reader: new SqlDashboardReader(warehouseExecutor()),
  readKeys: new ReadKeys(config.readKeys),
  page: buildDashboardPage({ chartJs: chartJsSource(), refreshSeconds: config.refreshSeconds }),
  onWarehouseError: (error) => logger.error('warehouse read failed', { error: error as Error }),
});
