import { runBatch } from './batch-runner.ts';
import { batchEvent, EVENT_OVERHEAD_BYTES, MAX_PAYLOAD_BYTES, type ShardRecord } from './event.ts';
import { Wakeup, type Runtime } from './runtime.ts';

/** What a batch worker needs from the shard it reads: the commit of finished records. */
export interface ShardLink {
  /** Marks records finished and moves the shard's checkpoint as far as it can. */
  finish(records: readonly ShardRecord[]): void;
  /** True once the shard is closed (resharded) and fully read: no record will come. */
  ended(): boolean;
}

/** Records waiting for a batch, oldest first, with the moment gathering may start. */
export class RecordQueue {
  readonly records: ShardRecord[] = [];
  readonly wakeup = new Wakeup();
  private firstQueuedAt = 0;
  private lastInvokeEndedAt = 0;

  push(record: ShardRecord): void {
    if (this.records.length === 0) this.firstQueuedAt = Date.now();
    this.records.push(record);
  }

  invoked(): void {
    this.lastInvokeEndedAt = Date.now();
  }

  /**
   * Waits, as Lambda does before invoking, until a full batch is gathered, the batching
   * window has passed, or the next record would push the payload over 6 MB; then takes the
   * batch. `sameGroup` keeps a batch inside one tumbling window; `extraBytes` counts state.
   */
  async gather(
    runtime: Runtime,
    link: ShardLink,
    sameGroup: (first: ShardRecord, other: ShardRecord) => boolean = () => true,
    extraBytes = 0,
  ): Promise<ShardRecord[]> {
    const { batchSize, maximumBatchingWindowInSeconds } = runtime.config;
    const budget = MAX_PAYLOAD_BYTES - EVENT_OVERHEAD_BYTES - extraBytes;
    for (;;) {
      const first = this.records[0];
      if (!first) return [];
      let count = 0;
      let bytes = 0;
      let full = false;
      for (const record of this.records) {
        if (!sameGroup(first, record) || (count > 0 && bytes + record.bytes > budget)) {
          full = true; // the batch cannot grow: a window boundary or the payload cap
          break;
        }
        count += 1;
        bytes += record.bytes;
        if (count >= batchSize) {
          full = true;
          break;
        }
      }
      const deadline =
        Math.max(this.firstQueuedAt, this.lastInvokeEndedAt) +
        maximumBatchingWindowInSeconds * 1000;
      const waitMs = deadline - Date.now();
      if (full || waitMs <= 0 || link.ended() || runtime.stopping.aborted) {
        return this.records.splice(0, count);
      }
      await this.wakeup.wait(runtime, waitMs);
    }
  }
}

/**
 * One of a shard's ParallelizationFactor slots: it runs its batches one after another, so
 * records of a partition key (always hashed to the same slot) keep their order.
 */
export class BatchSlot {
  readonly queue = new RecordQueue();

  constructor(
    private readonly runtime: Runtime,
    private readonly link: ShardLink,
  ) {}

  async run(): Promise<void> {
    const hooks = {
      event: batchEvent,
      processed: (records: readonly ShardRecord[]) => {
        this.runtime.counters.recordsProcessed += records.length;
        this.link.finish(records);
      },
      discarded: (records: readonly ShardRecord[]) => this.link.finish(records),
    };
    while (!this.runtime.stopping.aborted) {
      const batch = await this.queue.gather(this.runtime, this.link);
      if (batch.length === 0) {
        if (this.link.ended()) return;
        await this.queue.wakeup.wait(this.runtime, 60_000);
        continue;
      }
      const finished = await runBatch(this.runtime, batch, hooks);
      this.queue.invoked();
      if (!finished) return;
    }
  }
}
