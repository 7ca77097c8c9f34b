import type { FunctionInvoker, SavedNotifications } from './replay-ports.ts';
import { emptyReport, type ReplayReport } from './replay-report.ts';

/**
 * Re-delivers S3 notifications that failed every asynchronous attempt (the local on-failure
 * destination saves them as `{functionName, attempts, event}`). Re-delivery is safe: the load
 * function skips an object whose key is in `loads`. The file goes only once the function
 * succeeded, so a crash between the two re-delivers once more, which loads skips.
 */
export interface NotificationReplayDeps {
  saved: SavedNotifications;
  invoker: FunctionInvoker;
  dryRun: boolean;
}

export async function replayNotifications(deps: NotificationReplayDeps): Promise<ReplayReport> {
  const report = emptyReport('notifications', deps.dryRun);
  for (const name of await deps.saved.list()) {
    report.items.found += 1;
    const saved = savedNotification(await deps.saved.read(name));
    if ('reason' in saved) {
      report.items.failing += 1;
      report.notes.push(`${name}: ${saved.reason}`);
      continue;
    }
    const keys = objectKeys(saved.event);
    if (deps.dryRun) {
      report.items.replayed += 1;
      report.notes.push(`${name}: would invoke ${saved.functionName} for ${keys}`);
      continue;
    }
    const result = await deps.invoker.invoke(saved.functionName, saved.event);
    if (result.ok) {
      await deps.saved.remove(name);
      report.items.replayed += 1;
    } else {
      report.items.failing += 1;
      report.notes.push(
        `${name}: ${saved.functionName} failed for ${keys}: ${result.errorType}: ${result.errorMessage}`,
      );
    }
  }
  return report;
}

function savedNotification(
  text: string,
): { functionName: string; event: unknown } | { reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { reason: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null) return { reason: 'not a JSON object' };
  const { functionName, event } = value as Record<string, unknown>;
  if (typeof functionName !== 'string' || functionName === '')
    return { reason: 'functionName is missing' };
  if (typeof event !== 'object' || event === null) return { reason: 'event is missing' };
  return { functionName, event };
}

/** The object keys an S3 event names, for the report (as they appear in the event: encoded). */
function objectKeys(event: unknown): string {
  const records = (event as { Records?: unknown }).Records;
  const keys = (Array.isArray(records) ? (records as unknown[]) : []).map((record) => {
    const key = (record as { s3?: { object?: { key?: unknown } } } | null)?.s3?.object?.key;
    return typeof key === 'string' ? key : '?';
  });
  return keys.length > 0 ? keys.join(', ') : 'no object';
}
