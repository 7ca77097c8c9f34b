/** Aligned plain-text tables and number formats for benchmark output. */

export interface Column {
  header: string;
  /** Numbers read best right-aligned; labels left-aligned (the default for column 0). */
  align?: 'left' | 'right';
}

export function printTable(title: string, columns: readonly Column[], rows: string[][]): void {
  const widths = columns.map((column, i) =>
    Math.max(column.header.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const alignOf = (i: number) => columns[i]?.align ?? (i === 0 ? 'left' : 'right');
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => {
        const width = widths[i] ?? 0;
        return alignOf(i) === 'left' ? cell.padEnd(width) : cell.padStart(width);
      })
      .join('  ')
      .trimEnd();
  console.log(`\n${title}`);
  console.log(line(columns.map((c) => c.header)));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
}

export function printNotes(notes: readonly string[]): void {
  for (const note of notes) console.log(`  * ${note}`);
}

const integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

export function fmtInt(value: number): string {
  return integer.format(value);
}

export function fmtFixed(value: number, digits: number): string {
  return new Intl.NumberFormat('en-US', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);
}

/** A rate with three significant figures at least, thousands separated. */
export function fmtRate(perSecond: number): string {
  if (!Number.isFinite(perSecond)) return 'n/a';
  return perSecond >= 100 ? fmtInt(perSecond) : fmtFixed(perSecond, 1);
}

export function fmtMs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms >= 10_000) return `${fmtFixed(ms / 1000, 1)} s`;
  if (ms >= 1) return `${fmtFixed(ms, ms >= 100 ? 0 : 1)} ms`;
  return `${fmtFixed(ms * 1000, 0)} µs`;
}

/** A ratio of two figures measured in the same run, e.g. "0.62×". */
export function fmtRatio(numerator: number, denominator: number): string {
  if (!Number.isFinite(numerator) || !Number.isFinite(denominator) || denominator === 0)
    return 'n/a';
  const ratio = numerator / denominator;
  return `${ratio >= 10 ? fmtFixed(ratio, 1) : fmtFixed(ratio, 2)}×`;
}

export function fmtMiB(bytes: number): string {
  return `${fmtFixed(bytes / (1024 * 1024), 1)} MiB`;
}

/** The q-quantile (0..1) of already sorted values. */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}
