import { emptyReport, formatReport, type ReplayArea, type ReplayReport } from './replay-report.ts';

export type ReplayTask = readonly [ReplayArea, () => Promise<ReplayReport>];

/**
 * Runs each selected area in turn. An area that cannot run at all (its service unreachable,
 * its queue missing) is reported as failing and the others still run: one broken stand-in
 * must not hide what the rest could replay.
 */
export async function runReplay(
  tasks: readonly ReplayTask[],
  dryRun: boolean,
): Promise<ReplayReport[]> {
  const reports: ReplayReport[] = [];
  for (const [area, run] of tasks) {
    try {
      reports.push(await run());
    } catch (error: unknown) {
      const report = emptyReport(area, dryRun);
      report.items.failing += 1;
      report.notes.push(
        `could not run: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`,
      );
      reports.push(report);
    }
  }
  return reports;
}

export function summary(reports: readonly ReplayReport[]): string {
  return reports.map(formatReport).join('\n');
}

/** Something is left for a person (or a later run) to deal with. */
export function anyFailing(reports: readonly ReplayReport[]): boolean {
  return reports.some((r) => r.items.failing > 0 || r.records.failing > 0);
}
