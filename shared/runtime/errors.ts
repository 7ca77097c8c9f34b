/**
 * The one base error of the project. `statusCode` is what an HTTP caller sees; `expose`
 * says whether the message is safe to show them (client errors are, server errors are not).
 */
export class AppError extends Error {
  readonly statusCode: number;
  readonly expose: boolean;
  readonly details: Record<string, unknown> | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(
    message: string,
    options: {
      statusCode: number;
      details?: Record<string, unknown>;
      headers?: Record<string, string>;
      cause?: unknown;
    },
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.statusCode = options.statusCode;
    this.expose = options.statusCode < 500;
    this.details = options.details;
    this.headers = options.headers;
  }
}

export class BadRequestError extends AppError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(message, { statusCode: 400, details });
    this.name = 'BadRequestError';
  }
}

export class UnauthorizedError extends AppError {
  constructor(message: string) {
    super(message, { statusCode: 401, headers: { 'www-authenticate': 'Basic realm="ingest"' } });
    this.name = 'UnauthorizedError';
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(message: string) {
    super(message, { statusCode: 413 });
    this.name = 'PayloadTooLargeError';
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(message: string) {
    super(message, { statusCode: 415 });
    this.name = 'UnsupportedMediaTypeError';
  }
}

export class NotFoundError extends AppError {
  constructor(message: string) {
    super(message, { statusCode: 404 });
    this.name = 'NotFoundError';
  }
}

/** Configuration is wrong: raised at cold start, so the function fails loudly and early. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
