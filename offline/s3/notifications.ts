import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LambdaInvoker } from '../lambda-invoker.ts';
import { FAILED_NOTIFICATIONS_DIR } from './paths.ts';

/** One bucket notification configuration: ObjectCreated:* to a function, filtered by key. */
export interface ObjectCreatedSubscription {
  bucket: string;
  prefix?: string;
  suffix?: string;
  functionName: string;
  /** The configuration's name, reported in the event as s3.configurationId. */
  configurationId?: string;
}

export type ObjectCreatedEventName =
  'ObjectCreated:Put' | 'ObjectCreated:Copy' | 'ObjectCreated:CompleteMultipartUpload';

export interface ObjectCreated {
  eventName: ObjectCreatedEventName;
  bucket: string;
  key: string;
  size: number;
  /** MD5 hex, no quotes (the event carries it unquoted). */
  etag: string;
  requestId: string;
  sourceIp: string;
}

export interface NotifierOptions {
  subscriptions: readonly ObjectCreatedSubscription[];
  invoker: LambdaInvoker | undefined;
  region: string;
  stateDir: string;
  log: { info(message: string): void; error(message: string): void };
  /** Waits before the two retries of an asynchronous invocation (AWS: about 1 and 2 minutes). */
  retryDelaysMs?: readonly number[];
}

const OWNER = 'A3LOCALSTANDIN';

/**
 * The key as S3 writes it into event notifications: form-URL-encoded (space as `+`), with `/`
 * kept, so consumers must decode it before using it as a key.
 */
export function eventKey(key: string): string {
  return encodeURIComponent(key)
    .replace(/%2F/g, '/')
    .replace(/%20/g, '+')
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

let sequence = 0n;
/** Hex, increasing for events on the same key, as S3's sequencer (compare only same-length values). */
function nextSequencer(): string {
  sequence += 1n;
  return (BigInt(Date.now()) * 1_000_000n + sequence).toString(16).toUpperCase().padStart(18, '0');
}

export function objectCreatedEvent(
  created: ObjectCreated,
  region: string,
  configurationId: string,
) {
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: region,
        eventTime: new Date().toISOString(),
        eventName: created.eventName,
        userIdentity: { principalId: `AWS:${OWNER}` },
        requestParameters: { sourceIPAddress: created.sourceIp },
        responseElements: {
          'x-amz-request-id': created.requestId,
          'x-amz-id-2': created.requestId,
        },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId,
          bucket: {
            name: created.bucket,
            ownerIdentity: { principalId: OWNER },
            arn: `arn:aws:s3:::${created.bucket}`,
          },
          object: {
            key: eventKey(created.key),
            size: created.size,
            eTag: created.etag,
            sequencer: nextSequencer(),
          },
        },
      },
    ],
  };
}

export function matches(
  subscription: ObjectCreatedSubscription,
  bucket: string,
  key: string,
): boolean {
  return (
    subscription.bucket === bucket &&
    key.startsWith(subscription.prefix ?? '') &&
    key.endsWith(subscription.suffix ?? '')
  );
}

/**
 * Delivers ObjectCreated events as S3 does: asynchronously (the PUT has already answered),
 * the function invoked as an asynchronous invocation is (tried once, retried twice on error),
 * and an event still failing is written to `<stateDir>/.failed-notifications/` as JSON — the
 * local on-failure destination — so a person can see and replay it.
 */
export function createNotifier(options: NotifierOptions) {
  const delays = options.retryDelaysMs ?? [1_000, 2_000];
  const inFlight = new Set<Promise<void>>();
  const timers = new Set<{ timer: NodeJS.Timeout; resolve: () => void }>();
  let closing = false;

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const entry = { timer: setTimeout(() => done(), ms), resolve: () => done() };
      function done() {
        clearTimeout(entry.timer);
        timers.delete(entry);
        resolve();
      }
      timers.add(entry);
    });

  async function deliver(subscription: ObjectCreatedSubscription, event: unknown): Promise<void> {
    const attempts: { at: string; errorType: string; errorMessage: string }[] = [];
    for (let attempt = 0; attempt <= delays.length; attempt += 1) {
      if (attempt > 0) {
        // On shutdown the remaining waits are skipped: the event goes to the dead-letter folder now.
        if (closing) break;
        await wait(delays[attempt - 1] ?? 0);
        if (closing) break;
      }
      const result = options.invoker
        ? await options.invoker.invoke(subscription.functionName, event)
        : {
            ok: false as const,
            errorType: 'NoInvoker',
            errorMessage: 'no LambdaInvoker configured',
          };
      if (result.ok) return;
      attempts.push({
        at: new Date().toISOString(),
        errorType: result.errorType,
        errorMessage: result.errorMessage,
      });
    }
    const dir = join(options.stateDir, FAILED_NOTIFICATIONS_DIR);
    await mkdir(dir, { recursive: true });
    const file = join(
      dir,
      `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomUUID()}.json`,
    );
    await writeFile(
      file,
      JSON.stringify({ functionName: subscription.functionName, attempts, event }, null, 2),
    );
    options.log.error(
      `S3 notification to ${subscription.functionName} failed ${attempts.length} time(s) (last: ${attempts.at(-1)?.errorType ?? 'not attempted'}); event saved in ${file}`,
    );
  }

  return {
    objectCreated(created: ObjectCreated): void {
      options.subscriptions.forEach((subscription, index) => {
        if (!matches(subscription, created.bucket, created.key)) return;
        const event = objectCreatedEvent(
          created,
          options.region,
          subscription.configurationId ?? `local-notification-${index + 1}`,
        );
        const delivery = deliver(subscription, event)
          .catch((error: unknown) => options.log.error(`S3 notification lost: ${String(error)}`))
          .finally(() => inFlight.delete(delivery));
        inFlight.add(delivery);
      });
    },
    /** Resolves when every notification sent so far was delivered or dead-lettered. */
    async settled(): Promise<void> {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    async close(): Promise<void> {
      closing = true;
      for (const entry of [...timers]) entry.resolve();
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
  };
}

export type Notifier = ReturnType<typeof createNotifier>;
