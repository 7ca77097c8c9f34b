/** What one part of a replay run found and did, for the command's summary. */
export type ReplayArea = 'objects' | 'dead-letters' | 'notifications';

export const REPLAY_AREAS: readonly ReplayArea[] = ['objects', 'dead-letters', 'notifications'];

export interface Tally {
  found: number;
  replayed: number;
  /** Already replayed by an earlier run (objects), or nothing left to do. */
  skipped: number;
  failing: number;
}

export interface ReplayReport {
  area: ReplayArea;
  dryRun: boolean;
  /** Objects, dead letters or notification files. */
  items: Tally;
  /** Records inside them (objects and dead letters); for objects `skipped` is Dropped or already replayed. */
  records: Tally;
  /** One line per item worth a person's attention: what failed and why, or what a dry run would do. */
  notes: string[];
}

export const emptyTally = (): Tally => ({ found: 0, replayed: 0, skipped: 0, failing: 0 });

export function emptyReport(area: ReplayArea, dryRun: boolean): ReplayReport {
  return { area, dryRun, items: emptyTally(), records: emptyTally(), notes: [] };
}

const LABELS: Record<ReplayArea, { items: string; skipped: string; recordSkip: string }> = {
  objects: {
    items: 'processing-failed objects',
    skipped: 'already replayed',
    recordSkip: 'dropped (bots/test) or already replayed',
  },
  'dead-letters': { items: 'dead letters', skipped: 'skipped', recordSkip: 'skipped' },
  notifications: { items: 'failed S3 notifications', skipped: 'skipped', recordSkip: 'skipped' },
};

/** A readable summary: one block per area, figures first, then the notes. */
export function formatReport(report: ReplayReport): string {
  const label = LABELS[report.area];
  const verb = report.dryRun ? 'would replay' : 'replayed';
  const { items, records } = report;
  const lines = [
    `${label.items}${report.dryRun ? ' (dry run)' : ''}: ${items.found} found, ${items.replayed} ${verb}, ${items.skipped} ${label.skipped}, ${items.failing} still failing`,
  ];
  if (report.area !== 'notifications' && records.found > 0) {
    lines.push(
      `  records: ${records.found} found, ${records.replayed} ${verb}, ${records.skipped} ${label.recordSkip}, ${records.failing} still failing`,
    );
  }
  for (const note of report.notes) lines.push(`  - ${note}`);
  return lines.join('\n');
}
