import {
  compileFilters,
  type FilterableRecord,
} from '../../../offline/event-source-mapping/filter.ts';
import { decode, scenario, sleep, waitFor, type Scenario } from './harness.ts';

describe('event source mapping: filter criteria', () => {
  let world: Scenario | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  test('filter criteria drop non-matching records before they are batched', async () => {
    const seen: unknown[] = [];
    world = await scenario({
      fn: (event) => void seen.push(...decode(event).map((s) => s.data.n)),
    });
    const orders = JSON.stringify({
      data: { event: [{ prefix: 'Order' }], total: [{ numeric: ['>', 10] }] },
    });
    const anon = JSON.stringify({
      data: { userId: [{ exists: false }], event: [{ 'anything-but': ['Page Viewed'] }] },
    });
    await world.put('a', { n: 1, event: 'Order Completed', total: 25, userId: 'u' });
    await world.put('a', { n: 2, event: 'Order Completed', total: 5, userId: 'u' }); // total too low
    await world.put('a', { n: 3, event: 'Product Viewed', userId: 'u' }); // neither filter
    await world.put('a', { n: 4, event: 'Product Viewed' }); // anonymous, not a page view
    await world.put('a', { n: 5, event: 'Page Viewed' }); // anonymous page view
    const mapping = await world.start({
      filterCriteria: { Filters: [{ Pattern: orders }, { Pattern: anon }] },
    });
    const last = await world.put('a', { n: 6, event: 'Order Refunded', total: 11 });
    await waitFor('the last match', () => seen.includes(6));
    await sleep(200);
    expect(seen).toEqual([1, 4, 6]);
    // Dropped records are never invoked, yet the checkpoint moves past them.
    expect(mapping.stats().recordsFiltered).toBe(3);
    expect(mapping.stats().shards['shardId-000000000000']?.checkpoint).toBe(last);
  });

  const record = (data: unknown, partitionKey = 'pk'): FilterableRecord => ({
    data,
    partitionKey,
    sequenceNumber: '1',
    kinesisSchemaVersion: '1.0',
    approximateArrivalTimestamp: 1,
  });
  test.each<[string, object, FilterableRecord, boolean]>([
    ['exact value', { data: { a: ['x'] } }, record({ a: 'x' }), true],
    ['exact value, other', { data: { a: ['x'] } }, record({ a: 'y' }), false],
    [
      'any element of an array field',
      { data: { tags: ['b'] } },
      record({ tags: ['a', 'b'] }),
      true,
    ],
    ['null', { data: { a: [null] } }, record({ a: null }), true],
    ['prefix', { data: { a: [{ prefix: 'Or' }] } }, record({ a: 'Order' }), true],
    ['suffix', { data: { a: [{ suffix: '.png' }] } }, record({ a: 'x.jpg' }), false],
    [
      'equals-ignore-case',
      { data: { a: [{ 'equals-ignore-case': 'ab' }] } },
      record({ a: 'AB' }),
      true,
    ],
    ['anything-but', { data: { a: [{ 'anything-but': 'x' }] } }, record({ a: 'x' }), false],
    [
      'anything-but prefix',
      { data: { a: [{ 'anything-but': { prefix: 'O' } }] } },
      record({ a: 'Page' }),
      true,
    ],
    ['exists', { data: { a: [{ exists: true }] } }, record({ b: 1 }), false],
    ['exists false', { data: { a: [{ exists: false }] } }, record({ b: 1 }), true],
    ['numeric range', { data: { n: [{ numeric: ['>', 0, '<=', 5] }] } }, record({ n: 5 }), true],
    [
      'numeric out of range',
      { data: { n: [{ numeric: ['>', 0, '<=', 5] }] } },
      record({ n: 6 }),
      false,
    ],
    ['nested field', { data: { o: { p: ['v'] } } }, record({ o: { p: 'v' } }), true],
    ['data that is not JSON', { data: { a: [{ exists: false }] } }, record(undefined), false],
    ['metadata field', { partitionKey: ['pk'] }, record({}), true],
  ])('filter subset: %s', (_name, pattern, input, expected) => {
    expect(compileFilters([JSON.stringify(pattern)])(input)).toBe(expected);
  });
});
