import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '#shared/runtime/logger';
import { sendResponse, type CustomResourceRequest } from '#shared/deploy/custom-resource';
import { setUpWarehouse } from '#shared/deploy/warehouse-setup';
import {
  createRedshiftDataClient,
  redshiftDataApi,
} from '#shared/adapters/redshift-data-api/redshift-data-client';
import { createS3Client } from '#shared/adapters/s3/s3-client';
import { setupFromEnvironment, type RedshiftPorts, type SetupDeps } from './deps.ts';

export interface WarehouseSetupHandlerDeps {
  setup: SetupDeps;
  send: typeof sendResponse;
}

/**
 * Custom::WarehouseSchema's provider: migrates the warehouse on Create and Update, does
 * nothing on Delete, and always answers CloudFormation on the pre-signed URL (a failure is
 * a FAILED answer whose Reason shows in the stack events, never a thrown invocation that
 * would leave the stack waiting for an hour).
 */
export function makeHandler(deps: WarehouseSetupHandlerDeps) {
  return middy<CustomResourceRequest, void>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (request, context) => {
      // Not the ResponseURL: a pre-signed URL is a credential for as long as it lives.
      const about = {
        requestType: request.RequestType,
        logicalResourceId: request.LogicalResourceId,
        physicalResourceId: request.PhysicalResourceId,
      };
      logger.info('custom resource request', about);
      const response = await setUpWarehouse(request, {
        ...deps.setup,
        remainingMs: () => context.getRemainingTimeInMillis(),
      });
      if (response.Status === 'FAILED')
        logger.error('warehouse setup failed', { ...about, reason: response.Reason });
      else logger.info('warehouse setup done', { ...about, ...response.Data });
      await deps.send(request.ResponseURL, response);
    });
}

let ports: RedshiftPorts | undefined;
const { setup, configError } = setupFromEnvironment(process.env, (config) => {
  if (config.warehouse.dialect !== 'redshift' || !('jsonPaths' in config))
    throw new Error('no Redshift configured');
  const { warehouse } = config;
  ports ??= {
    dataApi: redshiftDataApi(createRedshiftDataClient(warehouse)),
    s3: createS3Client({ region: config.region, endpoint: config.s3Endpoint }),
  };
  return ports;
});
if (configError)
  logger.error('configuration refused: Create and Update will answer FAILED', {
    error: configError.message,
  });

export const handler = makeHandler({ setup, send: sendResponse });
