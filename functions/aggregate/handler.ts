import { FirehoseClient } from '@aws-sdk/client-firehose';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import {
  aggregateWindow,
  type AggregateDeps,
  type TumblingWindowInput,
  type TumblingWindowOutput,
} from '#shared/analytics/aggregate-window';
import { awsClientConfig } from '#shared/runtime/aws-client-config';
import { loadAggregateConfig } from '#shared/config/aggregate-config';
import { firehoseWriter } from '#shared/adapters/firehose/firehose-writer';
import { logger } from '#shared/runtime/logger';

/** Aggregate: real-time e-commerce metrics per tumbling window, per shard, to Firehose. */
export function makeHandler(deps: AggregateDeps) {
  return middy<TumblingWindowInput, TumblingWindowOutput>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .handler((event) => aggregateWindow(event, deps));
}

const config = loadAggregateConfig();
const firehose = new FirehoseClient(
  awsClientConfig({ region: config.AWS_REGION, endpoint: config.FIREHOSE_ENDPOINT }),
);

export const handler = makeHandler({
  metrics: firehoseWriter(firehose, config.METRICS_DELIVERY_STREAM),
  retry: {
    budgetMs: config.METRICS_RETRY_BUDGET_MS,
    baseDelayMs: config.METRICS_RETRY_BASE_DELAY_MS,
    maxDelayMs: config.METRICS_RETRY_MAX_DELAY_MS,
  },
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
