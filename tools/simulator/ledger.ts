/**
 * What a run should leave behind downstream, counted from what the simulator sent: the
 * numbers a reconciliation compares the warehouse and the dashboards against.
 */
import { centsToDecimal, toCents } from './cents.ts';
import type { SimulatedMessage } from './simulate-shop.ts';

export interface LedgerSummary {
  sent: number;
  /** Every message sent, valid or not, by event name. */
  sentByName: Record<string, number>;
  /** Unique valid messages: what should be written once downstream. */
  accepted: number;
  invalid: number;
  invalidByDefect: Record<string, number>;
  duplicates: number;
  /** Valid Order Completed events. */
  orders: number;
  /** Order revenue (the spec's `revenue`: after discounts, before shipping and tax) by currency. */
  revenue: Record<string, { cents: number; amount: string }>;
}

const bump = (counts: Record<string, number>, key: string, by = 1) => {
  counts[key] = (counts[key] ?? 0) + by;
};

export class Ledger {
  private sent = 0;
  private accepted = 0;
  private invalid = 0;
  private duplicates = 0;
  private orders = 0;
  private readonly sentByName: Record<string, number> = {};
  private readonly invalidByDefect: Record<string, number> = {};
  private readonly revenueCents: Record<string, number> = {};

  static of(items: Iterable<SimulatedMessage>): Ledger {
    const ledger = new Ledger();
    for (const item of items) ledger.record(item);
    return ledger;
  }

  record({ message, kind, defect }: SimulatedMessage): void {
    this.sent += 1;
    bump(
      this.sentByName,
      typeof message.event === 'string' ? message.event : `(${String(message.type)})`,
    );
    if (kind === 'duplicate') this.duplicates += 1;
    if (kind === 'invalid') {
      this.invalid += 1;
      bump(this.invalidByDefect, defect ?? 'unknown');
    }
    if (kind !== 'valid') return;
    this.accepted += 1;
    if (message.event !== 'Order Completed') return;
    const properties = message.properties as { revenue?: unknown; currency?: unknown };
    this.orders += 1;
    if (typeof properties.revenue === 'number' && typeof properties.currency === 'string') {
      bump(this.revenueCents, properties.currency, toCents(properties.revenue));
    }
  }

  summary(): LedgerSummary {
    const sorted = (counts: Record<string, number>) =>
      Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
    const revenue = Object.fromEntries(
      Object.entries(sorted(this.revenueCents)).map(([currency, cents]) => [
        currency,
        { cents, amount: centsToDecimal(cents) },
      ]),
    );
    return {
      sent: this.sent,
      sentByName: sorted(this.sentByName),
      accepted: this.accepted,
      invalid: this.invalid,
      invalidByDefect: sorted(this.invalidByDefect),
      duplicates: this.duplicates,
      orders: this.orders,
      revenue,
    };
  }
}

/** The ledger as a table a person reads at the end of a run. */
export function formatLedger(summary: LedgerSummary): string {
  const rows: Array<[string, string]> = [
    ['messages sent', String(summary.sent)],
    ['  unique valid', String(summary.accepted)],
    ['  invalid (injected)', String(summary.invalid)],
    ['  duplicates (resent)', String(summary.duplicates)],
    ...Object.entries(summary.sentByName).map(([name, n]): [string, string] => [
      `  ${name}`,
      String(n),
    ]),
    ['orders completed', String(summary.orders)],
    ...Object.entries(summary.revenue).map(([currency, r]): [string, string] => [
      `revenue ${currency}`,
      r.amount,
    ]),
    ...Object.entries(summary.invalidByDefect).map(([defect, n]): [string, string] => [
      `invalid: ${defect}`,
      String(n),
    ]),
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const valueWidth = Math.max(...rows.map(([, value]) => value.length));
  return rows
    .map(([label, value]) => `${label.padEnd(width)}  ${value.padStart(valueWidth)}`)
    .join('\n');
}
