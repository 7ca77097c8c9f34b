import {
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Log } from './delivery-stream-config.ts';
import { newRecordId, type SourceRecord } from './record.ts';
import { deaggregate, KplAggregationError, type UserRecord } from '../../shared/kpl/deaggregate.ts';

export interface KinesisSourceOptions {
  client: KinesisClient;
  streamName: string;
  /** JSON file of { createdAt, shards: { shardId: last sequence number fully delivered } }. */
  checkpointFile: string;
  deliver(records: SourceRecord[]): void;
  log: Log;
  pollIntervalMs: number;
  clock: () => number;
  /**
   * When the delivery stream came to exist, if earlier than this call (epoch ms, wall clock):
   * the offline stack passes the moment it began starting, before the API accepted events.
   */
  createdAt?: number;
}

interface ShardState {
  iterator?: string;
  /** The last record read: an expired iterator is renewed after it, so nothing is read twice. */
  lastRead?: string;
  /** Sequence numbers read but not yet acknowledged, in stream order. */
  inFlight: string[];
  acknowledged: Set<string>;
  closed: boolean;
}

/** Reading pauses on a shard with this many records not yet delivered (bounded memory). */
const MAX_IN_FLIGHT = 10_000;
const LIST_SHARDS_EVERY = 20;

/** What the checkpoint file holds. */
interface SavedState {
  /** When the delivery stream first started here (epoch ms, Kinesis' wall clock). */
  createdAt: number;
  shards: Record<string, string>;
}

/**
 * KinesisStreamAsSource: Firehose reads every shard like a consumer. "Amazon Data Firehose
 * starts reading data from the LATEST position of your Kinesis stream"
 * (https://docs.aws.amazon.com/firehose/latest/dev/writing-with-kinesis-streams.html): records
 * written before the delivery stream existed are never delivered. Locally the delivery stream
 * "exists" from its first start, saved as `createdAt`; a shard without a checkpoint is read
 * from TRIM_HORIZON skipping records that arrived before it, which is LATEST at the first
 * start and, unlike a LATEST iterator, loses nothing written while `npm start` was down
 * before the first record was delivered. The checkpoint of a shard only moves past a record once it is acknowledged
 * (in S3, in the error output or dropped) and every earlier record of that shard too, and it
 * is persisted; so a restart resumes after the last delivered record: nothing is skipped, and
 * after a clean shutdown (which flushes) nothing is delivered twice.
 */
export async function startKinesisSource(options: KinesisSourceOptions) {
  const saved = await loadState(options.checkpointFile, options.createdAt);
  const checkpoints = saved.shards;
  const shards = new Map<string, ShardState>();
  let saving: Promise<void> = Promise.resolve();
  let dirty = false;
  let stopped = false;
  let polls = 0;

  function persist(): void {
    if (dirty) return;
    dirty = true;
    saving = saving
      .then(async () => {
        dirty = false;
        const tmp = `${options.checkpointFile}.tmp`;
        await mkdir(dirname(options.checkpointFile), { recursive: true });
        const state: SavedState = { createdAt: saved.createdAt, shards: checkpoints };
        await writeFile(tmp, JSON.stringify(state, null, 2));
        await rename(tmp, options.checkpointFile);
      })
      .catch((error: unknown) =>
        options.log.error(
          `Firehose checkpoint of ${options.streamName} not saved: ${String(error)}`,
        ),
      );
  }

  function acknowledge(shardId: string, sequenceNumber: string): void {
    const shard = shards.get(shardId);
    if (!shard) return;
    shard.acknowledged.add(sequenceNumber);
    let advanced = false;
    while (shard.inFlight.length > 0 && shard.acknowledged.has(shard.inFlight[0] ?? '')) {
      const next = shard.inFlight.shift() ?? '';
      shard.acknowledged.delete(next);
      checkpoints[shardId] = next;
      advanced = true;
    }
    if (advanced) persist();
  }

  async function refreshShards(): Promise<void> {
    let token: string | undefined;
    do {
      const page = await options.client.send(
        new ListShardsCommand(token ? { NextToken: token } : { StreamName: options.streamName }),
      );
      for (const shard of page.Shards ?? []) {
        if (shard.ShardId && !shards.has(shard.ShardId))
          shards.set(shard.ShardId, { inFlight: [], acknowledged: new Set(), closed: false });
      }
      token = page.NextToken;
    } while (token);
  }

  async function iteratorFor(shardId: string, shard: ShardState): Promise<string | undefined> {
    const after = shard.lastRead ?? checkpoints[shardId];
    const answer = await options.client.send(
      new GetShardIteratorCommand({
        StreamName: options.streamName,
        ShardId: shardId,
        ...(after
          ? { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', StartingSequenceNumber: after }
          : { ShardIteratorType: 'TRIM_HORIZON' }),
      }),
    );
    return answer.ShardIterator;
  }

  async function pollShard(shardId: string, shard: ShardState): Promise<void> {
    if (shard.closed || shard.inFlight.length >= MAX_IN_FLIGHT) return;
    shard.iterator ??= await iteratorFor(shardId, shard);
    if (!shard.iterator) return;
    let page;
    try {
      page = await options.client.send(
        new GetRecordsCommand({ ShardIterator: shard.iterator, Limit: 10_000 }),
      );
    } catch (error) {
      if (error instanceof ExpiredIteratorException) shard.iterator = undefined;
      else throw error;
      return;
    }
    const records: SourceRecord[] = [];
    for (const record of page.Records ?? []) {
      const sequenceNumber = record.SequenceNumber ?? '';
      const arrival = record.ApproximateArrivalTimestamp?.getTime() ?? options.clock();
      if (arrival < saved.createdAt) {
        // Written before the delivery stream existed: behind its LATEST starting position.
        // (Arrivals grow along a shard, so nothing read before this is still in flight.)
        shard.lastRead = sequenceNumber;
        if (shard.inFlight.length === 0) {
          checkpoints[shardId] = sequenceNumber;
          persist();
        }
        continue;
      }
      shard.inFlight.push(sequenceNumber);
      shard.lastRead = sequenceNumber;
      // Firehose de-aggregates KPL records before the transform sees them; the Kinesis record
      // is checkpointed only once every user record in it is handled.
      const users = userRecords(record.Data ?? new Uint8Array(), record.PartitionKey ?? '');
      let pending = users.length;
      const done = () => {
        pending -= 1;
        if (pending === 0) acknowledge(shardId, sequenceNumber);
      };
      if (users.length === 0) acknowledge(shardId, sequenceNumber);
      users.forEach((user, subsequence) =>
        records.push({
          recordId: newRecordId(arrival),
          data: Buffer.from(user.data),
          arrival,
          kinesis: {
            shardId,
            partitionKey: user.partitionKey,
            sequenceNumber,
            subsequenceNumber: String(subsequence),
            approximateArrivalTimestamp: arrival,
          },
          done,
        }),
      );
    }
    shard.iterator = page.NextShardIterator;
    // A closed shard (after a reshard) has no next iterator; its children appear in ListShards.
    if (!shard.iterator) shard.closed = true;
    if (records.length > 0) options.deliver(records);
  }

  if (saved.fresh) {
    // createdAt is the LATEST this stream starts from, for good: on disk before the API takes
    // events, or a kill -9 now would move it past events written in between.
    persist();
    await saving;
  }

  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const tick = () => {
    running = (async () => {
      try {
        if (polls++ % LIST_SHARDS_EVERY === 0) await refreshShards();
        for (const [shardId, shard] of shards) {
          if (stopped) return;
          await pollShard(shardId, shard);
        }
      } catch (error) {
        options.log.error(
          `Firehose read of ${options.streamName} failed (${error instanceof Error ? error.name : String(error)}); retrying`,
        );
      }
    })();
    void running.then(() => {
      if (!stopped) timer = setTimeout(tick, options.pollIntervalMs);
    });
  };
  tick();

  return {
    /** Stops reading; records already read still get acknowledged and checkpointed. */
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
    /** Waits for the last checkpoint write. */
    async saved(): Promise<void> {
      await saving;
    },
  };
}

/**
 * The saved state, or a new one created now. Kinesis stamps arrivals with the wall clock, so
 * createdAt does too (never an injected test clock). A file of the earlier format (only the
 * shard map) keeps its old meaning: read what has no checkpoint from the trim horizon.
 */
async function loadState(
  file: string,
  createdAt = Date.now(),
): Promise<SavedState & { fresh: boolean }> {
  const text = await readFile(file, 'utf8').catch(() => undefined);
  if (text === undefined) return { createdAt, shards: {}, fresh: true };
  const parsed = JSON.parse(text) as Partial<SavedState> | Record<string, string>;
  if (typeof parsed.createdAt === 'number' && typeof parsed.shards === 'object') {
    return { createdAt: parsed.createdAt, shards: { ...parsed.shards }, fresh: false };
  }
  return { createdAt: 0, shards: { ...(parsed as Record<string, string>) }, fresh: false };
}

export type KinesisSource = Awaited<ReturnType<typeof startKinesisSource>>;

/**
 * The user records of one Kinesis record: a KPL aggregated record unpacked
 * (https://docs.aws.amazon.com/firehose/latest/dev/writing-with-kinesis-streams.html: "Firehose
 * de-aggregates the records before it delivers them to AWS Lambda"), anything else as it is. A
 * record with the KPL magic that cannot be unpacked goes on whole, for the transform to refuse
 * with its reason, rather than vanish here.
 */
function userRecords(data: Uint8Array, partitionKey: string): UserRecord[] {
  try {
    return deaggregate(data, partitionKey);
  } catch (error) {
    if (error instanceof KplAggregationError) return [{ partitionKey, data }];
    throw error;
  }
}
