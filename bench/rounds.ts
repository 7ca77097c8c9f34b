/**
 * Interleaved timed rounds: each contender runs for a fixed time per round, one after the
 * other, so a noisy neighbour slows every contender of that round rather than one of them.
 */
import { performance } from 'node:perf_hooks';
import { fmtFixed, fmtRate, quantile } from './table.ts';

export interface Contender {
  label: string;
  /** One unit of work (a window, a batch); answers how many items (records) it handled. */
  step: () => number | Promise<number>;
}

export interface Tally {
  items: number;
  ms: number;
  steps: number;
  roundRates: number[];
}

export interface RoundPlan {
  warmUpMs: number;
  roundMs: number;
  rounds: number;
}

/** Bounded by time: steps until `ms` have passed (at least one step). */
async function timedRound(contender: Contender, ms: number) {
  let items = 0;
  let steps = 0;
  const start = performance.now();
  let now = start;
  while (steps === 0 || now - start < ms) {
    items += await contender.step();
    steps += 1;
    now = performance.now();
  }
  return { items, steps, ms: now - start };
}

/** Warms every contender up, then runs `rounds` rounds of each in turn; tallies in order. */
export async function runInterleaved(
  contenders: readonly Contender[],
  plan: RoundPlan,
): Promise<Tally[]> {
  for (const contender of contenders) await timedRound(contender, plan.warmUpMs);
  const tallies: Tally[] = contenders.map(() => ({ items: 0, ms: 0, steps: 0, roundRates: [] }));
  for (let round = 0; round < plan.rounds; round++) {
    for (const [i, contender] of contenders.entries()) {
      const result = await timedRound(contender, plan.roundMs);
      const tally = tallies[i] as Tally;
      tally.items += result.items;
      tally.steps += result.steps;
      tally.ms += result.ms;
      tally.roundRates.push((result.items / result.ms) * 1000);
    }
  }
  return tallies;
}

export const rateOf = (tally: Tally) => (tally.items / tally.ms) * 1000;

export const spread = (tally: Tally) =>
  `${fmtRate(Math.min(...tally.roundRates))}–${fmtRate(Math.max(...tally.roundRates))}`;

/**
 * The subject/floor ratio overall, and the median of the per-round ratios (each round pairs
 * the subject with the floor run right after it), against the target.
 */
export function ratioNote(label: string, subject: Tally, floor: Tally, target: number): string {
  const ratio = rateOf(subject) / rateOf(floor);
  const pairs = subject.roundRates
    .map((rate, i) => rate / (floor.roundRates[i] ?? Number.NaN))
    .sort((a, b) => a - b);
  const median = quantile(pairs, 0.5);
  const range = `${fmtFixed(pairs[0] ?? Number.NaN, 2)}–${fmtFixed(pairs[pairs.length - 1] ?? Number.NaN, 2)}`;
  return `${label}: ${fmtFixed(ratio, 2)} overall, ${fmtFixed(median, 2)} median of rounds (range ${range}); target >= ${target}: ${ratio >= target ? 'met' : 'NOT met'}`;
}
