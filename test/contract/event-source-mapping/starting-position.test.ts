import { decode, scenario, sleep, waitFor, type Scenario, type Seen } from './harness.ts';

describe('event source mapping: StartingPosition', () => {
  let world: Scenario | undefined;
  let seen: Seen[] = [];
  beforeEach(async () => {
    seen = [];
    world = await scenario({ fn: (event) => void seen.push(...decode(event)) });
  });
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  test('TRIM_HORIZON processes the records already in the stream', async () => {
    const w = world as Scenario;
    await w.put('k', { n: 'old' });
    await w.start({ startingPosition: 'TRIM_HORIZON' });
    await w.put('k', { n: 'new' });
    await waitFor('both records', () => seen.length >= 2);
    expect(seen.map((s) => s.data.n)).toEqual(['old', 'new']);
  });

  test('LATEST processes only records put after the mapping started', async () => {
    const w = world as Scenario;
    await w.put('k', { n: 'old' });
    await w.start({ startingPosition: 'LATEST' });
    await w.put('k', { n: 'new' });
    await waitFor('the new record', () => seen.length >= 1);
    await sleep(400);
    expect(seen.map((s) => s.data.n)).toEqual(['new']);
  });

  test('AT_TIMESTAMP processes records that arrived from the timestamp on', async () => {
    const w = world as Scenario;
    await w.put('k', { n: 'before' });
    await sleep(50);
    const timestamp = Date.now() / 1000;
    await sleep(50);
    await w.put('k', { n: 'after-1' });
    await w.start({ startingPosition: 'AT_TIMESTAMP', startingPositionTimestamp: timestamp });
    await w.put('k', { n: 'after-2' });
    await waitFor('two records', () => seen.length >= 2);
    await sleep(400);
    expect(seen.map((s) => s.data.n)).toEqual(['after-1', 'after-2']);
  });
});
