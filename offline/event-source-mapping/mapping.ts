import {
  DescribeStreamSummaryCommand,
  ListShardsCommand,
  type KinesisClient,
  type Shard,
} from '@aws-sdk/client-kinesis';
import type { S3Client } from '@aws-sdk/client-s3';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { LambdaInvoker } from '../lambda-invoker.ts';
import { CheckpointStore } from './checkpoint-store.ts';
import { arnParts, validateMappingConfig, type KinesisMappingConfig } from './mapping-config.ts';
import { sqsFailureDestination, type FailureDestination } from './destination.ts';
import { compileFilters } from './filter.ts';
import { s3FailureDestination } from './s3-destination.ts';
import { snsFailureDestination } from './sns-destination.ts';
import {
  DEFAULT_TIMING,
  type Clock,
  type Counters,
  type MappingLog,
  type Runtime,
  type Timing,
} from './runtime.ts';
import { ShardPoller } from './shard-poller.ts';
import type { Hold } from '../faults/fault-switches.ts';

export interface MappingDeps {
  kinesis: KinesisClient;
  invoker: LambdaInvoker;
  /** Sends invocation records to config.onFailureDestination (an SQS queue URL). */
  sqs?: Pick<SQSClient, 'send'>;
  /** Writes invocation records to config.onFailureBucket. */
  s3?: Pick<S3Client, 'send'>;
  /** Publishes invocation records to config.onFailureTopic. */
  sns?: Pick<SNSClient, 'send'>;
  /** Overrides the SQS destination: where tests or other stand-ins collect failures. */
  destination?: FailureDestination;
  /** Checkpoints live here, one file per mapping and shard. */
  stateDir: string;
  clock?: Clock;
  log: MappingLog;
  timing?: Partial<Timing>;
  /** The execution role Lambda would report; derived from the stream's account if absent. */
  invokeIdentityArn?: string;
  /** Fault switches' holds (offline/faults), for crash tests. */
  hold?: Hold;
}

export interface MappingStats extends Counters {
  uuid: string;
  functionName: string;
  state: 'Enabled' | 'Disabled' | 'Stopped';
  shards: Record<string, ReturnType<ShardPoller['stats']>>;
}

export interface EventSourceMapping {
  /** Lets in-flight invocations finish, starts no new batch, writes the checkpoints. */
  stop(): Promise<void>;
  stats(): MappingStats;
}

/**
 * Starts the local stand-in for one Lambda event source mapping on a Kinesis stream.
 * Resolves once every shard's starting point is fixed, so records put after it resolves are
 * seen with StartingPosition LATEST. Throws on a configuration AWS would refuse.
 */
export async function startEventSourceMapping(
  config: KinesisMappingConfig,
  deps: MappingDeps,
): Promise<EventSourceMapping> {
  validateMappingConfig(config);
  const timing = { ...DEFAULT_TIMING, ...deps.timing };
  if (timing.minGetRecordsIntervalMs < DEFAULT_TIMING.minGetRecordsIntervalMs) {
    throw new Error('timing.minGetRecordsIntervalMs below 200 ms breaks Kinesis 5 reads/s/shard');
  }
  const counters: Counters = {
    invocations: 0,
    failedInvocations: 0,
    recordsProcessed: 0,
    recordsFiltered: 0,
    recordsDiscarded: 0,
    failureRecordsSent: 0,
    lastProcessingResult: 'No records processed',
  };
  let state: MappingStats['state'] = config.enabled ? 'Enabled' : 'Disabled';
  const pollers: ShardPoller[] = [];
  const stats = (): MappingStats => ({
    uuid: config.uuid,
    functionName: config.functionName,
    state,
    ...counters,
    shards: Object.fromEntries(pollers.map((poller) => [poller.shardId, poller.stats()])),
  });
  if (!config.enabled) {
    // Like a disabled mapping on AWS: nothing is read; the checkpoints stay for re-enabling.
    return { stop: async () => undefined, stats };
  }

  const { region, account } = arnParts(config.streamArn);
  const stopping = new AbortController();
  const runtime: Runtime = {
    config,
    invoker: deps.invoker,
    destination: failureDestination(config, deps),
    clock: deps.clock ?? { now: () => Date.now() },
    timing,
    log: deps.log,
    functionArn: `arn:aws:lambda:${region}:${account}:function:${config.functionName}`,
    region,
    invokeIdentityArn:
      deps.invokeIdentityArn ?? `arn:aws:iam::${account}:role/${config.functionName}-role`,
    retentionMs: await retentionMs(deps.kinesis, config.streamName, config.streamArn),
    counters,
    stopping: stopping.signal,
    ...(deps.hold ? { hold: deps.hold } : {}),
  };
  const store = new CheckpointStore(deps.stateDir, config.uuid);
  const filter = compileFilters(config.filterCriteria?.Filters.map((f) => f.Pattern) ?? []);
  for (const shard of await listShards(deps.kinesis, config.streamName)) {
    const shardId = shard.ShardId ?? '';
    const restored = await store.read(shardId);
    const poller = new ShardPoller(runtime, deps.kinesis, store, filter, shardId, restored);
    await poller.init();
    pollers.push(poller);
  }
  const running = pollers.map((poller) =>
    poller.run().catch((error: unknown) => {
      deps.log.error('shard poller stopped on an error', {
        shardId: poller.shardId,
        message: error instanceof Error ? error.message : String(error),
      });
    }),
  );
  deps.log.info('event source mapping started', {
    uuid: config.uuid,
    functionName: config.functionName,
    streamName: config.streamName,
    shards: pollers.length,
  });
  return {
    stats,
    async stop() {
      if (state === 'Stopped') return;
      state = 'Stopped';
      stopping.abort();
      await Promise.all(running);
      await store.flush();
    },
  };
}

/** CreateEventSourceMapping's answer for a stream that does not exist. */
export class StreamNotFoundError extends Error {
  constructor(readonly streamArn: string) {
    super(`InvalidParameterValueException: Stream not found: ${streamArn}`);
    this.name = 'StreamNotFoundError';
  }
}

function failureDestination(
  config: KinesisMappingConfig,
  deps: MappingDeps,
): FailureDestination | undefined {
  if (deps.destination) return deps.destination;
  if (config.onFailureBucket) {
    if (deps.s3) return s3FailureDestination(deps.s3, config.onFailureBucket, config.uuid);
    throw new Error(`onFailureBucket ${config.onFailureBucket} is set but no S3 client was given`);
  }
  if (config.onFailureTopic) {
    if (deps.sns) return snsFailureDestination(deps.sns, config.onFailureTopic);
    throw new Error(`onFailureTopic ${config.onFailureTopic} is set but no SNS client was given`);
  }
  if (!config.onFailureDestination) return undefined;
  if (!deps.sqs) {
    deps.log.warn('onFailureDestination is set but no SQS client was given; failures are logged', {
      uuid: config.uuid,
      destination: config.onFailureDestination,
    });
    return undefined;
  }
  return sqsFailureDestination(deps.sqs, config.onFailureDestination);
}

/**
 * The stream's retention, which also proves the stream exists: CreateEventSourceMapping on a
 * stream that does not answers InvalidParameterValueException "Stream not found: <arn>"
 * (AWS's recorded answer, localstack's AWS-validated snapshot
 * test_esm_with_not_existing_kinesis_stream).
 */
async function retentionMs(
  kinesis: KinesisClient,
  streamName: string,
  streamArn: string,
): Promise<number> {
  const summary = await kinesis
    .send(new DescribeStreamSummaryCommand({ StreamName: streamName }))
    .catch((error: unknown) => {
      if (error instanceof Error && error.name === 'ResourceNotFoundException')
        throw new StreamNotFoundError(streamArn);
      throw error;
    });
  const hours = summary.StreamDescriptionSummary?.RetentionPeriodHours ?? 24;
  return hours * 3_600_000;
}

async function listShards(kinesis: KinesisClient, streamName: string): Promise<Shard[]> {
  const shards: Shard[] = [];
  let token: string | undefined;
  do {
    const page = await kinesis.send(
      token
        ? new ListShardsCommand({ NextToken: token })
        : new ListShardsCommand({ StreamName: streamName }),
    );
    shards.push(...(page.Shards ?? []));
    token = page.NextToken;
  } while (token);
  return shards;
}
