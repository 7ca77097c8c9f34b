import type { MiddlewareObj } from '@middy/core';
import { AppError } from './errors.ts';
import type { logger as sharedLogger } from './logger.ts';
import { errorResponse, type HttpResponse } from './http-responses.ts';

/** Middy middleware: turns any error into the mapped HTTP answer and logs it once. */
export function httpErrorHandler(
  logger: typeof sharedLogger,
): MiddlewareObj<unknown, HttpResponse> {
  return {
    onError: async (request) => {
      const error = request.error;
      const response = errorResponse(error);
      if (error instanceof AppError && error.expose) {
        logger.info('request refused', { statusCode: response.statusCode, reason: error.message });
      } else {
        logger.error('request failed', { statusCode: response.statusCode, error: error as Error });
      }
      request.response = response;
    },
  };
}
