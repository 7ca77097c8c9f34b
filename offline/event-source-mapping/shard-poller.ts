import { createHash } from 'node:crypto';
import {
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type GetShardIteratorCommandInput,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import type { CheckpointStore, ShardCheckpoint } from './checkpoint-store.ts';
import { toShardRecord, type ShardRecord } from './event.ts';
import type { RecordMatcher } from './filter.ts';
import { pause, type Runtime } from './runtime.ts';
import { BatchSlot, type ShardLink } from './slot.ts';
import { WindowSlot } from './window-slot.ts';

/** GetRecords returns at most 10,000 records a call. */
const GET_RECORDS_LIMIT = 10_000;

/**
 * Reads one shard with GetShardIterator/GetRecords and hands records to its batch workers:
 * ParallelizationFactor slots (a partition key always goes to the same slot, by the MD5 of
 * the key as Kinesis hashes it), or one tumbling-window worker. Commits in shard order: the
 * checkpoint only moves past a record once it and every record before it are finished, so a
 * restart never skips an unfinished record (and may repeat finished ones, as Lambda may).
 */
export class ShardPoller implements ShardLink {
  private iterator: string | undefined;
  private lastReadSequence: string | null;
  private committed: string | null;
  private readonly ledger: ShardRecord[] = [];
  private ledgerHead = 0;
  private closed = false;
  /** AT_TIMESTAMP: records that arrived before this are not part of the mapping. */
  private skipBeforeMs = 0;
  private readonly slots: BatchSlot[] = [];
  private readonly windowSlot: WindowSlot | undefined;

  constructor(
    private readonly runtime: Runtime,
    private readonly kinesis: KinesisClient,
    private readonly store: CheckpointStore,
    private readonly filter: RecordMatcher,
    readonly shardId: string,
    restored: ShardCheckpoint | undefined,
  ) {
    this.committed = restored?.sequenceNumber ?? null;
    this.lastReadSequence = this.committed;
    if (!this.committed && runtime.config.startingPosition === 'AT_TIMESTAMP') {
      this.skipBeforeMs = (runtime.config.startingPositionTimestamp ?? 0) * 1000;
    }
    if (runtime.config.tumblingWindowInSeconds > 0) {
      this.windowSlot = new WindowSlot(runtime, this, shardId, restored?.window ?? null);
    } else {
      for (let i = 0; i < runtime.config.parallelizationFactor; i += 1) {
        this.slots.push(new BatchSlot(runtime, this));
      }
    }
  }

  /** Fixes the starting point (so LATEST means "after start-up"), before anything runs. */
  async init(): Promise<void> {
    this.iterator = await this.getIterator();
  }

  async run(): Promise<void> {
    const workers = this.windowSlot ? [this.windowSlot.run()] : this.slots.map((s) => s.run());
    await Promise.all([this.readLoop(), ...workers]);
  }

  stats() {
    return {
      checkpoint: this.committed,
      pendingRecords: this.ledger.length - this.ledgerHead,
      closed: this.closed,
      window: this.windowSlot?.snapshot() ?? null,
    };
  }

  ended(): boolean {
    return this.closed && this.ledger.length === this.ledgerHead;
  }

  finish(records: readonly ShardRecord[]): void {
    for (const record of records) record.done = true;
    let moved = false;
    for (let head = this.ledger[this.ledgerHead]; head?.done; head = this.ledger[this.ledgerHead]) {
      this.committed = head.sequenceNumber;
      this.ledgerHead += 1;
      moved = true;
    }
    if (this.ledgerHead > 1024 && this.ledgerHead * 2 > this.ledger.length) {
      this.ledger.splice(0, this.ledgerHead);
      this.ledgerHead = 0;
    }
    if (this.closed && moved) this.wakeWorkers(); // idle slots may now see the shard's end
    if (moved || records.length === 0) {
      this.store.save(this.shardId, {
        sequenceNumber: this.committed,
        window: this.windowSlot?.snapshot() ?? null,
      });
    }
  }

  private async readLoop(): Promise<void> {
    const { runtime } = this;
    const { timing, config } = runtime;
    const slotCount = this.slots.length || 1;
    // Bounded read-ahead: enough for every slot to gather full batches, no more.
    const highWater = Math.max(1_000, config.batchSize * slotCount * 2);
    let lastCallAt = 0;
    while (!runtime.stopping.aborted && !this.closed) {
      if (this.ledger.length - this.ledgerHead >= highWater) {
        if (!(await pause(runtime, 20))) return;
        continue;
      }
      const sinceLast = Date.now() - lastCallAt;
      if (sinceLast < timing.minGetRecordsIntervalMs) {
        if (!(await pause(runtime, timing.minGetRecordsIntervalMs - sinceLast))) return;
      }
      lastCallAt = Date.now();
      const startedAt = runtime.clock.now();
      let caughtUp: boolean;
      try {
        caughtUp = await this.readOnce();
      } catch (error) {
        if (error instanceof ExpiredIteratorException) {
          this.iterator = await this.getIterator().catch(() => this.iterator);
          continue;
        }
        runtime.log.warn('GetRecords failed; backing off', {
          shardId: this.shardId,
          message: error instanceof Error ? error.message : String(error),
        });
        if (!(await pause(runtime, timing.readErrorBackoffMs))) return;
        continue;
      }
      if (caughtUp) this.windowSlot?.readUpTo(startedAt);
      if (this.closed) this.windowSlot?.readUpTo(Number.POSITIVE_INFINITY);
      this.wakeWorkers();
      if (caughtUp && !(await pause(runtime, timing.idlePollIntervalMs))) return;
    }
  }

  /** One GetRecords call; says whether the shard is read up to its tip. */
  private async readOnce(): Promise<boolean> {
    if (!this.iterator) {
      this.closed = true;
      return true;
    }
    const page = await this.kinesis.send(
      new GetRecordsCommand({ ShardIterator: this.iterator, Limit: GET_RECORDS_LIMIT }),
    );
    const context = {
      shardId: this.shardId,
      streamArn: this.runtime.config.streamArn,
      region: this.runtime.region,
      invokeIdentityArn: this.runtime.invokeIdentityArn,
    };
    const filtered: ShardRecord[] = [];
    for (const raw of page.Records ?? []) {
      const record = toShardRecord(raw, context);
      if (record.arrivalMs < this.skipBeforeMs) continue;
      this.skipBeforeMs = 0; // arrival times only grow along a shard
      this.ledger.push(record);
      this.lastReadSequence = record.sequenceNumber;
      if (!this.filter(record.filterable)) {
        filtered.push(record);
        continue;
      }
      if (this.windowSlot) this.windowSlot.queue.push(record);
      else this.slotFor(record.partitionKey).queue.push(record);
    }
    this.runtime.counters.recordsFiltered += filtered.length;
    if (filtered.length > 0) this.finish(filtered);
    this.iterator = page.NextShardIterator;
    if (!this.iterator) this.closed = true; // a closed shard after resharding, read to its end
    // kinesalite always answers MillisBehindLatest 0, so a full page also means "more to read".
    const count = (page.Records ?? []).length;
    return count === 0 || (page.MillisBehindLatest === 0 && count < GET_RECORDS_LIMIT);
  }

  private slotFor(partitionKey: string): BatchSlot {
    const digest = createHash('md5').update(partitionKey).digest();
    const slot = this.slots[digest.readUInt32BE(0) % this.slots.length];
    if (!slot) throw new Error('a shard has at least one slot');
    return slot;
  }

  private wakeWorkers(): void {
    this.windowSlot?.queue.wakeup.notify();
    for (const slot of this.slots) slot.queue.wakeup.notify();
  }

  private async getIterator(): Promise<string | undefined> {
    const { config } = this.runtime;
    const input: GetShardIteratorCommandInput = {
      StreamName: config.streamName,
      ShardId: this.shardId,
      ShardIteratorType: config.startingPosition,
    };
    if (this.lastReadSequence) {
      input.ShardIteratorType = 'AFTER_SEQUENCE_NUMBER';
      input.StartingSequenceNumber = this.lastReadSequence;
    } else if (config.startingPosition === 'AT_TIMESTAMP') {
      // kinesalite's AT_TIMESTAMP iterator never answers when no record is at or after the
      // timestamp yet; reading from the trim horizon and skipping earlier records (readOnce)
      // gives the same records on any emulator.
      input.ShardIteratorType = 'TRIM_HORIZON';
    }
    const answer = await this.kinesis.send(new GetShardIteratorCommand(input));
    return answer.ShardIterator;
  }
}
