import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The project's one logger: JSON lines with structured keys. Level from POWERTOOLS_LOG_LEVEL
 * (or LOG_LEVEL); the service name from POWERTOOLS_SERVICE_NAME, set per function.
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'clickstream',
});
