import type { AsyncInvoker } from '../async-invoke/async-invoker.ts';

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
  asyncInvoker: Pick<AsyncInvoker, 'invoke'>;
  region: string;
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
 * Sends ObjectCreated events as S3 does: the function is invoked asynchronously (offline/
 * async-invoke does the queueing, retries and on-failure destination); `objectCreated`
 * resolves once each event is durably queued, so a PUT is answered only after that.
 */
export function createNotifier(options: NotifierOptions) {
  return {
    async objectCreated(created: ObjectCreated): Promise<void> {
      const queued = options.subscriptions.map((subscription, index) =>
        matches(subscription, created.bucket, created.key)
          ? options.asyncInvoker.invoke(
              subscription.functionName,
              objectCreatedEvent(
                created,
                options.region,
                subscription.configurationId ?? `local-notification-${index + 1}`,
              ),
            )
          : undefined,
      );
      await Promise.all(queued);
    },
  };
}

export type Notifier = ReturnType<typeof createNotifier>;
