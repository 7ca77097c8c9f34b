import { gzipSync } from 'node:zlib';
import type { LambdaInvoker } from '../lambda-invoker.ts';
import { lambdaArn, MIB, type DeliveryStreamConfig, type Log } from './delivery-stream-config.ts';
import {
  errorPrefix,
  evaluatePrefix,
  MissingPartitionKeyError,
  objectName,
  outputPrefix,
  partitionKeyNames,
} from './prefix.ts';
import { invocationBatches, transform, type Verdict } from './processor.ts';
import type { SourceRecord } from './record.ts';
import { errorLine } from './error-line.ts';
import type { ObjectWriter } from './writer.ts';
import type { Hold } from '../faults/fault-switches.ts';

export interface DeliveryStats {
  received: number;
  delivered: number;
  dropped: number;
  failed: number;
  objects: number;
  errorObjects: number;
}

export interface DeliveryOptions {
  config: DeliveryStreamConfig;
  invoker: LambdaInvoker;
  writer: ObjectWriter;
  region: string;
  clock: () => number;
  log: Log;
  /** Replaces every buffer interval (processor and S3) for fast local feedback. */
  intervalOverrideSeconds?: number;
  /** Fault switches' holds (offline/faults), for crash tests. */
  hold?: Hold;
}

/**
 * One processor buffer and its invocations. A Kinesis-sourced stream has one per shard, a
 * Direct PUT stream one in all: within a lane, invocations run one after another in order.
 */
interface Lane {
  pending: SourceRecord[];
  bytes: number;
  timer?: NodeJS.Timeout;
  processing: Promise<void>;
}

interface Group {
  parts: Buffer[];
  records: SourceRecord[];
  bytes: number;
  oldest: number;
  partitionKeys?: Record<string, string>;
  timer?: NodeJS.Timeout;
}

/** Firehose's version number of a stream's configuration; local streams are never updated. */
const VERSION = 1;

/**
 * One delivery stream's path from record to S3, as Firehose runs it: records wait in the
 * processor buffer (size or interval, whichever first), the transform Lambda judges them, Ok
 * data waits in the S3 buffer per partition (size or interval) and becomes one object; failed
 * records go to the error output as JSON lines; Dropped ones are only counted.
 */
export class DeliveryStream {
  readonly stats: DeliveryStats = {
    received: 0,
    delivered: 0,
    dropped: 0,
    failed: 0,
    objects: 0,
    errorObjects: 0,
  };
  private readonly lanes = new Map<string, Lane>();
  private readonly groups = new Map<string, Group>();
  private readonly writes = new Set<Promise<void>>();
  private readonly keyNames: string[];

  constructor(private readonly options: DeliveryOptions) {
    this.keyNames = partitionKeyNames(options.config.prefix);
  }

  private get config(): DeliveryStreamConfig {
    return this.options.config;
  }

  private intervalMs(seconds: number): number {
    return (this.options.intervalOverrideSeconds ?? seconds) * 1000;
  }

  accept(records: SourceRecord[]): void {
    this.stats.received += records.length;
    const processor = this.config.processor;
    if (!processor) {
      for (const record of records) this.buffer({ kind: 'ok', record, data: record.data });
      return;
    }
    const touched = new Set<Lane>();
    for (const record of records) {
      const lane = this.lane(record.kinesis?.shardId ?? '');
      lane.pending.push(record);
      lane.bytes += record.data.length;
      touched.add(lane);
      if (lane.bytes >= processor.bufferSizeInMBs * MIB) this.process(lane);
    }
    for (const lane of touched) {
      if (lane.pending.length > 0 && !lane.timer) {
        lane.timer = setTimeout(
          () => this.process(lane),
          this.intervalMs(processor.bufferIntervalInSeconds),
        );
      }
    }
  }

  /**
   * A Kinesis source's shards are processed side by side, each shard's records in their order:
   * one transform invocation in flight per shard, the next only once it has answered. Firehose
   * reads a Kinesis source per shard, as a consumer does
   * (https://docs.aws.amazon.com/firehose/latest/dev/writing-with-kinesis-streams.html), and
   * invokes the transform synchronously "with each buffered batch"
   * (https://docs.aws.amazon.com/firehose/latest/dev/data-transformation.html); how many batches
   * it transforms at once is not documented, so we take the consumer's model (one batch per
   * shard at a time, as a Lambda event source mapping with ParallelizationFactor 1). Direct PUT
   * records form one lane.
   */
  private lane(key: string): Lane {
    let lane = this.lanes.get(key);
    if (!lane) {
      lane = { pending: [], bytes: 0, processing: Promise.resolve() };
      this.lanes.set(key, lane);
    }
    return lane;
  }

  /** Hands a lane's processor buffer to the Lambda, after the lane's earlier invocations. */
  private process(lane: Lane): void {
    clearTimeout(lane.timer);
    lane.timer = undefined;
    const batch = lane.pending;
    lane.pending = [];
    lane.bytes = 0;
    if (batch.length === 0) return;
    lane.processing = lane.processing
      .then(() => this.runProcessor(batch))
      .catch((error: unknown) =>
        this.options.log.error(
          `Firehose ${this.config.name}: processing failed unexpectedly: ${String(error)}`,
        ),
      );
  }

  private async runProcessor(batch: SourceRecord[]): Promise<void> {
    const processor = this.config.processor;
    if (!processor) return;
    const arn = lambdaArn(this.options.region, processor.functionName);
    for (const records of invocationBatches(batch)) {
      const outcome = await transform(
        {
          invoker: this.options.invoker,
          functionName: processor.functionName,
          deliveryStreamArn: this.config.arn,
          ...(this.config.source ? { sourceKinesisStreamArn: this.config.source.streamArn } : {}),
          region: this.options.region,
          numberOfRetries: processor.numberOfRetries,
          clock: this.options.clock,
        },
        records,
      );
      const failures: object[] = [];
      const failedRecords: SourceRecord[] = [];
      for (const verdict of outcome.verdicts) {
        if (verdict.kind === 'dropped') {
          this.stats.dropped += 1;
          verdict.record.done();
        } else if (verdict.kind === 'ok') {
          const problem = this.buffer(verdict);
          if (problem) {
            failures.push(
              errorLine(
                verdict.record,
                outcome.attempts,
                'DynamicPartitioning.MissingPartitionKey',
                problem,
                outcome.endedAt,
                arn,
              ),
            );
            failedRecords.push(verdict.record);
          }
        } else {
          failures.push(
            errorLine(
              verdict.record,
              outcome.attempts,
              verdict.errorCode,
              verdict.errorMessage,
              outcome.endedAt,
              arn,
            ),
          );
          failedRecords.push(verdict.record);
        }
      }
      if (failedRecords.length > 0) this.writeErrors(failures, failedRecords);
    }
  }

  /**
   * Adds Ok data to its partition's S3 buffer, flushing on size; the interval timer starts with
   * the group. Answers why not when dynamic partitioning finds a partition key missing.
   */
  private buffer(verdict: Extract<Verdict, { kind: 'ok' }>): string | undefined {
    let groupKey = '';
    let partitionKeys: Record<string, string> | undefined;
    if (this.config.dynamicPartitioning) {
      const missing = this.keyNames.find((name) => verdict.partitionKeys?.[name] === undefined);
      if (missing !== undefined) return new MissingPartitionKeyError(missing).message;
      partitionKeys = Object.fromEntries(
        this.keyNames.map((name) => [name, verdict.partitionKeys?.[name] ?? '']),
      );
      groupKey = JSON.stringify(partitionKeys);
    }
    const limit = this.config.bufferingHints.sizeInMBs * MIB;
    let group = this.groups.get(groupKey);
    if (group && group.bytes > 0 && group.bytes + verdict.data.length > limit) {
      this.flushGroup(groupKey);
      group = undefined;
    }
    if (!group) {
      group = {
        parts: [],
        records: [],
        bytes: 0,
        oldest: verdict.record.arrival,
        ...(partitionKeys ? { partitionKeys } : {}),
      };
      this.groups.set(groupKey, group);
      group.timer = setTimeout(
        () => this.flushGroup(groupKey),
        this.intervalMs(this.config.bufferingHints.intervalInSeconds),
      );
    }
    group.parts.push(verdict.data);
    group.records.push(verdict.record);
    group.bytes += verdict.data.length;
    group.oldest = Math.min(group.oldest, verdict.record.arrival);
    if (group.bytes >= limit) this.flushGroup(groupKey);
    return undefined;
  }

  private flushGroup(groupKey: string): void {
    const group = this.groups.get(groupKey);
    if (!group) return;
    this.groups.delete(groupKey);
    clearTimeout(group.timer);
    const compressed = this.config.compression === 'GZIP';
    const prefix = evaluatePrefix(outputPrefix(this.config.prefix), {
      timestamp: group.oldest,
      ...(group.partitionKeys ? { partitionKeys: group.partitionKeys } : {}),
    });
    const key =
      prefix +
      objectName(this.config.name, VERSION, group.oldest, compressed, this.config.fileExtension);
    const body = Buffer.concat(group.parts);
    const hold = this.options.hold;
    this.track(
      (hold ? hold('firehoseS3Write', `s3://${this.config.bucket}/${key}`) : Promise.resolve())
        .then(() =>
          this.options.writer.put(this.config.bucket, key, compressed ? gzipSync(body) : body),
        )
        .then(() => {
          this.stats.objects += 1;
          this.stats.delivered += group.records.length;
          for (const record of group.records) record.done();
        }),
    );
  }

  private writeErrors(lines: object[], records: SourceRecord[]): void {
    const oldest = Math.min(...records.map((r) => r.arrival));
    const compressed = this.config.compression === 'GZIP';
    const prefix = evaluatePrefix(errorPrefix(this.config.errorOutputPrefix), {
      timestamp: oldest,
      errorOutputType: 'processing-failed',
    });
    const key = prefix + objectName(this.config.name, VERSION, oldest, compressed);
    const body = Buffer.from(lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
    this.track(
      this.options.writer
        .put(this.config.bucket, key, compressed ? gzipSync(body) : body)
        .then(() => {
          this.stats.errorObjects += 1;
          this.stats.failed += records.length;
          for (const record of records) record.done();
        }),
    );
  }

  private track(write: Promise<void>): void {
    const tracked = write
      .catch((error: unknown) =>
        this.options.log.error(`Firehose ${this.config.name}: delivery failed: ${String(error)}`),
      )
      .finally(() => this.writes.delete(tracked));
    this.writes.add(tracked);
  }

  /** Empties every buffer now and waits until all of it is in S3. */
  async flush(): Promise<void> {
    for (const lane of this.lanes.values()) this.process(lane);
    await Promise.all([...this.lanes.values()].map((lane) => lane.processing));
    for (const key of [...this.groups.keys()]) this.flushGroup(key);
    while (this.writes.size > 0) await Promise.all([...this.writes]);
  }
}
