import { resolve } from 'node:path';

/** The local stack's settings: serverless.yml's custom.offline and serverless-offline's own. */
export interface OfflineSettings {
  httpPort: number;
  lambdaPort: number;
  host: string;
  ports: {
    kinesis: number;
    firehose: number;
    s3: number;
    sqs: number;
    warehouse: number;
    sns: number;
  };
  stateDir: string;
  persist: boolean;
  throttleRate: number;
  firehoseFlushSeconds: number;
  /** Asynchronous invocation's first retry wait (AWS: 60 s); the other waits scale with it. */
  asyncRetrySeconds: number;
  /** The most worker threads (invocations at once) each function gets on this machine. */
  lambdaWorkers: number;
  warehouseUrl?: string;
}

type Value = string | number | boolean | undefined;

function port(value: Value, fallback: number, name: string): number {
  const n = Number(value ?? fallback);
  if (!Number.isInteger(n) || n < 0 || n > 65_535)
    throw new Error(`${name} must be a port number (got ${String(value)})`);
  return n;
}

export function readSettings(
  custom: Record<string, unknown>,
  servicePath: string,
): OfflineSettings {
  const offline = (custom['serverless-offline'] ?? {}) as Record<string, Value>;
  const local = (custom.offline ?? {}) as {
    kinesis?: { port?: Value; throttleRate?: Value };
    ports?: Record<string, Value>;
    persist?: Value;
    stateDir?: string;
    firehoseFlushSeconds?: Value;
    asyncRetrySeconds?: Value;
    lambdaWorkers?: Value;
    warehouseUrl?: string;
  };
  const throttleRate = Number(local.kinesis?.throttleRate ?? 0);
  if (!(throttleRate >= 0 && throttleRate <= 1)) {
    throw new Error(
      `custom.offline.kinesis.throttleRate (OFFLINE_KINESIS_THROTTLE_RATE) must be between 0 and 1 (got ${String(local.kinesis?.throttleRate)})`,
    );
  }
  const flush = Number(local.firehoseFlushSeconds ?? 5);
  if (!(flush >= 0 && flush <= 900)) {
    throw new Error(
      `OFFLINE_FIREHOSE_FLUSH_SECONDS must be between 0 and 900 (got ${String(local.firehoseFlushSeconds)})`,
    );
  }
  const asyncRetry = Number(local.asyncRetrySeconds ?? 60);
  if (!(asyncRetry > 0 && asyncRetry <= 60)) {
    throw new Error(
      `OFFLINE_ASYNC_RETRY_SECONDS must be more than 0 and at most 60 (got ${String(local.asyncRetrySeconds)})`,
    );
  }
  const workers = Number(local.lambdaWorkers ?? 2);
  if (!(Number.isInteger(workers) && workers >= 1 && workers <= 64)) {
    throw new Error(
      `OFFLINE_LAMBDA_WORKERS must be a whole number from 1 to 64 (got ${String(local.lambdaWorkers)})`,
    );
  }
  const ports = local.ports ?? {};
  return {
    httpPort: port(offline.httpPort, 3000, 'OFFLINE_HTTP_PORT'),
    lambdaPort: port(offline.lambdaPort, 3002, 'OFFLINE_LAMBDA_PORT'),
    host: String(offline.host ?? '127.0.0.1'),
    ports: {
      kinesis: port(local.kinesis?.port, 4567, 'OFFLINE_KINESIS_PORT'),
      firehose: port(ports.firehose, 4573, 'OFFLINE_FIREHOSE_PORT'),
      s3: port(ports.s3, 4569, 'OFFLINE_S3_PORT'),
      sqs: port(ports.sqs, 4576, 'OFFLINE_SQS_PORT'),
      warehouse: port(ports.warehouse, 5439, 'OFFLINE_WAREHOUSE_PORT'),
      sns: port(ports.sns, 4575, 'OFFLINE_SNS_PORT'),
    },
    stateDir: resolve(servicePath, local.stateDir ?? '.local'),
    persist: String(local.persist ?? 'true') !== 'false',
    throttleRate,
    firehoseFlushSeconds: flush,
    asyncRetrySeconds: asyncRetry,
    lambdaWorkers: workers,
    ...(local.warehouseUrl ? { warehouseUrl: local.warehouseUrl } : {}),
  };
}

/** Each port with what it serves and the variable that moves it, for the port checks. */
export function portsInUse(
  settings: OfflineSettings,
): Array<{ port: number; host: string; what: string; setting: string }> {
  const loopback = '127.0.0.1';
  return [
    {
      port: settings.httpPort,
      host: settings.host,
      what: 'the HTTP API',
      setting: 'OFFLINE_HTTP_PORT',
    },
    {
      port: settings.lambdaPort,
      host: settings.host,
      what: 'the Lambda invoke API',
      setting: 'OFFLINE_LAMBDA_PORT',
    },
    {
      port: settings.ports.kinesis,
      host: loopback,
      what: 'the Kinesis emulator',
      setting: 'OFFLINE_KINESIS_PORT',
    },
    {
      port: settings.ports.firehose,
      host: loopback,
      what: 'the Firehose stand-in',
      setting: 'OFFLINE_FIREHOSE_PORT',
    },
    {
      port: settings.ports.s3,
      host: loopback,
      what: 'the S3 stand-in',
      setting: 'OFFLINE_S3_PORT',
    },
    {
      port: settings.ports.sqs,
      host: loopback,
      what: 'the SQS stand-in',
      setting: 'OFFLINE_SQS_PORT',
    },
    {
      port: settings.ports.sns,
      host: loopback,
      what: 'the SNS stand-in',
      setting: 'OFFLINE_SNS_PORT',
    },
    ...(settings.warehouseUrl
      ? []
      : [
          {
            port: settings.ports.warehouse,
            host: loopback,
            what: 'the warehouse (PGlite)',
            setting: 'OFFLINE_WAREHOUSE_PORT',
          },
        ]),
  ];
}
