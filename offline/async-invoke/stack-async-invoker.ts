import type { SQSClient } from '@aws-sdk/client-sqs';
import { join } from 'node:path';
import type { LambdaInvoker } from '../lambda-invoker.ts';
import { ASYNC_QUEUE_DIR, FAILED_NOTIFICATIONS_DIR } from '../s3/paths.ts';
import type { AsyncInvokeSpec } from './async-config.ts';
import {
  createAsyncInvoker,
  fixedRetryTiming,
  scaledRetryTiming,
  type AsyncFunctionConfig,
  type AsyncInvoker,
} from './async-invoker.ts';
import { folderAsyncDestination, sqsAsyncDestination } from './failure-destinations.ts';

/** Where the local stack keeps its asynchronous event queue, under its state folder. */
export const STACK_ASYNC_QUEUE_DIR = 'async-invoke';

export interface StackAsyncInvokerOptions {
  specs: readonly AsyncInvokeSpec[];
  invoker: LambdaInvoker;
  sqs: Pick<SQSClient, 'send'>;
  queueUrl(name: string): string;
  stateDir: string;
  /** custom.offline.asyncRetrySeconds: the first retry's wait (AWS: 60). */
  firstRetrySeconds: number;
  region: string;
  log: { info(message: string): void; warn?(message: string): void; error(message: string): void };
}

/**
 * The stack's one asynchronous invocation queue, with each function's settings from
 * serverless.yml and its SQS on-failure destination; events of a function without one are
 * kept in `<stateDir>/s3/.failed-notifications/`, where they always were.
 */
export function stackAsyncInvoker(options: StackAsyncInvokerOptions): AsyncInvoker {
  const functions: Record<string, AsyncFunctionConfig> = {};
  for (const spec of options.specs) {
    functions[spec.functionName] = {
      maximumRetryAttempts: spec.maximumRetryAttempts,
      maximumEventAgeSeconds: spec.maximumEventAgeSeconds,
      ...(spec.onFailureQueue
        ? { onFailure: sqsAsyncDestination(options.sqs, options.queueUrl(spec.onFailureQueue)) }
        : {}),
    };
  }
  return createAsyncInvoker({
    invoker: options.invoker,
    queueDir: join(options.stateDir, STACK_ASYNC_QUEUE_DIR),
    functions,
    unconfiguredFailures: folderAsyncDestination(
      join(options.stateDir, 's3', FAILED_NOTIFICATIONS_DIR),
    ),
    timing: scaledRetryTiming(options.firstRetrySeconds),
    region: options.region,
    log: options.log,
  });
}

/**
 * An S3 stand-in started alone (tests) invokes through its own queue, in the stand-in's
 * folder, with AWS's defaults for every function and the given retry waits.
 */
export function standaloneAsyncInvoker(options: {
  invoker?: LambdaInvoker | undefined;
  stateDir: string;
  retryDelaysMs?: readonly number[] | undefined;
  region: string;
  log: { info(message: string): void; warn?(message: string): void; error(message: string): void };
}): AsyncInvoker {
  return createAsyncInvoker({
    invoker: options.invoker,
    queueDir: join(options.stateDir, ASYNC_QUEUE_DIR),
    unconfiguredFailures: folderAsyncDestination(join(options.stateDir, FAILED_NOTIFICATIONS_DIR)),
    ...(options.retryDelaysMs ? { timing: fixedRetryTiming(options.retryDelaysMs) } : {}),
    region: options.region,
    log: options.log,
  });
}
