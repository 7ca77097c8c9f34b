import { validateMessage } from '../../../shared/event-contract/validate.ts';
import { Ledger } from '../../../tools/simulator/ledger.ts';
import { centsToDecimal } from '../../../tools/simulator/cents.ts';
import { SimulatorOptionsError, type SimulatorOptions } from '../../../tools/simulator/options.ts';
import { simulate, type SimulatedMessage } from '../../../tools/simulator/simulate-shop.ts';

const run = (options: Partial<SimulatorOptions> = {}): SimulatedMessage[] => [
  ...simulate({ seed: 42, rate: 10, events: 3_000, badRate: 0.1, duplicateRate: 0.05, ...options }),
];
const receipt = { receivedAtMs: Date.parse('2026-11-25T10:00:00.000Z') };
const validate = (message: unknown) => validateMessage(message, receipt, () => 'server-made-id');

describe('simulate', () => {
  const items = run();

  it('gives identical events for the same seed', () => {
    expect(JSON.stringify(run())).toBe(JSON.stringify(items));
  });

  it('gives different events for a different seed', () => {
    const other = run({ seed: 43 });
    const ids = new Set(items.map((i) => i.message.messageId));
    expect(other.filter((i) => ids.has(i.message.messageId))).toHaveLength(0);
  });

  it('stops at the requested number of events, or at the end of the duration', () => {
    expect(items).toHaveLength(3_000);
    const timed = [...simulate({ seed: 1, rate: 20, durationMs: 30_000, startMs: 0 })];
    expect(timed.every((i) => i.atMs >= 0 && i.atMs < 30_000)).toBe(true);
    // 600 expected; a Poisson count this far off would be a > 8 sigma event.
    expect(timed.length).toBeGreaterThan(400);
    expect(timed.length).toBeLessThan(800);
  });

  it('sends valid messages the API accepts and invalid ones it rejects', () => {
    const wrong = items.filter((i) => validate(i.message).ok !== (i.kind !== 'invalid'));
    expect(wrong.map((i) => [i.kind, i.defect, i.message])).toEqual([]);
    expect(items.some((i) => i.kind === 'invalid')).toBe(true);
  });

  it('injects invalid and duplicate messages at about the requested rates', () => {
    const share = (kind: string) => items.filter((i) => i.kind === kind).length / items.length;
    // Binomial, n = 3000: sd ~0.0055 for 10 %, ~0.004 for 5 %; bounds are over 6 sd wide.
    expect(share('invalid')).toBeGreaterThan(0.1 - 0.04);
    expect(share('invalid')).toBeLessThan(0.1 + 0.04);
    expect(share('duplicate')).toBeGreaterThan(0.05 - 0.03);
    expect(share('duplicate')).toBeLessThan(0.05 + 0.03);
  });

  it('resends duplicates with the messageId of an earlier valid message, and nothing else repeats', () => {
    const seen = new Map<string, string>();
    for (const { message, kind } of items) {
      const earlier = seen.get(message.messageId);
      if (kind === 'duplicate') expect(earlier).toBe(JSON.stringify(message));
      else expect(earlier).toBeUndefined();
      if (kind === 'valid') seen.set(message.messageId, JSON.stringify(message));
    }
  });

  it('keeps sends in time order and uses documentation IP ranges', () => {
    for (let i = 1; i < items.length; i += 1) {
      expect((items[i] as SimulatedMessage).atMs).toBeGreaterThanOrEqual(
        (items[i - 1] as SimulatedMessage).atMs,
      );
    }
    const ips = items.map((i) => (i.message.context as { ip: string }).ip);
    expect(
      ips.every((ip) => /^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d+$|^2001:db8::/.test(ip)),
    ).toBe(true);
  });

  it.each([
    [{ rate: 0 }, /rate must be a positive/],
    [{ badRate: 1.5 }, /badRate must be between 0 and 1/],
    [{ badRate: 0.6, duplicateRate: 0.6 }, /must not exceed 1/],
    [{ durationMs: 1_000 }, /either a duration or a number of events/],
    [{ abandonment: { afterCarts: 0.5 } }, /unknown abandonment step "afterCarts"/],
  ])('refuses bad options %j', (options, message) => {
    expect(() => run(options as Partial<SimulatorOptions>)).toThrow(SimulatorOptionsError);
    expect(() => run(options as Partial<SimulatorOptions>)).toThrow(message);
  });
});

describe('app shoppers', () => {
  const items = run({ seed: 11, events: 4_000 });
  const messages = items.filter((i) => i.kind === 'valid').map((i) => i.message);
  const of = (type: string) => messages.filter((m) => m.type === type);

  it('send screens with the app context of analytics-swift or analytics-kotlin, and no page', () => {
    const screens = of('screen');
    expect(screens.length).toBeGreaterThan(100);
    const libraries = new Set(
      screens.map((m) => (m.context as { library: { name: string } }).library.name),
    );
    expect([...libraries].sort()).toEqual(['analytics-kotlin', 'analytics-swift']);
    for (const screen of screens) {
      expect(screen.context).toMatchObject({ app: { version: '4.2.0' }, os: {}, device: {} });
      expect(screen.context).not.toHaveProperty('page');
      expect(typeof screen.name).toBe('string');
    }
  });

  it('alias their anonymousId to the userId they sign in with, before their order', () => {
    const aliases = of('alias');
    expect(aliases.length).toBeGreaterThan(5);
    for (const alias of aliases) {
      expect(alias.previousId).toBe(alias.anonymousId);
      expect(alias.userId).toMatch(/^user-\d+$/);
    }
  });

  it('are about the app share of visits, and web visits stay as they were', () => {
    const web = messages.filter(
      (m) => (m.context as { library: { name: string } }).library.name === 'analytics.js',
    );
    expect(web.length).toBeGreaterThan(messages.length / 3);
    expect(web.every((m) => m.type === 'track')).toBe(true);
  });
});

describe('Ledger', () => {
  it('equals a recount of the generated events, revenue to the cent', () => {
    const items = run({ seed: 7, events: 5_000, abandonment: { afterProduct: 0.3 } });
    const valid = items.filter((i) => i.kind === 'valid');
    const orders = valid.filter((i) => i.message.event === 'Order Completed');
    const revenue: Record<string, bigint> = {};
    for (const { message } of orders) {
      const { revenue: amount, currency } = message.properties as {
        revenue: number;
        currency: string;
      };
      // Recounted from the decimal text, in bigint, so no float rounding is shared with the ledger.
      const [units = '0', cents = ''] = amount.toFixed(2).split('.');
      revenue[currency] = (revenue[currency] ?? 0n) + BigInt(units) * 100n + BigInt(cents);
    }
    const byName: Record<string, number> = {};
    for (const { message } of items) {
      // An app's screens and aliases have no event name: they count by their type.
      const name = message.type === 'track' ? String(message.event) : `(${String(message.type)})`;
      byName[name] = (byName[name] ?? 0) + 1;
    }

    const summary = Ledger.of(items).summary();
    expect(orders.length).toBeGreaterThan(20);
    expect(summary).toMatchObject({
      sent: items.length,
      sentByName: byName,
      accepted: new Set(valid.map((i) => i.message.messageId)).size,
      invalid: items.filter((i) => i.kind === 'invalid').length,
      duplicates: items.filter((i) => i.kind === 'duplicate').length,
      orders: orders.length,
    });
    expect(summary.accepted).toBe(valid.length);
    expect(Object.keys(summary.revenue).sort()).toEqual(Object.keys(revenue).sort());
    for (const [currency, cents] of Object.entries(revenue)) {
      expect(summary.revenue[currency]).toEqual({
        cents: Number(cents),
        amount: centsToDecimal(Number(cents)),
      });
    }
  });

  it.each([
    [0, '0.00'],
    [5, '0.05'],
    [123456, '1234.56'],
    [-250, '-2.50'],
  ])('writes %i cents as %s', (cents, text) => {
    expect(centsToDecimal(cents)).toBe(text);
  });
});
