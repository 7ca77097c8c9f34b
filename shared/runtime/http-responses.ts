import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { AppError } from './errors.ts';

export type HttpResponse = APIGatewayProxyStructuredResultV2 & { statusCode: number; body: string };

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): HttpResponse {
  return jsonTextResponse(statusCode, JSON.stringify(body), headers);
}

/** jsonResponse for a body serialised already (a constant answer, made once). */
export function jsonTextResponse(
  statusCode: number,
  json: string,
  headers: Record<string, string> = {},
): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
    body: json,
  };
}

/**
 * The one mapper from errors to HTTP answers: client errors (< 500) say what is wrong;
 * anything else is a generic 500 whose details go to the log, not to the caller.
 */
export function errorResponse(error: unknown): HttpResponse {
  if (error instanceof AppError && error.expose) {
    return jsonResponse(
      error.statusCode,
      { success: false, error: error.message, ...error.details },
      error.headers,
    );
  }
  if (error instanceof AppError) {
    return jsonResponse(
      error.statusCode,
      { success: false, error: 'internal error' },
      error.headers,
    );
  }
  return jsonResponse(500, { success: false, error: 'internal error' });
}
