import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { MiddlewareObj } from '@middy/core';

/**
 * The project's one logger: JSON lines with structured keys. Level from POWERTOOLS_LOG_LEVEL
 * (or LOG_LEVEL); the service name from POWERTOOLS_SERVICE_NAME, set per function.
 */
export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'clickstream',
});

/**
 * Powertools' injectLambdaContext(logger, { resetKeys: true }), for a handler that takes many
 * small requests: the Lambda context on every log line, the keys appended during a request
 * reset after it. Powertools' middleware also redraws debug sampling, logs the event when
 * asked to and clears the log buffer on every invocation, reading the environment each time
 * (~6 % of a one-event ingest request). This logger configures none of them (no sample rate,
 * no event logging, no buffer), so unless the environment asks for sampling or event logging,
 * only the context and the reset are done.
 */
export function injectContextAndResetKeys(
  target: Logger = logger,
  env: NodeJS.ProcessEnv = process.env,
): MiddlewareObj {
  if (env.POWERTOOLS_LOGGER_SAMPLE_RATE || env.POWERTOOLS_LOGGER_LOG_EVENT) {
    return injectLambdaContext(target, { resetKeys: true });
  }
  return {
    before: (request) => {
      target.addContext(request.context);
    },
    after: () => {
      target.resetKeys();
    },
    onError: () => {
      target.resetKeys();
    },
  };
}
