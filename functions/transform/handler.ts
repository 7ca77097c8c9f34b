import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import { logger } from '#shared/runtime/logger';
import type {
  FirehoseTransformationEvent,
  FirehoseTransformationResponse,
} from '#shared/transform/firehose-transformation';
import {
  FAILURES_LOGGED_PER_INVOCATION,
  transformRecords,
  type TransformOutput,
} from '#shared/transform/transform-records';

export interface TransformDeps {
  /** Told of every invocation's figures and failures, for logs and metrics. */
  report?: (output: TransformOutput) => void;
}

/**
 * Transform: the Firehose data-transformation Lambda. Every recordId is answered once:
 * Ok (a warehouse row per event), Dropped (bots, test traffic) or ProcessingFailed (Firehose
 * writes those under the error output prefix). A malformed invocation throws, so Firehose
 * retries it and then sends it to processing-failed/.
 */
export function makeHandler(deps: TransformDeps = {}) {
  return middy<FirehoseTransformationEvent, FirehoseTransformationResponse>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler(async (event) => {
      const output = transformRecords(event);
      deps.report?.(output);
      return output.response;
    });
}

function report(output: TransformOutput): void {
  logger.info('transformed', { ...output.metrics });
  for (const failure of output.failures.slice(0, FAILURES_LOGGED_PER_INVOCATION))
    logger.warn('record failed', { ...failure });
}

export const handler = makeHandler({ report });
