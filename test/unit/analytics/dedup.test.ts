import { accumulate } from '../../../shared/analytics/accumulate.ts';
import { keepRecent } from '../../../shared/analytics/recent-ids.ts';
import { emitRows } from '../../../shared/analytics/metric-rows.ts';
import { emptyState, nextPartState } from '../../../shared/analytics/window-state.ts';
import { metricsOf, page, rejected, track, WINDOW } from './fixtures.ts';

const order = (messageId: string) =>
  track('Order Completed', { order_id: messageId, revenue: 10, currency: 'USD' }, { messageId });

describe('a messageId counts once per window', () => {
  it('when resent within a batch', () => {
    const metrics = metricsOf([order('m1'), order('m1'), order('m2'), order('m1')]);
    expect(metrics).toMatchObject({ orders: 2, events: 2, duplicatesDropped: 2 });
    expect(metrics.revenueByCurrency).toEqual({ USD: '20.000000' });
  });

  it('when a whole batch is delivered again after it was counted', () => {
    const batch = [order('m1'), order('m2'), page({ messageId: 'm3' })];
    const once = accumulate(emptyState(), batch);
    const twice = accumulate(once, batch);
    expect({ ...twice.tally, duplicates: 0 }).toEqual({ ...once.tally, duplicates: 0 });
    expect(twice.tally.duplicates).toBe(3);
  });

  it('across the parts of a window terminated early', () => {
    const part1 = accumulate(emptyState(), [order('m1'), page({ messageId: 'm2' })]);
    const part2 = accumulate(nextPartState(part1), [order('m1'), order('m3')]);
    const metrics = emitRows(part2, WINDOW).metrics;
    expect(metrics).toMatchObject({ part: 2, orders: 1, events: 1, duplicatesDropped: 1 });
  });

  it('for rejected records too, apart from valid events with the same id', () => {
    const metrics = metricsOf([
      rejected({ messageId: 'm1' }),
      rejected({ messageId: 'm1' }),
      order('m1'),
      order('m1'),
    ]);
    expect(metrics).toMatchObject({ rejectedEvents: 1, orders: 1, duplicatesDropped: 2 });
  });

  it('records without a messageId cannot be matched, so each counts', () => {
    const noId = { ...page(), messageId: '' };
    expect(metricsOf([noId, noId]).events).toBe(2);
  });
});

describe('the dedup memory is bounded', () => {
  it('remembers the last dedupIds ids: a resend within them is dropped, an older one counted', () => {
    const state = emptyState({ dedupIds: 3 });
    const seen = accumulate(state, [order('m1'), order('m2'), order('m3'), order('m4')]);
    expect(seen.recentMessageIds).toEqual(['m2', 'm3', 'm4']);
    const again = accumulate(seen, [order('m2'), order('m1')]);
    expect(again.tally).toMatchObject({ orders: 5, duplicates: 1 });
  });

  it.each([
    [['a', 'b', 'c'], 10, 1000, ['a', 'b', 'c']],
    [['a', 'b', 'c'], 2, 1000, ['b', 'c']],
    // '[' + '"b",' + '"c",' + ']' : 2 brackets and 4 bytes per id (quotes and comma)
    [['a', 'b', 'c'], 10, 10, ['b', 'c']],
    [['a', 'b', 'c'], 10, 9, ['c']],
    [['a', 'é'], 10, 7, ['é']],
    [['a', 'b'], 10, 1, []],
  ])('keepRecent(%j, %i ids, %i bytes) is %j', (ids, maxIds, maxBytes, kept) => {
    expect(keepRecent(ids, maxIds, maxBytes)).toEqual(kept);
  });
});

describe('accumulate is pure', () => {
  it('leaves the state it was given as it was', () => {
    const before = accumulate(emptyState(), [order('m1')]);
    const snapshot = structuredClone(before);
    accumulate(before, [order('m2'), page({ anonymousId: 'someone-else' })]);
    expect(before).toEqual(snapshot);
  });
});
