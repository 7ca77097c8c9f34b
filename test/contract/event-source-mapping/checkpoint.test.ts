import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  counting,
  decode,
  scenario,
  sleep,
  waitFor,
  type Scenario,
  type WindowCall,
} from './harness.ts';

describe('event source mapping: checkpoints', () => {
  let world: Scenario | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  test('a restart resumes after the last committed batch without reprocessing', async () => {
    const times = new Map<number, number>();
    world = await scenario({
      fn: (event) => {
        for (const seen of decode(event)) {
          const i = seen.data.i as number;
          times.set(i, (times.get(i) ?? 0) + 1);
        }
      },
    });
    const sequences: string[] = [];
    for (let i = 0; i < 10; i += 1) sequences.push(await world.put('k', { i }));
    const first = await world.start({ batchSize: 5 }, { uuid: 'restart-test' });
    await waitFor('10 records', () => times.size === 10);
    await first.stop();
    const file = join(
      world.stateDir,
      'event-source-mappings',
      'restart-test',
      'shardId-000000000000.json',
    );
    const saved = JSON.parse(await readFile(file, 'utf8')) as { sequenceNumber: string };
    expect(saved.sequenceNumber).toBe(sequences[9]);

    for (let i = 10; i < 15; i += 1) await world.put('k', { i });
    await world.start({ batchSize: 5 }, { uuid: 'restart-test' });
    await waitFor('15 records', () => times.size === 15);
    await sleep(300);
    expect([...times.values()]).toEqual(Array(15).fill(1));
  });

  test('stop waits for the in-flight invocation and commits it', async () => {
    let started = 0;
    let finished = 0;
    world = await scenario({
      fn: async () => {
        started += 1;
        await sleep(400);
        finished += 1;
      },
    });
    await world.put('k', { i: 0 });
    const first = await world.start({}, { uuid: 'stop-test' });
    await waitFor('an invocation in flight', () => started === 1);
    await first.stop();
    expect(finished).toBe(1);
    await world.start({}, { uuid: 'stop-test' });
    await sleep(500);
    expect(started).toBe(1); // committed before stop returned: not invoked again
  });

  test('tumbling window state survives a restart', async () => {
    const calls: WindowCall[] = [];
    world = await scenario({ fn: counting(calls) });
    await world.put('k', { i: 0 });
    const first = await world.start({ tumblingWindowInSeconds: 900 }, { uuid: 'window-test' });
    await waitFor('the first aggregate', () => calls.length === 1);
    await first.stop();
    await world.put('k', { i: 1 });
    await world.start({ tumblingWindowInSeconds: 900 }, { uuid: 'window-test' });
    await waitFor('the second aggregate', () => calls.length === 2);
    expect(calls[1]?.records.map((r) => r.data.i)).toEqual([1]);
    expect(calls[1]?.state).toEqual({ count: 1 });
    expect(calls[1]?.window).toEqual(calls[0]?.window);
  });
});
