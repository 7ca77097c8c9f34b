import { FirehoseClient } from '@aws-sdk/client-firehose';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import {
  aggregateWindow,
  type AggregateDeps,
  type TumblingWindowInput,
  type TumblingWindowOutput,
} from '#shared/analytics/aggregate-window';
import { awsClientConfig } from '#shared/runtime/aws-client-config';
import { awsEnv, optionalEndpoint, parseEnv } from '#shared/config/parse-env';
import { firehoseWriter } from '#shared/adapters/firehose/firehose-writer';
import { logger } from '#shared/runtime/logger';

/** Aggregate: real-time e-commerce metrics per tumbling window, per shard, to Firehose. */
export function makeHandler(deps: AggregateDeps) {
  return middy<TumblingWindowInput, TumblingWindowOutput>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler((event) => aggregateWindow(event, deps));
}

const config = parseEnv(
  z.object({
    ...awsEnv,
    METRICS_DELIVERY_STREAM: z
      .string()
      .min(1, { error: 'the Firehose delivery stream for metrics' }),
    FIREHOSE_ENDPOINT: optionalEndpoint,
    METRICS_RETRY_BUDGET_MS: z.coerce.number().int().min(0).max(60_000).default(10_000),
  }),
);
const firehose = new FirehoseClient(
  awsClientConfig({ region: config.AWS_REGION, endpoint: config.FIREHOSE_ENDPOINT }),
);

export const handler = makeHandler({
  metrics: firehoseWriter(firehose, config.METRICS_DELIVERY_STREAM),
  retry: { budgetMs: config.METRICS_RETRY_BUDGET_MS, baseDelayMs: 100, maxDelayMs: 2_000 },
  onPoison: (sequenceNumber, reason) => logger.warn('poison record', { sequenceNumber, reason }),
  onEmit: (rows) =>
    logger.info('window emitted', {
      windowStart: rows.metrics.windowStart,
      shardId: rows.metrics.shardId,
      part: rows.metrics.part,
      events: rows.metrics.events,
      products: rows.products.length,
    }),
});
