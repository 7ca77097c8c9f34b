import { runBatch, type BatchHooks } from './batch-runner.ts';
import type { WindowCheckpoint } from './checkpoint-store.ts';
import { windowEvent, type ShardRecord } from './event.ts';
import type { Runtime } from './runtime.ts';
import { RecordQueue, type ShardLink } from './slot.ts';

/** "Your state can be a maximum of 1 MB per shard. If it exceeds that size, Lambda
 * terminates the window early." Measured as the JSON the function returned. */
export const MAX_WINDOW_STATE_BYTES = 1024 * 1024;

/**
 * The batch worker of a shard with TumblingWindowInSeconds > 0. Windows are per shard and
 * aligned to the epoch on each record's approximateArrivalTimestamp; a batch never mixes
 * windows. Each invoke gets the state the previous one returned ({} at first); when the
 * window closes (a later window's record arrives, the window's end passes on the clock with
 * the shard read up to then, or the shard ends) a final invoke with no records and
 * isFinalInvokeForWindow: true hands over the state, which is then dropped. A state over
 * 1 MB ends the window early: the next invoke is a final one with isWindowTerminatedEarly,
 * carrying that state, and the window then continues with a fresh state.
 * One worker per shard: a window's state is a single sequence, so ParallelizationFactor
 * does not apply here.
 */
export class WindowSlot {
  readonly queue = new RecordQueue();
  private window: WindowCheckpoint | null;
  /** Clock time up to which every record of the shard has been read. */
  private watermark = 0;

  constructor(
    private readonly runtime: Runtime,
    private readonly link: ShardLink,
    private readonly shardId: string,
    restored: WindowCheckpoint | null,
  ) {
    this.window = restored;
  }

  snapshot(): WindowCheckpoint | null {
    return this.window && structuredClone(this.window);
  }

  /** The shard was read to its end as of `time` (Infinity once the shard is closed). */
  readUpTo(time: number): void {
    this.watermark = Math.max(this.watermark, time);
  }

  async run(): Promise<void> {
    const { runtime } = this;
    const lengthMs = runtime.config.tumblingWindowInSeconds * 1000;
    const startOf = (record: ShardRecord) => Math.floor(record.arrivalMs / lengthMs) * lengthMs;
    while (!runtime.stopping.aborted) {
      const open = this.window;
      if (open?.pendingEarlyFinal) {
        if (!(await this.finalInvoke(open, true))) return;
        continue;
      }
      const first = this.queue.records[0];
      if (!first) {
        const closesAt = open ? open.startMs + lengthMs + runtime.timing.windowCloseGraceMs : 0;
        if (open && this.watermark >= closesAt) {
          if (!(await this.finalInvoke(open, false))) return;
          continue;
        }
        if (!open && this.link.ended()) return;
        // The reader wakes us after every poll; the timeout only bounds a quiet wait.
        await this.queue.wakeup.wait(runtime, 60_000);
        continue;
      }
      if (open && startOf(first) > open.startMs) {
        if (!(await this.finalInvoke(open, false))) return;
        continue;
      }
      const current = open ?? { startMs: startOf(first), state: {}, pendingEarlyFinal: false };
      this.window = current;
      const batch = await this.queue.gather(
        runtime,
        this.link,
        (a, b) => startOf(a) === startOf(b),
        jsonBytes(current.state),
      );
      if (batch.length === 0) continue;
      const hooks: BatchHooks = {
        event: (records) => this.event(current, records, false, false),
        processed: (records, state) => {
          if (state) {
            current.state = state;
            current.pendingEarlyFinal = jsonBytes(state) > MAX_WINDOW_STATE_BYTES;
          }
          runtime.counters.recordsProcessed += records.length;
          this.link.finish(records);
        },
        discarded: (records) => this.link.finish(records),
      };
      const finished = await runBatch(runtime, batch, hooks);
      this.queue.invoked();
      if (!finished) return;
    }
  }

  /** The window's last invoke: no records, the final state; then the state is dropped. */
  private async finalInvoke(window: WindowCheckpoint, early: boolean): Promise<boolean> {
    const finished = await runBatch(this.runtime, [], {
      event: () => this.event(window, [], true, early),
      processed: () => undefined,
      discarded: () => undefined,
    });
    if (!finished) return false;
    // "After successful invocation, your function checkpoints the sequence number", and "Lambda
    // will process each record at least once" (https://docs.aws.amazon.com/lambda/latest/dg/
    // services-kinesis-windows.html): a crash here re-does this final invoke after a restart,
    // with the state checkpointed with the window, so the function emits the same rows again.
    await this.runtime.hold?.(
      'windowFinalCheckpoint',
      `${this.shardId} window ${new Date(window.startMs).toISOString()}`,
    );
    if (early) {
      // Same window bounds, fresh state: the records that follow start a new aggregate.
      window.state = {};
      window.pendingEarlyFinal = false;
    } else {
      this.window = null;
    }
    this.link.finish([]); // persist the window change with the checkpoint
    return true;
  }

  private event(
    window: WindowCheckpoint,
    records: readonly ShardRecord[],
    isFinalInvokeForWindow: boolean,
    isWindowTerminatedEarly: boolean,
  ) {
    return windowEvent({
      records,
      startMs: window.startMs,
      lengthMs: this.runtime.config.tumblingWindowInSeconds * 1000,
      state: window.state,
      shardId: this.shardId,
      streamArn: this.runtime.config.streamArn,
      isFinalInvokeForWindow,
      isWindowTerminatedEarly,
    });
  }
}

function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value));
}
