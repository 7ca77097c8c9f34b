import { gzipSync } from 'node:zlib';
import { eventText } from '../../../offline/faults/event-text.ts';
import type { FaultSwitches } from '../../../offline/faults/fault-switches.ts';
import { faultyInvoker, timedOutMessage } from '../../../offline/faults/faulty-invoker.ts';
import { inProcessInvoker } from '../../../offline/lambda-invoker.ts';
import { aggregate } from '../../../shared/kpl/deaggregate.ts';

const b64 = (text: string | Uint8Array) => Buffer.from(text).toString('base64');
const kinesisEvent = (datas: Array<string | Uint8Array>, state: unknown = {}) => ({
  Records: datas.map((data, i) => ({
    kinesis: { partitionKey: 'k', sequenceNumber: String(i + 1), data: b64(data) },
  })),
  window: { start: '2026-12-08T00:00:00Z', end: '2026-12-08T00:00:10Z' },
  state,
  isFinalInvokeForWindow: false,
});

describe('the text an invocation fault looks for its marker in', () => {
  test.each([
    ['Kinesis records, data decoded', kinesisEvent(['{"messageId":"m-1"}']), 'm-1', true],
    [
      'KPL aggregated records, unpacked',
      kinesisEvent([
        aggregate([
          { partitionKey: 'a', data: Buffer.from('{"messageId":"inner-7"}') },
          { partitionKey: 'b', data: Buffer.from('{"messageId":"inner-8"}') },
        ]),
      ]),
      'inner-8',
      true,
    ],
    [
      'not a tumbling window state',
      kinesisEvent(['{"messageId":"m-2"}'], { users: ['anon-x'] }),
      'anon-x',
      false,
    ],
    [
      'a final window invoke (no records)',
      kinesisEvent([], { users: ['anon-x'] }),
      'anon-x',
      false,
    ],
    [
      'Firehose transformation records, data decoded',
      { invocationId: 'i', records: [{ recordId: 'r', data: b64('{"anonymousId":"zz"}') }] },
      'zz',
      true,
    ],
    [
      'an API Gateway body, base64 and gzip',
      {
        rawPath: '/v1/batch',
        body: b64(gzipSync('{"anonymousId":"gz-1"}')),
        isBase64Encoded: true,
      },
      'gz-1',
      true,
    ],
    [
      'a plain JSON event (S3 notification)',
      { Records: [{ s3: { object: { key: 'a/b' } } }] },
      'a/b',
      true,
    ],
  ])('%s', (_what, event, marker, found) => {
    expect(eventText(event).includes(marker)).toBe(found);
  });
});

describe('invocation faults', () => {
  let switches: FaultSwitches = {};
  const calls: unknown[] = [];
  const inner = inProcessInvoker({
    'svc-local-aggregate': (event) => {
      calls.push(event);
      return { state: {}, batchItemFailures: [] };
    },
  });
  const invoker = faultyInvoker(inner, {
    switches: () => switches,
    functionKey: (name) => (name === 'svc-local-aggregate' ? 'aggregate' : name),
  });
  beforeEach(() => {
    switches = {};
    calls.length = 0;
  });

  test('no switch: the function runs and answers', async () => {
    const result = await invoker.invoke('svc-local-aggregate', kinesisEvent(['{}']));
    expect(result).toEqual({ ok: true, payload: { state: {}, batchItemFailures: [] } });
    expect(calls).toHaveLength(1);
  });

  test('error: a function error as a handler that threw, only for events with the marker, without running it', async () => {
    switches = { invoke: { aggregate: { mode: 'error', whenEventContains: 'poison-1' } } };
    const hit = await invoker.invoke(
      'svc-local-aggregate',
      kinesisEvent(['{"messageId":"poison-1"}']),
    );
    expect(hit).toEqual({
      ok: false,
      errorType: 'Error',
      errorMessage: expect.stringContaining('poison-1'),
      source: 'function',
    });
    expect(calls).toHaveLength(0);
    const miss = await invoker.invoke('svc-local-aggregate', kinesisEvent(['{"messageId":"ok"}']));
    expect(miss.ok).toBe(true);
    expect(calls).toHaveLength(1);
  });

  test("timeout: after timeoutMs, Lambda's Sandbox.Timedout answer", async () => {
    switches = { invoke: { aggregate: { mode: 'timeout', timeoutMs: 250 } } };
    const started = performance.now();
    const result = await invoker.invoke('svc-local-aggregate', kinesisEvent(['{}']));
    expect(performance.now() - started).toBeGreaterThanOrEqual(240);
    expect(result).toEqual({
      ok: false,
      errorType: 'Sandbox.Timedout',
      errorMessage: expect.stringMatching(
        /^RequestId: [0-9a-f-]{36} Error: Task timed out after 0\.25 seconds$/,
      ),
      source: 'function',
    });
    expect(timedOutMessage('id', 30_000)).toBe(
      'RequestId: id Error: Task timed out after 30.00 seconds',
    );
    expect(calls).toHaveLength(0);
  });

  test('times: spent after that many failures; rewriting the switch starts again', async () => {
    switches = { invoke: { aggregate: { mode: 'error', times: 2 } } };
    const outcomes = [];
    for (let i = 0; i < 3; i += 1)
      outcomes.push((await invoker.invoke('svc-local-aggregate', kinesisEvent(['{}']))).ok);
    expect(outcomes).toEqual([false, false, true]);
    switches = { invoke: { aggregate: { mode: 'error', times: 1 } } };
    expect((await invoker.invoke('svc-local-aggregate', kinesisEvent(['{}']))).ok).toBe(false);
    expect((await invoker.invoke('svc-local-aggregate', kinesisEvent(['{}']))).ok).toBe(true);
  });

  test('a switch for another function leaves this one alone', async () => {
    switches = { invoke: { transform: { mode: 'error' } } };
    expect((await invoker.invoke('svc-local-aggregate', kinesisEvent(['{}']))).ok).toBe(true);
  });
});
