import { RedshiftDataClient } from '@aws-sdk/client-redshift-data';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import pg from 'pg';
import { awsClientConfig } from '#shared/runtime/aws-client-config';
import { chartJsSource } from '#shared/dashboard/chart-js';
import { loadDashboardConfig } from '#shared/config/dashboard-config';
import { buildDashboardPage } from '#shared/dashboard/page';
import { ReadKeys } from '#shared/dashboard/read-keys';
import { SqlDashboardReader } from '#shared/dashboard/reader';
import {
  handleDashboardRequest,
  type DashboardDeps,
} from '#shared/dashboard/handle-dashboard-request';
import { httpErrorHandler } from '#shared/runtime/http-error-handler';
import type { HttpResponse } from '#shared/runtime/http-responses';
import { logger } from '#shared/runtime/logger';
import { poolExecutor } from '#shared/adapters/postgres/pg-executor';
import { RedshiftDataApiClient } from '#shared/adapters/redshift-data-api/redshift-data-api';
import { redshiftDataApi } from '#shared/adapters/redshift-data-api/redshift-data-client';
import type { SqlExecutor } from '#shared/adapters/postgres/sql-executor';

/** Dashboard: GET /dashboard (the live page) and GET /dashboard/data (its figures). */
export function makeHandler(deps: DashboardDeps) {
  return middy<APIGatewayProxyEventV2, HttpResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(httpErrorHandler(logger))
    .handler((event) => {
      const headers: Record<string, string | undefined> = {};
      for (const [name, value] of Object.entries(event.headers ?? {}))
        headers[name.toLowerCase()] = value;
      return handleDashboardRequest(
        { path: event.rawPath, headers, query: event.queryStringParameters ?? {} },
        deps,
      );
    });
}

const config = loadDashboardConfig();

function warehouseExecutor(): SqlExecutor {
  const warehouse = config.warehouse;
  if (warehouse.dialect === 'redshift') {
    const client = new RedshiftDataClient({ ...awsClientConfig(warehouse), maxAttempts: 3 });
    // Each read its own statement (no session to expire); a page refresh waits at most 8 s.
    return new RedshiftDataApiClient(redshiftDataApi(client), warehouse.target, {
      timeoutMs: 8_000,
      maxDelayMs: 500,
    }).statements();
  }
  const pool = new pg.Pool({
    connectionString: warehouse.url,
    max: 3,
    idleTimeoutMillis: 10_000,
    connectionTimeoutMillis: 3_000,
  });
  pool.on('error', (error) => logger.warn('idle warehouse connection closed', { error }));
  return poolExecutor(pool);
}

export const handler = makeHandler({
  reader: new SqlDashboardReader(warehouseExecutor()),
  readKeys: new ReadKeys(config.readKeys),
  page: buildDashboardPage({ chartJs: chartJsSource(), refreshSeconds: config.refreshSeconds }),
  onWarehouseError: (error) => logger.error('warehouse read failed', { error: error as Error }),
});
