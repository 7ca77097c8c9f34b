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
  replayShardId,
  windowEvent,
  windowsOf,
  type ReplayWindow,
} from './window-events.ts';

/**
 * Replays the dead-letter queue. Two kinds of record arrive there: asynchronous invocation
 * records (S3 → load failures; the event is in the record, and is invoked again) and the
 * event source mapping's. An event source mapping's dead letter names a range of one shard that the
 * aggregate function gave up on. The range is read back from the stream and handed to the
 * same function as tumbling-window invocations (see window-events.ts for why under a shard id
 * of its own), ending each window with a final invoke so its metrics are emitted.
 *
 * Re-putting the records to the stream was rejected: Firehose would deliver them to events
 * again (harmless, the warehouse dedups on event_id) but the aggregate would count them in
 * the window open now, and a second replay would count them again. Here a replay of the same
 * dead letter emits the same rows under the same keys, which the load replaces.
 *
 * A dead letter is deleted only when all its records were counted. Records the function
 * still rejects (poison) are reported; their message stays for a person to look at.
 */
export interface DeadLetterReplayDeps {
  queue: DeadLetterQueue;
  shards: ShardRangeReader;
  invoker: FunctionInvoker;
  /** TumblingWindowInSeconds of the mapping. */
  windowSeconds: number;
  dryRun: boolean;
}

export async function replayDeadLetters(deps: DeadLetterReplayDeps): Promise<ReplayReport> {
  const report = emptyReport('dead-letters', deps.dryRun);
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
        const replayed = await replayLetter(deps, letter, report);
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
    if (deps.dryRun) {
      report.records.replayed += records.length;
      report.notes.push(
        `message ${letter.messageId}: would replay ${records.length} records of ${range} through ${batch.functionName} in ${windows.length} window(s) as shard ${replayShardId(batch)}`,
      );
      return true;
    }
    const poison: string[] = [];
    for (const window of windows) poison.push(...(await replayWindow(deps, batch, window)));
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
