import { DEFAULT_ABANDONMENT, type Abandonment } from '../../../tools/simulator/options.ts';
import { Random } from '../../../tools/simulator/seeded-random.ts';
import { walkSession } from '../../../tools/simulator/session.ts';
import { newShopper } from '../../../tools/simulator/shoppers.ts';

const SESSIONS = 100_000;
const abandonment: Abandonment = { ...DEFAULT_ABANDONMENT, afterProduct: 0.5 };

/** Sessions reaching each step, from a fixed seed so the test is deterministic. */
function walkMany(): Record<string, number> {
  const rng = new Random(20261125);
  const reached: Record<string, number> = {};
  for (let i = 0; i < SESSIONS; i += 1) {
    const names = new Set(walkSession(rng, newShopper(rng), 0, abandonment).map((e) => e.event));
    for (const name of names) reached[name] = (reached[name] ?? 0) + 1;
  }
  return reached;
}

describe('the funnel over 100,000 sessions', () => {
  const reached = walkMany();
  const count = (name: string) => reached[name] ?? 0;

  it('starts every session on a product list', () => {
    expect(count('Product List Viewed')).toBe(SESSIONS);
  });

  // Each step continues with probability 1 - abandonment; n sessions reached the step before.
  it.each([
    ['Product List Viewed', 'Product Viewed', abandonment.afterList],
    ['Product Viewed', 'Product Added', abandonment.afterProduct],
    ['Product Added', 'Cart Viewed', abandonment.afterAdd],
    ['Cart Viewed', 'Checkout Started', abandonment.afterCart],
    ['Checkout Started', 'Order Completed', abandonment.afterCheckout],
  ])('%s → %s continues with 1 - %d within 6 standard deviations', (from, to, leave) => {
    const n = count(from);
    const p = 1 - leave;
    const sd = Math.sqrt(n * p * (1 - p));
    expect(n).toBeGreaterThan(1_000);
    expect(Math.abs(count(to) - n * p)).toBeLessThan(6 * sd);
  });
});
