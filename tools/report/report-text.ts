import type {
  DashboardFigures,
  MoneyAmount,
  WindowFigures,
} from '../../shared/dashboard/figures.ts';

/**
 * The dashboard's figures as plain-text tables for a terminal (`npm run report`): the same
 * DashboardFigures the page shows, so the two never disagree. Pure. Money is printed exactly,
 * only trailing zeros past the cents dropped ("50.000000" -> "50.00", "0.125000" -> "0.125").
 */
export interface ReportOptions {
  /** Minutes of the per-minute events table, newest last; default 15. */
  minutesShown?: number;
  /** Event kinds given their own column there (the rest are summed as "other"); default 6. */
  kindColumns?: number;
}

export function formatAmount(amount: string): string {
  const [whole = '0', fraction = ''] = amount.split('.');
  const kept = fraction.replace(/0+$/, '');
  return `${whole}.${kept.length >= 2 ? kept : kept.padEnd(2, '0')}`;
}

export const formatMoney = (amounts: readonly MoneyAmount[]) =>
  amounts.length === 0
    ? '0.00'
    : amounts.map((m) => `${formatAmount(m.amount)} ${m.currency}`).join(', ');

const percent = (rate: number | null) => (rate === null ? '–' : `${(rate * 100).toFixed(1)} %`);
const hhmm = (iso: string) => iso.slice(11, 16);
const hhmmss = (iso: string) => iso.slice(11, 19);

export type Align = 'left' | 'right';

/** Rows of cells as aligned columns; by default the first left-aligned, the rest right. */
export function table(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  align: readonly Align[] = header.map((_, c) => (c === 0 ? 'left' : 'right')),
): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((row) => (row[c] ?? '').length)));
  const line = (row: readonly string[]) =>
    row
      .map((cell, c) =>
        align[c] === 'right' ? cell.padStart(widths[c] ?? 0) : cell.padEnd(widths[c] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)]
    .map((row) => `  ${row}`)
    .join('\n');
}

export interface MinuteEvents {
  minute: string;
  events: number;
  badEvents: number;
  byKind: number[];
}

/** Windows summed per UTC minute (counts add up; windows are 10 s locally, 60 s deployed). */
export function eventsPerMinute(windows: readonly WindowFigures[]): MinuteEvents[] {
  const minutes = new Map<string, MinuteEvents>();
  for (const w of windows) {
    const minute = `${w.windowStart.slice(0, 16)}:00.000Z`;
    const into = minutes.get(minute) ?? {
      minute,
      events: 0,
      badEvents: 0,
      byKind: w.byKind.map(() => 0),
    };
    into.events += w.events;
    into.badEvents += w.badEvents;
    w.byKind.forEach((count, k) => (into.byKind[k] = (into.byKind[k] ?? 0) + count));
    minutes.set(minute, into);
  }
  return [...minutes.values()].sort((a, b) => (a.minute < b.minute ? -1 : 1));
}

export function formatReport(figures: DashboardFigures, options: ReportOptions = {}): string {
  const { period, totals } = figures;
  const sections: string[] = [];
  sections.push(
    period.start && period.end
      ? `Clickstream report: ${period.start.slice(0, 10)} ${hhmmss(period.start)}–${hhmmss(period.end)} UTC, ${period.windows} window${period.windows === 1 ? '' : 's'} (the ${period.minutes} minutes up to the newest window)`
      : 'Clickstream report: no windows in the warehouse yet (send events: npm run simulate)',
  );
  sections.push(
    `Totals\n${table(
      ['figure', 'value'],
      [
        ['revenue', formatMoney(totals.revenue)],
        ['orders', String(totals.orders)],
        ['active users', String(totals.activeUsers)],
        ['conversion (orders per product view)', percent(totals.conversion)],
        ['events', String(totals.events)],
        ['bad events', String(totals.badEvents)],
      ],
      ['left', 'left'],
    )}`,
  );
  sections.push(
    `Funnel\n${table(
      ['step', 'count', 'of previous', 'of viewed'],
      figures.funnel.map((s) => [
        s.label,
        String(s.count),
        s.fromPrevious === null ? '' : percent(s.fromPrevious),
        percent(s.fromFirst),
      ]),
    )}`,
  );
  if (figures.platforms.length > 0)
    sections.push(
      `Web and app\n${table(
        ['platform', 'events', 'page/screen views', 'orders'],
        figures.platforms.map((p) => [
          p.platform,
          String(p.events),
          String(p.views),
          String(p.orders),
        ]),
      )}`,
    );
  sections.push(
    figures.topProducts.length === 0
      ? 'Top products\n  none in this period'
      : `Top products\n${table(
          ['#', 'product', 'views', 'added', 'units ordered', 'revenue'],
          figures.topProducts.map((p, i) => [
            String(i + 1),
            p.name ? `${p.name} (${p.productId})` : p.productId,
            String(p.views),
            String(p.addToCarts),
            String(p.purchases),
            p.revenue.length === 0 ? '–' : formatMoney(p.revenue),
          ]),
          ['right', 'left', 'right', 'right', 'right', 'right'],
        )}`,
  );
  sections.push(eventsSection(figures, options));
  sections.push(`Generated ${figures.generatedAt}`);
  return `${sections.join('\n\n')}\n`;
}

function eventsSection(figures: DashboardFigures, options: ReportOptions): string {
  const shown = eventsPerMinute(figures.windows).slice(-(options.minutesShown ?? 15));
  if (shown.length === 0) return 'Events per minute by kind\n  none in this period';
  const columns = Math.min(options.kindColumns ?? 6, figures.eventKinds.length);
  const hasOther = figures.eventKinds.length > columns;
  const header = [
    'minute (UTC)',
    'events',
    ...figures.eventKinds.slice(0, columns),
    ...(hasOther ? ['other'] : []),
    'bad events',
  ];
  const rows = shown.map((m) => [
    hhmm(m.minute),
    String(m.events),
    ...m.byKind.slice(0, columns).map(String),
    ...(hasOther ? [String(m.byKind.slice(columns).reduce((a, b) => a + b, 0))] : []),
    String(m.badEvents),
  ]);
  const last = shown.length === 1 ? 'the last minute' : `the last ${shown.length} minutes`;
  return `Events per minute by kind (${last})\n${table(header, rows)}`;
}
