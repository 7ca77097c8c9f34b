import {
  aggregateWindow,
  MetricsDeliveryError,
  type TumblingWindowInput,
} from '../../../shared/analytics/aggregate-window.ts';
import { aggregate } from '../../../shared/kpl/deaggregate.ts';
import { MAX_STATE_BYTES_HINT } from '../../support/window-limits.ts';
import type {
  EntryOutcome,
  StreamEntry,
  StreamWriter,
} from '../../../shared/adapters/stream-writer/stream-writer.ts';

class MemoryFirehose implements StreamWriter {
  lines: Array<Record<string, unknown>> = [];
  constructor(private readonly refuse = false) {}
  async putRecords(entries: readonly StreamEntry[]): Promise<EntryOutcome[]> {
    if (this.refuse)
      return entries.map(() => ({
        ok: false,
        errorCode: 'AccessDeniedException',
        errorMessage: 'no',
      }));
    for (const entry of entries)
      this.lines.push(
        JSON.parse(Buffer.from(entry.data).toString('utf8')) as Record<string, unknown>,
      );
    return entries.map(() => ({ ok: true }));
  }
}

let seq = 0;
const record = (value: unknown, raw?: string) => ({
  kinesis: {
    data: raw ?? Buffer.from(JSON.stringify(value)).toString('base64'),
    sequenceNumber: String(++seq).padStart(20, '0'),
    partitionKey: 'anon-1',
  },
});
const view = (id: string, product = 'p-1') => ({
  type: 'track',
  event: 'Product Viewed',
  messageId: id,
  anonymousId: 'anon-1',
  properties: { product_id: product, price: 10 },
  context: {},
  timestamp: '2026-11-25T10:00:01.000Z',
  receivedAt: '2026-11-25T10:00:01.000Z',
});
const windowEvent = (
  records: TumblingWindowInput['Records'],
  state: Record<string, unknown> = {},
  final = false,
): TumblingWindowInput => ({
  Records: records,
  window: { start: '2026-11-25T10:00:00Z', end: '2026-11-25T10:01:00Z' },
  state,
  shardId: 'shardId-000000000000',
  isFinalInvokeForWindow: final,
  isWindowTerminatedEarly: false,
});
const deps = (firehose: StreamWriter) => ({
  metrics: firehose,
  retry: { budgetMs: 0, baseDelayMs: 1, maxDelayMs: 1 },
});

describe('aggregate window handler contract', () => {
  test('returns {state, batchItemFailures} and carries state across invocations until the final invoke', async () => {
    const firehose = new MemoryFirehose();
    const first = await aggregateWindow(
      windowEvent([record(view('m1')), record(view('m2'))]),
      deps(firehose),
    );
    expect(first.batchItemFailures).toEqual([]);
    expect(firehose.lines).toEqual([]);
    const second = await aggregateWindow(
      windowEvent([record(view('m3')), record(view('m1'))], first.state),
      deps(firehose),
    );
    const final = await aggregateWindow(windowEvent([], second.state, true), deps(firehose));
    expect(final).toEqual({ state: {}, batchItemFailures: [] });
    const metrics = firehose.lines.filter((l) => l.kind === 'window_metrics');
    expect(metrics).toHaveLength(1);
    expect(metrics[0]).toMatchObject({
      productViews: 3,
      duplicatesDropped: 1,
      part: 1,
      shardId: 'shardId-000000000000',
    });
    expect(firehose.lines.filter((l) => l.kind === 'product_metrics')).toEqual([
      expect.objectContaining({ productId: 'p-1', views: 3 }),
    ]);
  });

  test('a poison record is counted as a rejected record once, by its sequence number, and the shard moves on', async () => {
    const firehose = new MemoryFirehose();
    const good = record(view('g1'));
    const poison = record(null, Buffer.from('{not json').toString('base64'));
    const wrongShape = record({ hello: 'world' });
    const after = record(view('g2'));
    const poisoned: string[] = [];
    const result = await aggregateWindow(windowEvent([good, poison, wrongShape, after]), {
      ...deps(firehose),
      onPoison: (sequenceNumber) => poisoned.push(sequenceNumber),
    });
    expect(result.batchItemFailures).toEqual([]);
    expect(poisoned).toEqual([poison.kinesis.sequenceNumber, wrongShape.kinesis.sequenceNumber]);
    // A redelivery of the same batch (a retry) counts nothing twice.
    const again = await aggregateWindow(
      windowEvent([poison, wrongShape, after], result.state),
      deps(firehose),
    );
    await aggregateWindow(windowEvent([], again.state, true), deps(firehose));
    expect(firehose.lines.find((l) => l.kind === 'window_metrics')).toMatchObject({
      productViews: 2,
      rejectedEvents: 2,
    });
  });

  test('KPL aggregated records count each event inside; a bad event makes the Kinesis record that holds it one rejected record', async () => {
    const firehose = new MemoryFirehose();
    const packed = (values: Array<unknown>) =>
      record(
        null,
        Buffer.from(
          aggregate(
            values.map((v) => ({
              partitionKey: 'anon-1',
              data: Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)),
            })),
          ),
        ).toString('base64'),
      );
    const three = packed([view('k1'), view('k2'), view('k3')]);
    const holdsPoison = packed([view('k4'), '{not json']);
    const result = await aggregateWindow(windowEvent([three, holdsPoison]), deps(firehose));
    expect(result.batchItemFailures).toEqual([]);
    await aggregateWindow(windowEvent([], result.state, true), deps(firehose));
    expect(firehose.lines.find((l) => l.kind === 'window_metrics')).toMatchObject({
      productViews: 3,
      rejectedEvents: 1,
    });
  });

  test('state stays under 1 MB with 50,000 products in a window, ending parts early', async () => {
    const firehose = new MemoryFirehose();
    let state: Record<string, unknown> = {};
    for (let batch = 0; batch < 50; batch += 1) {
      const records = Array.from({ length: 1_000 }, (_, i) =>
        record(view(`m-${batch}-${i}`, `product-${batch * 1_000 + i}`)),
      );
      const out = await aggregateWindow(windowEvent(records, state), deps(firehose));
      expect(Buffer.byteLength(JSON.stringify(out.state))).toBeLessThan(MAX_STATE_BYTES_HINT);
      state = out.state;
    }
    await aggregateWindow(windowEvent([], state, true), deps(firehose));
    const parts = firehose.lines.filter((l) => l.kind === 'window_metrics');
    expect(parts.length).toBeGreaterThan(1);
    expect(parts.reduce((sum, p) => sum + Number(p.productViews), 0)).toBe(50_000);
    expect(
      new Set(firehose.lines.filter((l) => l.kind === 'product_metrics').map((l) => l.productId))
        .size,
    ).toBe(50_000);
  }, 60_000);

  test('rows the delivery stream refuses fail the invocation, so Lambda retries it with the old state', async () => {
    await expect(
      aggregateWindow(windowEvent([record(view('x'))], {}, true), deps(new MemoryFirehose(true))),
    ).rejects.toBeInstanceOf(MetricsDeliveryError);
  });
});
