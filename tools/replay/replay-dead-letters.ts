import { isAsyncInvocationRecord, parseAsyncFailureRecord } from './async-failure-record.ts';
import { parseOnFailureRecord, type DeadBatch } from './on-failure-record.ts';
import type {
  DeadLetter,
  DeadLetterQueue,
  FunctionInvoker,
  ShardRangeReader,
  ShardRecord,
} from './replay-ports.ts';
import { emptyReport, type ReplayReport } from './replay-report.ts';
import {
  chunkLength,
  readWindowAnswer,
  windowEvent,
  windowsOf,
  type ReplayWindow,
} from './window-events.ts';

/**
 * Replays the dead-letter queue. Two kinds of record arrive there: asynchronous invocation
 * records (S3 → load failures; the event is in the record, and is invoked again) and the
 * event source mapping's. An event source mapping's dead letter names a range of one shard
 * that the aggregate function gave up on. The window those records arrived in is read back
 * from the stream WHOLE (every record of that shard in it, the dead ones included) and run
 * through the same function again as tumbling-window invocations under the real shard id,
 * ending with a final invoke: the window's metrics rows, keyed (window, shard, part), are
 * emitted again complete and the load replaces the ones the window had (window-events.ts).
 *
 * Why the whole window: with BisectBatchOnFunctionError a failed batch is split in two and
 * the halves retried separately (https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-errors.html),
 * so the halves that succeed are counted in the window's state before the failing record is
 * split off and dead-lettered; and that state, the aggregate of the records processed in the
 * window so far, is dropped once the window's final invoke is done
 * (https://docs.aws.amazon.com/lambda/latest/dg/services-kinesis-windows.html).
 * Counting only the dead records, in a row of their own, counts a user already active in the
 * window twice, and a resend of an event the window already counted twice. Recomputing the
 * window from the stream gives exactly the figures Lambda would have produced had nothing
 * failed, and a second replay gives them again.
 *
 * Re-putting the records to the stream was rejected: the aggregate would count them in the
 * window open now, and a second replay would count them again.
 *
 * A window is replayed only once it has surely closed on the mapping (`settleMs` after its
 * end): its final invoke would otherwise overwrite the replayed rows with figures that lack
 * the dead records. A dead letter is deleted only when all its records were counted. Records
 * the function still rejects (poison) are reported; their message stays for a person.
 */
export interface DeadLetterReplayDeps {
  queue: DeadLetterQueue;
  shards: ShardRangeReader;
  invoker: FunctionInvoker;
  /** TumblingWindowInSeconds of the mapping. */
  windowSeconds: number;
  dryRun: boolean;
  /** Now, in ms (tests move it). */
  now?: () => number;
  /** How long after its end a window is left alone; default two window lengths. */
  settleMs?: number;
}

export async function replayDeadLetters(deps: DeadLetterReplayDeps): Promise<ReplayReport> {
  const report = emptyReport('dead-letters', deps.dryRun);
  /** Windows recomputed in this run, `${shard} ${start}`: later letters of one are done. */
  const recomputed = new Map<string, string[]>();
  const seen = new Set<string>();
  const kept: DeadLetter[] = [];
  try {
    for (;;) {
      // A message whose visibility ran out during a long run comes back: once is enough.
      const letters = (await deps.queue.receive()).filter((l) => !seen.has(l.messageId));
      if (letters.length === 0) break;
      for (const letter of letters) {
        seen.add(letter.messageId);
        report.items.found += 1;
        const replayed = await replayLetter(deps, letter, report, recomputed);
        if (replayed && !deps.dryRun) await deps.queue.remove(letter);
        else kept.push(letter);
        if (replayed) report.items.replayed += 1;
        else report.items.failing += 1;
      }
    }
  } finally {
    // Visible again now rather than after the visibility timeout: the next run sees them.
    for (const letter of kept) await deps.queue.release(letter);
  }
  return report;
}

async function replayLetter(
  deps: DeadLetterReplayDeps,
  letter: DeadLetter,
  report: ReplayReport,
  recomputed: Map<string, string[]>,
): Promise<boolean> {
  const fail = (reason: string) => {
    report.notes.push(`message ${letter.messageId}: ${reason}`);
    return false;
  };
  if (isAsyncInvocationRecord(letter.body)) return replayAsyncEvent(deps, letter, fail, report);
  const batch = parseOnFailureRecord(letter.body);
  if ('reason' in batch) return fail(batch.reason);
  const range = `${batch.shardId} ${batch.startSequenceNumber}..${batch.endSequenceNumber}`;
  try {
    const records = await deps.shards.read(batch);
    const gap = rangeProblem(batch, records);
    if (gap) return fail(`${range}: ${gap}`);
    report.records.found += records.length;
    const windows = windowsOf(records, deps.windowSeconds);
    const now = (deps.now ?? Date.now)();
    const settleMs = deps.settleMs ?? 2 * deps.windowSeconds * 1000;
    const open = windows.find((w) => now < w.endMs + settleMs);
    if (open)
      return fail(
        `${range}: its window ${new Date(open.startMs).toISOString()} may still be open on the mapping; replay after ${new Date(open.endMs + settleMs).toISOString()}`,
      );
    if (deps.dryRun) {
      report.records.replayed += records.length;
      report.notes.push(
        `message ${letter.messageId}: would replay ${records.length} records of ${range} through ${batch.functionName}, recomputing ${windows.length} window(s) of ${batch.shardId}`,
      );
      return true;
    }
    const dead = new Set(records.map((r) => r.sequenceNumber));
    const poison: string[] = [];
    for (const window of windows) {
      const key = `${batch.streamArn} ${batch.shardId} ${window.startMs}`;
      let rejected = recomputed.get(key);
      if (!rejected) {
        const whole = await deps.shards.readWindow({
          streamName: batch.streamName,
          shardId: batch.shardId,
          startMs: window.startMs,
          endMs: window.endMs,
        });
        const read = new Set(whole.map((r) => r.sequenceNumber));
        const lost = window.records.find((r) => !read.has(r.sequenceNumber));
        if (lost)
          return fail(
            `${range}: record ${lost.sequenceNumber} not found in its window on the stream`,
          );
        rejected = await replayWindow(deps, batch, { ...window, records: whole });
        recomputed.set(key, rejected);
      }
      poison.push(...rejected.filter((sequence) => dead.has(sequence)));
    }
    report.records.replayed += records.length - poison.length;
    report.records.failing += poison.length;
    if (poison.length > 0)
      return fail(`${range}: ${batch.functionName} still rejects record(s) ${poison.join(', ')}`);
    return true;
  } catch (error: unknown) {
    return fail(`${range}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/**
 * An event an asynchronous invocation gave up on: invoked again with the same event. Safe to
 * repeat: the load function skips an object whose key is already in `loads`.
 */
async function replayAsyncEvent(
  deps: DeadLetterReplayDeps,
  letter: DeadLetter,
  fail: (reason: string) => boolean,
  report: ReplayReport,
): Promise<boolean> {
  const failed = parseAsyncFailureRecord(letter.body);
  if ('reason' in failed) return fail(failed.reason);
  report.records.found += 1;
  const what = `${failed.condition} event of ${failed.functionName} (${failed.approximateInvokeCount} invocation(s))`;
  if (deps.dryRun) {
    report.records.replayed += 1;
    report.notes.push(`message ${letter.messageId}: would invoke the ${what} again`);
    return true;
  }
  const result = await deps.invoker.invoke(failed.functionName, failed.event);
  if (!result.ok) {
    report.records.failing += 1;
    return fail(`${what}: still fails: ${result.errorType}: ${result.errorMessage}`);
  }
  report.records.replayed += 1;
  return true;
}

/** The range as the dead letter names it, or why it cannot be replayed whole. */
function rangeProblem(batch: DeadBatch, records: readonly ShardRecord[]): string | undefined {
  const first = records[0];
  const last = records.at(-1);
  if (!first || first.sequenceNumber !== batch.startSequenceNumber)
    return 'its first record is no longer in the stream (past the retention period?)';
  if (!last || last.sequenceNumber !== batch.endSequenceNumber)
    return `its last record was not found (read ${records.length} records)`;
  return undefined;
}

/**
 * One window, as Lambda drives it: invocations carry the state forward; a reported record
 * (the lowest batchItemFailures sequence number) is skipped as poison and the rest resent
 * with the returned state; the final invoke emits. Answers the poison sequence numbers.
 */
async function replayWindow(
  deps: DeadLetterReplayDeps,
  batch: DeadBatch,
  window: ReplayWindow,
): Promise<string[]> {
  const poison: string[] = [];
  let remaining: readonly ShardRecord[] = window.records;
  let state: Record<string, unknown> = {};
  for (;;) {
    const records = remaining.slice(0, chunkLength(remaining));
    const rest = remaining.slice(records.length);
    const final = rest.length === 0;
    const event = windowEvent({ batch, window, records, state, final });
    const result = await deps.invoker.invoke(batch.functionName, event);
    if (!result.ok)
      throw new Error(`${batch.functionName} failed: ${result.errorType}: ${result.errorMessage}`);
    const answer = readWindowAnswer(result.payload);
    if (!answer.ok) throw new Error(`${batch.functionName}: ${answer.reason}`);
    state = answer.state;
    if (answer.failedSequenceNumber === undefined) {
      if (final) return poison;
      remaining = rest;
      continue;
    }
    const at = records.findIndex((r) => r.sequenceNumber === answer.failedSequenceNumber);
    if (at < 0)
      throw new Error(
        `${batch.functionName} reported ${answer.failedSequenceNumber}, which it was not sent`,
      );
    poison.push(answer.failedSequenceNumber);
    // Ends with a final invoke of no records when the poison record was the last one.
    remaining = [...records.slice(at + 1), ...rest];
  }
}
