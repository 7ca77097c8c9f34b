import { GetQueueAttributesCommand, GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { localClientConfig } from '../../offline/local-client-config.ts';
import { FAILED_NOTIFICATIONS_DIR } from '../../offline/s3/paths.ts';
import type { ChaosStack } from './fault.ts';

/** serverless.yml's custom.deadLetterQueue for the local stage. */
export const DEAD_LETTER_QUEUE = 'clickstream-local-dead-letters';

export interface Leftovers {
  /** Messages on the dead-letter queue, visible or in flight. */
  deadLetters: number;
  /** S3 events the stand-in saved after giving up on a function with no destination. */
  failedNotifications: string[];
}

/** What a run left parked: the campaign is exact only when this is empty or each is named. */
export async function leftovers(stack: ChaosStack): Promise<Leftovers> {
  const sqs = new SQSClient(localClientConfig('us-east-1', stack.sqsEndpoint));
  try {
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: DEAD_LETTER_QUEUE }));
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    const dir = join(stack.stateDir, 's3', FAILED_NOTIFICATIONS_DIR);
    return {
      deadLetters:
        Number(Attributes.ApproximateNumberOfMessages ?? 0) +
        Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
      failedNotifications: existsSync(dir) ? readdirSync(dir) : [],
    };
  } finally {
    sqs.destroy();
  }
}

/**
 * `npm run replay -- --what <area>` against the chaos stack, as a person would run it: its
 * summary and exit code (0 when nothing still fails).
 */
export function runReplay(
  stack: ChaosStack,
  area: 'dead-letters' | 'notifications' | 'objects',
  ports: { lambda: number; kinesis: number; s3: number; sqs: number },
): Promise<{ code: number; output: string }> {
  const root = resolve(__dirname, '../..');
  return new Promise((done) => {
    execFile(
      process.execPath,
      [join(root, 'node_modules/tsx/dist/cli.mjs'), 'scripts/replay.ts', '--what', area],
      {
        cwd: root,
        env: {
          ...process.env,
          OFFLINE_LAMBDA_PORT: String(ports.lambda),
          OFFLINE_KINESIS_PORT: String(ports.kinesis),
          OFFLINE_S3_PORT: String(ports.s3),
          OFFLINE_SQS_PORT: String(ports.sqs),
          OFFLINE_STATE_DIR: stack.stateDir,
        },
        timeout: 600_000,
      },
      (error, stdout, stderr) =>
        done({
          code: error ? (typeof error.code === 'number' ? error.code : 1) : 0,
          output: `${stdout}${stderr}`.trim(),
        }),
    );
  });
}

/** The ports of a chaos stack, read back from its endpoints. */
export function stackPorts(stack: ChaosStack) {
  const port = (url: string) => Number(new URL(url).port);
  return {
    lambda: port(stack.apiUrl) + 2,
    kinesis: port(stack.kinesisEndpoint),
    s3: port(stack.s3Endpoint),
    sqs: port(stack.sqsEndpoint),
  };
}
