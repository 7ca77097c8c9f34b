import { Logger } from '@aws-lambda-powertools/logger';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { injectContextAndResetKeys } from '../../../shared/runtime/logger.ts';

/**
 * The ingest's logger middleware keeps Powertools' promises (the Lambda context on every
 * line, the keys of a request reset after it, on success and on error) and hands over to
 * Powertools' own middleware when the environment asks for sampling or event logging.
 */
const context = {
  functionName: 'clickstream-test-ingest',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:clickstream-test-ingest',
  memoryLimitInMB: '512',
  awsRequestId: 'request-1',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

function capturedLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = new Logger({ serviceName: 'test', logLevel: 'INFO' });
  jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(JSON.parse(String(chunk)) as Record<string, unknown>);
    return true;
  });
  return { logger, lines };
}

afterEach(() => jest.restoreAllMocks());

describe('injectContextAndResetKeys', () => {
  it.each([
    ['succeeds', false],
    ['fails', true],
  ])('adds the Lambda context and resets the keys after a request that %s', async (_, fail) => {
    const { logger, lines } = capturedLogger();
    const handler = middy()
      .use(injectContextAndResetKeys(logger, {}))
      .handler(async () => {
        logger.appendKeys({ during: 'request' });
        logger.info('inside');
        if (fail) throw new Error('boom');
        return 'ok';
      });
    if (fail) await expect(handler({}, context)).rejects.toThrow('boom');
    else await expect(handler({}, context)).resolves.toBe('ok');
    logger.info('after');
    expect(lines[0]).toMatchObject({
      message: 'inside',
      during: 'request',
      function_request_id: 'request-1',
      function_name: 'clickstream-test-ingest',
    });
    expect(lines[1]).toMatchObject({ message: 'after', function_request_id: 'request-1' });
    expect(lines[1]).not.toHaveProperty('during');
  });

  it('is Powertools’ middleware when event logging is asked for: the event is logged', async () => {
    process.env.POWERTOOLS_LOGGER_LOG_EVENT = 'true';
    try {
      const { logger, lines } = capturedLogger();
      const handler = middy()
        .use(injectContextAndResetKeys(logger))
        .handler(async () => 'ok');
      await handler({ some: 'event' }, context);
      expect(lines).toEqual([
        expect.objectContaining({
          message: 'Lambda invocation event',
          event: { some: 'event' },
          function_request_id: 'request-1',
        }),
      ]);
    } finally {
      delete process.env.POWERTOOLS_LOGGER_LOG_EVENT;
    }
  });
});
