import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { SQSClient } from '@aws-sdk/client-sqs';
import { join } from 'node:path';
import type { AsyncInvoker } from './async-invoke/async-invoker.ts';
import { stackAsyncInvoker } from './async-invoke/stack-async-invoker.ts';
import { localClientConfig } from './local-client-config.ts';
import { startEventSourceMapping, type EventSourceMapping } from './event-source-mapping/index.ts';
import { startFirehoseServer, type FirehoseServer } from './firehose/firehose-server.ts';
import { ensureStreams, startKinesisEmulator, type KinesisEmulator } from './kinesis-emulator.ts';
import { startFaultProxy, type FaultProxy } from './kinesis-fault-proxy.ts';
import {
  holdFrom,
  watchFaultSwitches,
  type FaultSwitchReader,
  type Hold,
} from './faults/fault-switches.ts';
import { applyFaultSwitches, type AppliedFaults } from './faults/apply-fault-switches.ts';
import { faultyInvoker } from './faults/faulty-invoker.ts';
import type { LambdaInvoker } from './lambda-invoker.ts';
import type { StreamSpec } from './resources.ts';
import { startS3Server, type S3Server } from './s3/s3-server.ts';
import { startSnsServer, type SnsServer } from './sns/sns-server.ts';
import { sqsDelivery } from './sns/sqs-delivery.ts';
import { startSqsServer, type SqsServer } from './sqs/sqs-server.ts';
import type { Topology } from './topology.ts';
import { lockStateDir, type StateLock } from './state-lock.ts';
import { startWarehouse, type Warehouse } from './warehouse/warehouse.ts';
import { createBuckets, migrateWarehouse } from './stack-setup.ts';

export interface StackPorts {
  kinesis: number;
  s3: number;
  sqs: number;
  firehose: number;
  warehouse: number;
  sns: number;
}

export interface StackLog {
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

export interface StackOptions {
  topology: Topology;
  streams: readonly StreamSpec[];
  ports: StackPorts;
  /** Where each stand-in keeps its state (kinesis/, s3/, sqs/, firehose/, warehouse/, checkpoints/). */
  stateDir: string;
  /** Kinesis data kept on disk (LevelDB) or in memory. */
  persistStreams: boolean;
  throttleRate: number;
  /** Local Firehose flushes at least this often. */
  firehoseFlushSeconds: number;
  /** Asynchronous invocation's first retry after this many seconds (AWS: 60), the rest scaled. */
  asyncRetrySeconds: number;
  /** Any Postgres instead of the embedded PGlite. */
  warehouseUrl?: string;
  region: string;
  log: StackLog;
  /** Deployed function name → serverless.yml key, for the `invoke` fault switches. */
  functionKeys?: Readonly<Record<string, string>>;
}

export interface StandIns {
  kinesisEndpoint: string;
  s3Endpoint: string;
  sqsEndpoint: string;
  snsEndpoint: string;
  warehouseUrl: string;
  warehouseEngine: 'pglite' | 'external';
}

/**
 * The managed services of serverless.yml on this machine, in two steps, because Lambda
 * functions only exist once serverless-offline is up: `startServices` (the data stores the
 * functions call) before it, `startTriggers` (whatever invokes functions: event source
 * mappings, Firehose's processor, S3 notifications) after. `stop` reverses the order and
 * lets each flush: mappings commit checkpoints, Firehose writes its buffers to S3, S3 settles
 * its notifications.
 */
export class LocalStack {
  private kinesis: KinesisEmulator | undefined;
  private faultProxy: FaultProxy | undefined;
  private sqs: SqsServer | undefined;
  private sns: SnsServer | undefined;
  private warehouse: Warehouse | undefined;
  private s3: S3Server | undefined;
  private asyncInvoker: AsyncInvoker | undefined;
  private firehose: FirehoseServer | undefined;
  private mappings: EventSourceMapping[] = [];
  private clients: Array<{ destroy(): void }> = [];
  /** `<stateDir>/faults.json`: the faults a chaos run or a fault test switches on. */
  private faultSwitches: FaultSwitchReader | undefined;
  private appliedFaults: AppliedFaults | undefined;
  private warehouseDown = false;
  private holds: Hold | undefined;
  private stateLock: StateLock | undefined;
  /**
   * On AWS the delivery streams exist before anything writes to the stream; here the API is up
   * before Firehose starts, so Firehose's LATEST is taken as the moment the stack began.
   */
  private startedAt = Date.now();

  constructor(private readonly options: StackOptions) {}

  async startServices(functions: LambdaInvoker): Promise<StandIns> {
    const { options } = this;
    const { ports, stateDir, log } = options;
    this.startedAt = Date.now();
    this.stateLock = lockStateDir(stateDir);
    const crashed = this.stateLock.crashed;
    if (crashed)
      log.warn(
        `the local stack that last used ${stateDir} (pid ${crashed.pid}) did not stop cleanly (killed or crashed): resuming from what it left on disk (stream, checkpoints, Firehose's accepted records, queued notifications; docs/reliability-crash.md)`,
      );
    this.faultSwitches = watchFaultSwitches(stateDir, (message) => log.warn(message));
    const invoker = this.withFaults(functions);
    this.kinesis = await startKinesisEmulator({
      port: 0,
      path: options.persistStreams ? join(stateDir, 'kinesis') : undefined,
    });
    // Always in front, so faults.json can throttle at run time; it pipes what it leaves alone.
    this.faultProxy = await startFaultProxy({
      target: this.kinesis.endpoint,
      port: ports.kinesis,
      throttleRate: options.throttleRate,
    });
    await ensureStreams(this.kinesis.client, options.streams);

    this.sqs = await startSqsServer({
      port: ports.sqs,
      stateDir,
      queues: options.topology.queues,
      region: options.region,
      log: (message) => log.info(message),
    });
    await this.startSns();
    this.warehouse = await startWarehouse({
      port: ports.warehouse,
      stateDir,
      url: options.warehouseUrl,
      log: (message) => log.info(message),
      warn: (message) => log.warn(message),
      followFaults: true,
    });
    await migrateWarehouse(this.warehouse.url, log);
    this.appliedFaults = applyFaultSwitches(this.faultSwitches, {
      kinesis: this.faultProxy,
      baseThrottleRate: options.throttleRate,
      firehose: () => this.firehose,
      warehouse: { setUnavailable: (down) => this.setWarehouseUnavailable(down) },
      log,
    });
    const sqsServer = this.sqs;
    // Accepts events from now on; delivers them once startTriggers starts it.
    this.asyncInvoker = stackAsyncInvoker({
      specs: options.topology.asyncInvoke,
      invoker,
      sqs: this.client(new SQSClient(localClientConfig(options.region, sqsServer.endpoint))),
      queueUrl: (name) => sqsServer.queueUrl(name),
      stateDir,
      firstRetrySeconds: options.asyncRetrySeconds,
      region: options.region,
      log,
    });
    this.s3 = await startS3Server({
      port: ports.s3,
      stateDir: join(stateDir, 's3'),
      notifications: options.topology.notifications,
      asyncInvoker: this.asyncInvoker,
      log,
      region: options.region,
    });
    const s3 = this.client(
      new S3Client({
        ...localClientConfig(options.region, this.s3.endpoint),
        forcePathStyle: true,
      }),
    );
    await createBuckets(s3, options.topology.buckets);
    return this.standIns();
  }

  /** SNS delivers to its SQS subscriptions with SendMessage, as on AWS. */
  private async startSns(): Promise<void> {
    const { options } = this;
    const sqs = this.sqs;
    if (!sqs) throw new Error('SQS must start before SNS');
    const client = this.client(new SQSClient(localClientConfig(options.region, sqs.endpoint)));
    this.sns = await startSnsServer({
      port: options.ports.sns,
      topics: options.topology.topics,
      delivery: sqsDelivery(client, (name) => sqs.queueUrl(name)),
      log: options.log,
    });
    for (const topic of options.topology.topics.filter((t) => !t.declared))
      options.log.warn(
        `sns: topic ${topic.arn} is not declared in serverless.yml (no AWS::SNS::Topic): locally it has no subscriptions, so what is published to it is accepted and reaches no one; declare it with an AWS::SNS::Subscription to a queue to see its messages`,
      );
  }

  async startTriggers(functions: LambdaInvoker): Promise<void> {
    const { options } = this;
    const { log, stateDir } = options;
    const invoker = this.withFaults(functions);
    if (!this.kinesis || !this.s3 || !this.sqs || !this.sns || !this.asyncInvoker)
      throw new Error('startServices must run before startTriggers');
    // The functions are up: events queued by an earlier run (or since startServices) go out.
    await this.asyncInvoker.start();
    const s3 = this.client(
      new S3Client({
        ...localClientConfig(options.region, this.s3.endpoint),
        forcePathStyle: true,
      }),
    );
    this.firehose = await startFirehoseServer({
      port: options.ports.firehose,
      deliveryStreams: options.topology.deliveryStreams,
      s3,
      kinesis: this.kinesis.client,
      invoker,
      stateDir: join(stateDir, 'firehose'),
      log,
      region: options.region,
      intervalOverrideSeconds: options.firehoseFlushSeconds,
      createdAt: this.startedAt,
      hold: this.hold(),
    });
    this.appliedFaults?.refresh();
    const sqs = this.client(new SQSClient(localClientConfig(options.region, this.sqs.endpoint)));
    const sns = this.client(new SNSClient(localClientConfig(options.region, this.sns.endpoint)));
    for (const mapping of options.topology.mappings) {
      const { onFailureQueue, functionKey: _functionKey, ...config } = mapping;
      const started = await startEventSourceMapping(
        {
          ...config,
          ...(onFailureQueue ? { onFailureDestination: this.sqs.queueUrl(onFailureQueue) } : {}),
        },
        {
          kinesis: this.kinesis.client,
          invoker,
          sqs,
          s3,
          sns,
          stateDir: join(stateDir, 'checkpoints'),
          log,
          hold: this.hold(),
        },
      );
      this.mappings.push(started);
    }
  }

  standIns(): StandIns {
    if (!this.kinesis || !this.s3 || !this.sqs || !this.sns || !this.warehouse)
      throw new Error('the stand-ins are not started');
    return {
      kinesisEndpoint: this.faultProxy?.endpoint ?? this.kinesis.endpoint,
      s3Endpoint: this.s3.endpoint,
      sqsEndpoint: this.sqs.endpoint,
      snsEndpoint: this.sns.endpoint,
      warehouseUrl: this.warehouse.url,
      warehouseEngine: this.warehouse.engine,
    };
  }

  /**
   * The warehouse outage of faults.json: PGlite stopped cleanly (open transactions rolled
   * back, clients cut), later started again on the same data folder and port. A warehouse
   * behind WAREHOUSE_URL is not ours to stop: the switch is refused with a warning.
   */
  private async setWarehouseUnavailable(down: boolean): Promise<void> {
    const { options } = this;
    if (this.warehouse?.engine === 'external' || options.warehouseUrl)
      throw new Error('the warehouse is WAREHOUSE_URL: stop that database yourself');
    if (down) {
      await this.warehouse?.close();
      this.warehouseDown = true;
      return;
    }
    if (!this.warehouseDown) return;
    this.warehouse = await startWarehouse({
      port: options.ports.warehouse,
      stateDir: options.stateDir,
      log: (message) => options.log.info(message),
      warn: (message) => options.log.warn(message),
      followFaults: true,
    });
    this.warehouseDown = false;
  }

  /**
   * Every caller of functions goes through this: the `invoke` switches of `faults.json` make
   * chosen invocations fail as Lambda reports a function error or timeout (faulty-invoker.ts).
   */
  withFaults(inner: LambdaInvoker): LambdaInvoker {
    const keys = this.options.functionKeys ?? {};
    return faultyInvoker(inner, {
      switches: () => this.faultSwitches?.current() ?? {},
      functionKey: (name) => keys[name] ?? name,
      onFault: (details) => this.options.log.warn('fault: invocation failed on purpose', details),
    });
  }

  /** The fault switches in force (none unless `faults.json` sets some). */
  get faults(): FaultSwitchReader {
    if (!this.faultSwitches) throw new Error('startServices must run first');
    return this.faultSwitches;
  }

  /** Holds a step still while `faults.json` asks (offline/faults), for crash tests. */
  private hold(): Hold {
    const reader = this.faults;
    this.holds ??= holdFrom(reader, (line) => this.options.log.warn(line));
    return this.holds;
  }

  get firehoseEndpoint(): string | undefined {
    return this.firehose?.endpoint;
  }

  /** Drains the pipeline's buffers now: Firehose writes what it holds, S3 notifies. */
  async flush(): Promise<void> {
    await this.firehose?.flush();
    await this.s3?.notificationsSettled();
    await this.sns?.settled();
  }

  async stop(): Promise<void> {
    const steps: Array<[string, () => Promise<void> | undefined]> = [
      [
        'event source mappings',
        () => Promise.all(this.mappings.map((m) => m.stop())).then(() => undefined),
      ],
      ['Firehose', () => this.firehose?.close()],
      ['S3', () => this.s3?.close()],
      // Invocations under way finish; events still waiting stay queued on disk for next start.
      ['asynchronous invocations', () => this.asyncInvoker?.close()],
      ['warehouse', () => (this.warehouseDown ? undefined : this.warehouse?.close())],
      ['SNS', () => this.sns?.close()],
      ['SQS', () => this.sqs?.close()],
      ['Kinesis fault proxy', () => this.faultProxy?.close()],
      ['Kinesis', () => this.kinesis?.close()],
    ];
    for (const [name, step] of steps) {
      try {
        await step();
      } catch (error) {
        this.options.log.error(
          `stopping ${name} failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    for (const client of this.clients) client.destroy();
    this.faultSwitches?.close();
    this.faultSwitches = undefined;
    this.appliedFaults = undefined;
    this.holds = undefined;
    this.stateLock?.release();
    this.stateLock = undefined;
    this.mappings = [];
    this.clients = [];
    this.asyncInvoker = undefined;
    this.firehose =
      this.s3 =
      this.warehouse =
      this.sns =
      this.sqs =
      this.faultProxy =
      this.kinesis =
        undefined;
  }

  private client<T extends { destroy(): void }>(client: T): T {
    this.clients.push(client);
    return client;
  }
}
