import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PendingEvent } from './event-queue.ts';
import type { AsyncInvocationRecord } from './invocation-record.ts';

/** Where an asynchronous event Lambda gave up on goes: the function's on-failure destination. */
export interface AsyncFailureDestination {
  /** For logs: the queue URL or folder. */
  readonly describe: string;
  send(record: AsyncInvocationRecord, pending: PendingEvent): Promise<void>;
}

/** SendMessage with the invocation record as the body, as Lambda does for an SQS target. */
export function sqsAsyncDestination(
  sqs: Pick<SQSClient, 'send'>,
  queueUrl: string,
): AsyncFailureDestination {
  return {
    describe: queueUrl,
    async send(record) {
      await sqs.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(record) }),
      );
    },
  };
}

/**
 * A function with no on-failure destination: AWS drops the event; locally it is written to a
 * folder instead (`{functionName, attempts, event, record}`, which `npm run replay -- --what
 * notifications` re-drives), so nothing is lost silently (docs/offline.md, kept differences).
 */
export function folderAsyncDestination(dir: string): AsyncFailureDestination {
  return {
    describe: dir,
    async send(record, pending) {
      await mkdir(dir, { recursive: true });
      const stamp = new Date(record.timestamp).toISOString().replace(/[:.]/g, '-');
      await writeFile(
        join(dir, `${stamp}-${pending.requestId}.json`),
        JSON.stringify(
          {
            functionName: pending.functionName,
            attempts: pending.attempts,
            event: pending.event,
            record,
          },
          null,
          2,
        ),
      );
    },
  };
}
