import { inProcessInvoker } from '../../../offline/lambda-invoker.ts';
import { ReloadGate } from '../../../offline/reload-gate.ts';

/** A function that answers when the test says so, with what it was sent. */
function heldFunction() {
  const releases: Array<() => void> = [];
  const started: unknown[] = [];
  const fn = (event: unknown) =>
    new Promise((resolve) => {
      started.push(event);
      releases.push(() => resolve({ ran: event }));
    });
  return { fn, started, release: () => releases.shift()?.() };
}

const tick = () => new Promise((r) => setTimeout(r, 20));

describe('reload gate: functions drain before serverless-offline reloads them', () => {
  test('a reload waits for the invocation in flight, which completes; a new one waits for the reload and then runs', async () => {
    const held = heldFunction();
    const gate = new ReloadGate({ info: () => undefined, warn: () => undefined });
    const invoker = gate.wrap(inProcessInvoker({ fn: held.fn }));

    const inFlight = invoker.invoke('fn', 1);
    await tick();
    let drained = false;
    const drain = gate.drain().then(() => (drained = true));
    const later = invoker.invoke('fn', 2);
    await tick();
    expect({ drained, started: held.started }).toEqual({ drained: false, started: [1] });

    held.release();
    await drain;
    expect(await inFlight).toEqual({ ok: true, payload: { ran: 1 } });
    await tick();
    expect(held.started).toEqual([1]); // the reload (cleanup) runs now, nothing starts

    gate.open();
    await tick();
    expect(held.started).toEqual([1, 2]);
    held.release();
    expect(await later).toEqual({ ok: true, payload: { ran: 2 } });
  });

  test('overlapping reloads: invocations wait until the last one is done', async () => {
    const held = heldFunction();
    const gate = new ReloadGate({ info: () => undefined, warn: () => undefined });
    const invoker = gate.wrap(inProcessInvoker({ fn: held.fn }));
    await gate.drain();
    await gate.drain();
    const waiting = invoker.invoke('fn', 1);
    gate.open();
    await tick();
    expect(held.started).toEqual([]);
    gate.open();
    await tick();
    expect(held.started).toEqual([1]);
    held.release();
    expect((await waiting).ok).toBe(true);
  });

  test('an invocation that outlasts the drain timeout does not hold the reload forever', async () => {
    const held = heldFunction();
    const warnings: string[] = [];
    const gate = new ReloadGate({ info: () => undefined, warn: (m) => warnings.push(m) }, 100);
    const invoker = gate.wrap(inProcessInvoker({ fn: held.fn }));
    const inFlight = invoker.invoke('fn', 1);
    await tick();
    await gate.drain();
    expect(warnings).toEqual([expect.stringMatching(/still in flight/)]);
    gate.open();
    held.release();
    expect((await inFlight).ok).toBe(true);
  });
});
