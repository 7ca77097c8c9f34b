import type { ChaosResult } from './run-chaos.ts';
import { table } from './text-table.ts';

/** The campaign's two tables: what each fault did and how it was survived; the verdict. */
export function chaosReport(result: ChaosResult, runStartedAt: number): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const faults = table(
    ['fault', 'when', 'how long', 'what the pipeline did'],
    result.reports.map((r) => [
      r.fault,
      `+${seconds(r.startedAt.getTime() - runStartedAt)}`,
      seconds(r.durationMs),
      r.afterDrain ? `${r.didWhat}; after the drain: ${r.afterDrain}` : r.didWhat,
    ]),
  );
  const verdict = table(
    ['check', 'expected', 'got', 'verdict'],
    result.checks.map((c) => [c.check, c.expected, c.got, c.ok ? 'exact' : 'NOT EXACT']),
    70,
  );
  const { ledger } = result.sent;
  const summary = result.ok
    ? `RECONCILED: ${ledger.sent.toLocaleString('en-US')} of ${ledger.sent.toLocaleString('en-US')} messages (${ledger.accepted.toLocaleString('en-US')} unique valid, ${ledger.invalid} invalid, ${ledger.duplicates} resends) exact under ${result.reports.map((r) => r.fault).join(', ') || 'no fault'}, in ${seconds(result.elapsedMs)}`
    : `NOT RECONCILED: ${result.checks.filter((c) => !c.ok).length} check(s) failed`;
  return `${faults}\n\n${verdict}\n\n${summary}`;
}
