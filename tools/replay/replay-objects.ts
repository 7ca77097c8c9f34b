import { parseErrorObject, rawLines, type ErrorRecord } from './error-records.ts';
import { replayKey, sha256 } from './keys.ts';
import type { FunctionInvoker, ObjectStore } from './replay-ports.ts';
import { emptyReport, type ReplayReport } from './replay-report.ts';
import { readTransformResponse, transformationEvents } from './transform-batches.ts';

/**
 * Replays Firehose's error output. Events records go back through the transformation Lambda
 * (the deployed code, through the Invoke API, rather than this process's copy of
 * transformRecords: a replay after a fix must run the fixed function, as Firehose would);
 * the Ok rows are written as one new object under events/replay/, which the bucket's
 * notification hands to the load function. Metrics records never passed a transform, so
 * their original lines are written under metrics/replay/ as they are.
 *
 * The failed object itself is never changed: it is the audit trail (and its bad_events rows
 * are already loaded). Records that fail again are reported by line and stay where they are.
 */
export const FAILED_PREFIXES = {
  events: 'processing-failed/events/',
  metrics: 'processing-failed/metrics/',
} as const;

export interface ObjectReplayDeps {
  store: ObjectStore;
  invoker: FunctionInvoker;
  transformFunction: string;
  /** The events delivery stream, as the transformation event names it. */
  deliveryStreamArn: string;
  region: string;
  dryRun: boolean;
}

type Target = keyof typeof FAILED_PREFIXES;

const MAX_NOTES_PER_OBJECT = 5;

export async function replayFailedObjects(deps: ObjectReplayDeps): Promise<ReplayReport> {
  const report = emptyReport('objects', deps.dryRun);
  for (const target of Object.keys(FAILED_PREFIXES) as Target[]) {
    for (const key of await deps.store.list(FAILED_PREFIXES[target])) {
      report.items.found += 1;
      try {
        await replayObject(deps, target, key, report);
      } catch (error: unknown) {
        // One unreadable or unwritable object must not stop the others.
        report.items.failing += 1;
        report.notes.push(`${key}: ${describe(error)}`);
      }
    }
  }
  return report;
}

interface Outcome {
  body: string;
  replayed: number;
  dropped: number;
  failing: { line: number; reason: string }[];
}

async function replayObject(
  deps: ObjectReplayDeps,
  target: Target,
  key: string,
  report: ReplayReport,
): Promise<void> {
  const parsed = parseErrorObject(await deps.store.read(key));
  const outcome: Outcome =
    target === 'metrics'
      ? { body: rawLines(parsed.records), replayed: parsed.records.length, dropped: 0, failing: [] }
      : await transformAgain(deps, key, parsed.records);
  outcome.failing.unshift(...parsed.unreadable);
  const found = parsed.records.length + parsed.unreadable.length;
  report.records.found += found;
  report.records.skipped += outcome.dropped;
  report.records.failing += outcome.failing.length;

  const notes: string[] = [];
  if (outcome.body !== '') {
    const written = replayKey(target, key, outcome.body);
    if (await deps.store.exists(written)) {
      report.records.skipped += outcome.replayed;
      if (outcome.failing.length === 0) report.items.skipped += 1;
    } else {
      report.records.replayed += outcome.replayed;
      if (!deps.dryRun) await deps.store.write(written, outcome.body);
      notes.push(
        `${deps.dryRun ? 'would write' : 'wrote'} ${written} (${outcome.replayed} records)`,
      );
      if (outcome.failing.length === 0) report.items.replayed += 1;
    }
  } else if (outcome.failing.length === 0) {
    report.items.skipped += 1; // every record Dropped: nothing to load
  }
  if (outcome.failing.length > 0) {
    report.items.failing += 1;
    notes.push(...failureNotes(outcome.failing));
  }
  if (notes.length > 0) report.notes.push(`${key}: ${notes.join('; ')}`);
}

async function transformAgain(
  deps: ObjectReplayDeps,
  key: string,
  records: readonly ErrorRecord[],
): Promise<Outcome> {
  const outcome: Outcome = { body: '', replayed: 0, dropped: 0, failing: [] };
  const firstFailure = new Map(records.map((r) => [String(r.line), r]));
  const events = transformationEvents(records, {
    deliveryStreamArn: deps.deliveryStreamArn,
    region: deps.region,
    invocationPrefix: `replay-${sha256(key).slice(0, 16)}`,
  });
  const rows: string[] = [];
  for (const event of events) {
    const result = await deps.invoker.invoke(deps.transformFunction, event);
    if (!result.ok) {
      const reason = `the transform failed: ${result.errorType}: ${result.errorMessage}`;
      for (const record of event.records)
        outcome.failing.push({ line: Number(record.recordId), reason });
      continue;
    }
    const verdicts = readTransformResponse(event, result.payload);
    rows.push(...verdicts.ok.map((ok) => ok.rows));
    outcome.replayed += verdicts.ok.length;
    outcome.dropped += verdicts.dropped.length;
    for (const failed of verdicts.failed) {
      const before = firstFailure.get(failed.recordId);
      const was = before ? ` (first: ${before.errorCode}: ${before.errorMessage})` : '';
      outcome.failing.push({ line: Number(failed.recordId), reason: `${failed.reason}${was}` });
    }
  }
  outcome.body = rows.join('');
  return outcome;
}

function failureNotes(failing: readonly { line: number; reason: string }[]): string[] {
  const shown = failing.slice(0, MAX_NOTES_PER_OBJECT).map((f) => `line ${f.line}: ${f.reason}`);
  const more = failing.length - shown.length;
  return more > 0 ? [...shown, `and ${more} more failing lines`] : shown;
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
