import { KinesisClient } from '@aws-sdk/client-kinesis';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { awsClientConfig } from '#shared/runtime/aws-client-config';
import { lowerCaseHeaders } from '#shared/runtime/http-headers';
import { httpErrorHandler } from '#shared/runtime/http-error-handler';
import type { HttpResponse } from '#shared/runtime/http-responses';
import { WriteKeys } from '#shared/ingest/write-keys';
import { loadIngestConfig } from '#shared/config/ingest-config';
import type { IngestResult } from '#shared/ingest/write-events';
import { handleIngestRequest, type IngestUseCaseDeps } from '#shared/ingest/handle-ingest-request';
import { kinesisStreamWriter } from '#shared/adapters/kinesis/kinesis-stream-writer';
import { injectContextAndResetKeys, logger } from '#shared/runtime/logger';

/** Ingest: the Segment-compatible HTTP API in front of the clickstream stream. */
export function makeHandler(deps: IngestUseCaseDeps) {
  return middy<APIGatewayProxyEventV2, HttpResponse>()
    .use(injectContextAndResetKeys(logger))
    .use(httpErrorHandler(logger))
    .handler((event) => {
      const headers = lowerCaseHeaders(event.headers);
      return handleIngestRequest(
        {
          path: event.rawPath,
          query: event.rawQueryString,
          headers,
          body: event.body,
          isBase64Encoded: event.isBase64Encoded,
          sourceIp: event.requestContext?.http?.sourceIp,
          receivedAtMs: Date.now(),
        },
        deps,
      );
    });
}

function logResult(result: IngestResult): void {
  logger.info('ingested', {
    received: result.received,
    accepted: result.accepted,
    rejected: result.rejected.length,
    notWritten: result.notWritten.length,
  });
}

const config = loadIngestConfig();
const kinesis = new KinesisClient(
  awsClientConfig({ region: config.AWS_REGION, endpoint: config.KINESIS_ENDPOINT }),
);

export const handler = makeHandler({
  writer: kinesisStreamWriter(kinesis, config.STREAM_NAME),
  writeKeys: new WriteKeys(config.INGEST_WRITE_KEYS),
  retry: {
    budgetMs: config.INGEST_RETRY_BUDGET_MS,
    baseDelayMs: config.INGEST_RETRY_BASE_DELAY_MS,
    maxDelayMs: config.INGEST_RETRY_MAX_DELAY_MS,
  },
  ...(config.INGEST_KPL_AGGREGATION
    ? { kplAggregation: { maxRecordBytes: config.INGEST_KPL_MAX_RECORD_BYTES } }
    : {}),
  onResult: logResult,
});
