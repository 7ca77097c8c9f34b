/**
 * Simulator options, checked once so that a typo or an impossible mix fails loudly instead
 * of producing a quietly wrong stream.
 */

/** The probability that a shopper leaves at each step of the funnel (0..1). */
export interface Abandonment {
  /** Leaves after the product list, having viewed no product (a bounce). */
  afterList: number;
  /** Leaves after viewing products, having added none to the cart. */
  afterProduct: number;
  /** Leaves after adding to the cart, without looking at the cart. */
  afterAdd: number;
  /** Leaves at the cart without starting checkout. */
  afterCart: number;
  /** Starts checkout and never completes the order. */
  afterCheckout: number;
}

/** Busier than a real shop (~2-3 % conversion) so that orders show up in short demo runs. */
export const DEFAULT_ABANDONMENT: Abandonment = {
  afterList: 0.35,
  afterProduct: 0.65,
  afterAdd: 0.25,
  afterCart: 0.35,
  afterCheckout: 0.3,
};

/** 2026-11-25T09:00:00Z: the default start, so that a seed alone fixes every timestamp. */
export const SIMULATION_EPOCH_MS = Date.UTC(2026, 10, 25, 9, 0, 0);

export interface SimulatorOptions {
  seed: number;
  /** Events per second, on average (arrivals are random, as real traffic is). */
  rate: number;
  /** Stop after this much simulated time... */
  durationMs?: number;
  /** ...or after this many messages (valid, invalid and duplicates together). */
  events?: number;
  /** When the simulated clock starts; the CLI passes Date.now(). */
  startMs?: number;
  /** Fraction of messages made invalid on purpose (0..1). */
  badRate?: number;
  /** Fraction of messages that resend an earlier message with the same messageId (0..1). */
  duplicateRate?: number;
  abandonment?: Partial<Abandonment>;
}

export interface ResolvedOptions {
  seed: number;
  rate: number;
  durationMs: number;
  events: number;
  startMs: number;
  badRate: number;
  duplicateRate: number;
  abandonment: Abandonment;
}

export class SimulatorOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulatorOptionsError';
  }
}

const fraction = (name: string, value: number) => {
  if (!(value >= 0 && value <= 1)) {
    throw new SimulatorOptionsError(`${name} must be between 0 and 1 (got ${value})`);
  }
  return value;
};

export function resolveOptions(options: SimulatorOptions): ResolvedOptions {
  const { seed, rate, durationMs, events } = options;
  if (!Number.isSafeInteger(seed)) {
    throw new SimulatorOptionsError(`seed must be an integer (got ${seed})`);
  }
  if (!(rate > 0 && Number.isFinite(rate))) {
    throw new SimulatorOptionsError(`rate must be a positive number of events/s (got ${rate})`);
  }
  if ((durationMs === undefined) === (events === undefined)) {
    throw new SimulatorOptionsError('give either a duration or a number of events, not both');
  }
  if (durationMs !== undefined && !(durationMs > 0 && Number.isFinite(durationMs))) {
    throw new SimulatorOptionsError(`duration must be positive (got ${durationMs} ms)`);
  }
  if (events !== undefined && !(Number.isSafeInteger(events) && events > 0)) {
    throw new SimulatorOptionsError(`events must be a positive integer (got ${events})`);
  }
  const badRate = fraction('badRate', options.badRate ?? 0);
  const duplicateRate = fraction('duplicateRate', options.duplicateRate ?? 0);
  if (badRate + duplicateRate > 1) {
    throw new SimulatorOptionsError('badRate + duplicateRate must not exceed 1');
  }
  const abandonment = { ...DEFAULT_ABANDONMENT };
  for (const [step, value] of Object.entries(options.abandonment ?? {})) {
    if (!(step in DEFAULT_ABANDONMENT)) {
      const known = Object.keys(DEFAULT_ABANDONMENT).join(', ');
      throw new SimulatorOptionsError(`unknown abandonment step "${step}" (known: ${known})`);
    }
    if (value !== undefined) abandonment[step as keyof Abandonment] = fraction(step, value);
  }
  return {
    seed,
    rate,
    durationMs: durationMs ?? Number.POSITIVE_INFINITY,
    events: events ?? Number.POSITIVE_INFINITY,
    startMs: options.startMs ?? SIMULATION_EPOCH_MS,
    badRate,
    duplicateRate,
    abandonment,
  };
}
