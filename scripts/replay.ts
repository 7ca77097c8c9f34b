/**
 * Re-drives what failed back through the pipeline, idempotently (tools/replay/README.md):
 *   npm run replay -- [--dry-run] [--what objects|dead-letters|notifications|all]
 * objects        Firehose's processing-failed/ output, through the transform, to events/replay/
 * dead-letters   the dead-letter queue: the aggregate's on-failure records, read back from
 *                Kinesis, to the aggregate; the load's async invocation records (S3 events it
 *                gave up on), their event to the load again
 * notifications  S3 events of a function without an on-failure destination, from the local
 *                stand-in's folder (and files saved by earlier versions)
 * Endpoints default to `npm start`'s stand-ins; set them to '' for AWS. Exits 1 when something
 * still fails, so a scheduler or CI sees it.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { lambdaApiInvoker } from '../offline/lambda-invoker.ts';
import { awsClientConfig } from '../shared/runtime/aws-client-config.ts';
import { createS3Client } from '../shared/adapters/s3/s3-client.ts';
import { parseEnv } from '../shared/config/parse-env.ts';
import { kinesisRangeReader } from '../tools/replay/kinesis-range-reader.ts';
import { notificationFiles } from '../tools/replay/notification-files.ts';
import { replayDeadLetters } from '../tools/replay/replay-dead-letters.ts';
import { replayNotifications } from '../tools/replay/replay-notifications.ts';
import { replayFailedObjects } from '../tools/replay/replay-objects.ts';
import { REPLAY_AREAS, type ReplayArea } from '../tools/replay/replay-report.ts';
import { anyFailing, runReplay, summary, type ReplayTask } from '../tools/replay/run-replay.ts';
import { s3ObjectStore } from '../tools/replay/s3-object-store.ts';
import { sqsDeadLetterQueue } from '../tools/replay/sqs-dead-letter-queue.ts';

const local = (portVariable: string, port: number) =>
  z
    .union([z.literal(''), z.url({ protocol: /^https?$/ })])
    .default(`http://127.0.0.1:${process.env[portVariable] ?? port}`)
    .transform((value) => (value ? value : undefined));

const configSchema = z.object({
  AWS_REGION: z.string().min(1).default('us-east-1'),
  S3_ENDPOINT: local('OFFLINE_S3_PORT', 4569),
  SQS_ENDPOINT: local('OFFLINE_SQS_PORT', 4576),
  KINESIS_ENDPOINT: local('OFFLINE_KINESIS_PORT', 4567),
  LAMBDA_ENDPOINT: local('OFFLINE_LAMBDA_PORT', 3002),
  REPLAY_BUCKET: z.string().min(1).default('clickstream-local-analytics'),
  /** A queue name, or its URL. */
  REPLAY_QUEUE: z.string().min(1).default('clickstream-local-dead-letters'),
  REPLAY_TRANSFORM_FUNCTION: z.string().min(1).default('clickstream-local-transform'),
  REPLAY_DELIVERY_STREAM_ARN: z
    .string()
    .default('arn:aws:firehose:us-east-1:000000000000:deliverystream/clickstream-local-events'),
  /** The aggregate mapping's TumblingWindowInSeconds (the local stage's is 10). */
  REPLAY_WINDOW_SECONDS: z.coerce.number().int().min(1).max(900).default(10),
  REPLAY_NOTIFICATIONS_DIR: z
    .string()
    .default(join(process.env.OFFLINE_STATE_DIR ?? '.local', 's3', '.failed-notifications')),
});

function options(): { dryRun: boolean; areas: ReplayArea[] } {
  const { values } = parseArgs({
    options: {
      'dry-run': { type: 'boolean', default: false },
      what: { type: 'string', default: 'all' },
    },
    strict: true,
  });
  const what = values.what;
  if (what !== 'all' && !REPLAY_AREAS.includes(what as ReplayArea))
    throw new Error(`--what must be one of ${[...REPLAY_AREAS, 'all'].join(', ')} (got ${what})`);
  return {
    dryRun: values['dry-run'],
    areas: what === 'all' ? [...REPLAY_AREAS] : [what as ReplayArea],
  };
}

async function main(): Promise<number> {
  const { dryRun, areas } = options();
  const config = parseEnv(configSchema);
  const client = (endpoint: string | undefined) =>
    awsClientConfig({ region: config.AWS_REGION, endpoint });
  const s3 = createS3Client({ region: config.AWS_REGION, endpoint: config.S3_ENDPOINT });
  const sqs = new SQSClient(client(config.SQS_ENDPOINT));
  const kinesis = new KinesisClient(client(config.KINESIS_ENDPOINT));
  // The load function may take its whole 300 s timeout on a large object.
  const lambda = new LambdaClient({
    ...client(config.LAMBDA_ENDPOINT),
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2_000, requestTimeout: 310_000 }),
  });
  const invoker = lambdaApiInvoker(lambda);
  const tasks: Record<ReplayArea, ReplayTask> = {
    objects: [
      'objects',
      () =>
        replayFailedObjects({
          store: s3ObjectStore(s3, config.REPLAY_BUCKET),
          invoker,
          transformFunction: config.REPLAY_TRANSFORM_FUNCTION,
          deliveryStreamArn: config.REPLAY_DELIVERY_STREAM_ARN,
          region: config.AWS_REGION,
          dryRun,
        }),
    ],
    'dead-letters': [
      'dead-letters',
      async () => {
        const queueUrl = config.REPLAY_QUEUE.startsWith('http')
          ? config.REPLAY_QUEUE
          : (await sqs.send(new GetQueueUrlCommand({ QueueName: config.REPLAY_QUEUE }))).QueueUrl;
        if (!queueUrl) throw new Error(`no URL for queue ${config.REPLAY_QUEUE}`);
        return replayDeadLetters({
          queue: sqsDeadLetterQueue(sqs, queueUrl),
          shards: kinesisRangeReader(kinesis),
          invoker,
          windowSeconds: config.REPLAY_WINDOW_SECONDS,
          dryRun,
        });
      },
    ],
    notifications: [
      'notifications',
      () =>
        replayNotifications({
          saved: notificationFiles(config.REPLAY_NOTIFICATIONS_DIR),
          invoker,
          dryRun,
        }),
    ],
  };
  try {
    const reports = await runReplay(
      areas.map((area) => tasks[area]),
      dryRun,
    );
    process.stdout.write(`${summary(reports)}\n`);
    return anyFailing(reports) ? 1 : 0;
  } finally {
    for (const c of [s3, sqs, kinesis, lambda]) c.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`replay: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(2);
  },
);
