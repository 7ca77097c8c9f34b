/**
 * The aggregate use case (aggregateWindow, what the tumbling-window handler runs) against
 * the floor of any consumer of the same records: base64-decode and JSON.parse each one. One
 * shard's window of 10,000 realistic events is delivered in batches of the event source
 * mapping's BatchSize, the state carried from one invocation to the next as Lambda carries
 * it, and the final invocation emits the rows to an in-memory metrics writer.
 */
import {
  aggregateWindow,
  type AggregateDeps,
  type TumblingWindowInput,
} from '#shared/analytics/aggregate-window';
import type { KinesisRecordIn } from '#shared/analytics/decode-stream-records';
import type {
  EntryOutcome,
  StreamEntry,
  StreamWriter,
} from '#shared/adapters/stream-writer/stream-writer';
import { FIXTURE_EPOCH_MS } from './fixtures.ts';
import { rateOf, ratioNote, runInterleaved, spread, type Tally } from './rounds.ts';
import { base64Record, normalisedEvents, sequenceNumber } from './stream-records.ts';
import { fmtFixed, fmtInt, fmtMs, fmtRate, fmtRatio, printNotes, printTable } from './table.ts';

const WINDOW_EVENTS = 10_000;
const BATCH_SIZES = [100, 1_000, 10_000] as const;
const PLAN = { warmUpMs: 500, roundMs: 1_000, rounds: 5 };
const TARGET_RATIO = 0.5;
const STATE_CHECKPOINTS = [1_000, 2_500, 5_000, 10_000] as const;
const SHARD_ID = 'shardId-000000000000';
/** The longest tumbling window Lambda allows: 15 minutes. */
const WINDOW = {
  start: new Date(FIXTURE_EPOCH_MS).toISOString(),
  end: new Date(FIXTURE_EPOCH_MS + 900_000).toISOString(),
};

/** The metrics delivery stream in memory: accepts every row and counts what it was given. */
class MetricsCollector implements StreamWriter {
  rows = 0;
  bytes = 0;

  async putRecords(entries: readonly StreamEntry[]): Promise<EntryOutcome[]> {
    return entries.map((entry) => {
      this.rows += 1;
      this.bytes += entry.data.byteLength;
      return { ok: true };
    });
  }
}

function inBatches<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}

/**
 * One window: an invocation per batch, then the final one (no records) that emits the rows.
 * `onState` sees the state handed back after each batch, with the events counted so far.
 */
async function aggregateOneWindow(
  batches: readonly KinesisRecordIn[][],
  deps: AggregateDeps,
  onState?: (events: number, state: Record<string, unknown>) => void,
): Promise<number> {
  let state: Record<string, unknown> | null = null;
  let records = 0;
  const invoke = async (Records: KinesisRecordIn[], isFinalInvokeForWindow: boolean) => {
    const event: TumblingWindowInput = {
      Records,
      window: WINDOW,
      state,
      shardId: SHARD_ID,
      isFinalInvokeForWindow,
    };
    const output = await aggregateWindow(event, deps);
    if (output.batchItemFailures.length > 0)
      throw new Error(`poison records: ${JSON.stringify(output.batchItemFailures)}`);
    return output.state;
  };
  for (const batch of batches) {
    state = await invoke(batch, false);
    records += batch.length;
    onState?.(records, state);
  }
  await invoke([], true);
  return records;
}

/** What every consumer of these records does: base64 to bytes to text, and JSON.parse. */
function floor(records: readonly KinesisRecordIn[]): number {
  let fields = 0;
  for (const record of records) {
    const value = JSON.parse(Buffer.from(record.kinesis.data, 'base64').toString('utf8')) as object;
    fields += Object.keys(value).length;
  }
  if (fields === 0) throw new Error('floor parsed nothing');
  return records.length;
}

const jsonBytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value), 'utf8');

export async function run(): Promise<void> {
  const events = normalisedEvents(11, WINDOW_EVENTS);
  const records: KinesisRecordIn[] = events.map((event, i) => ({
    kinesis: {
      data: base64Record(event),
      sequenceNumber: sequenceNumber(i),
      partitionKey: event.anonymousId ?? event.messageId,
    },
  }));
  const recordBytes = records.reduce((sum, r) => sum + r.kinesis.data.length, 0);

  const metrics = new MetricsCollector();
  let parts = 0;
  const deps: AggregateDeps = {
    metrics,
    retry: { budgetMs: 3_000, baseDelayMs: 50, maxDelayMs: 1_000 },
    onEmit: () => {
      parts += 1;
    },
  };

  // The state's size as the window fills up, from one untimed window.
  const stateRows: string[][] = [];
  const checkpoints = new Set<number>(STATE_CHECKPOINTS);
  await aggregateOneWindow(inBatches(records, 500), deps, (counted, state) => {
    if (!checkpoints.has(counted)) return;
    const { recentMessageIds, users, ...rest } = state;
    const total = jsonBytes(state);
    stateRows.push([
      fmtInt(counted),
      fmtInt(total),
      fmtInt(jsonBytes(recentMessageIds)),
      fmtInt(jsonBytes(users)),
      fmtInt(jsonBytes(rest)),
      fmtFixed(total / counted, 1),
      fmtInt((total / counted) * 10_000),
      `${fmtFixed((total / 1_000_000) * 100, 0)} %`,
    ]);
  });
  const rowsPerWindow = metrics.rows;
  if (parts !== 1) throw new Error(`a window of ${WINDOW_EVENTS} events emitted ${parts} parts`);

  const rows: string[][] = [];
  const notes: string[] = [];
  for (const batchSize of BATCH_SIZES) {
    const batches = inBatches(records, batchSize);
    const rowsBefore = metrics.rows;
    const [onUseCase, onFloor] = (await runInterleaved(
      [
        { label: 'aggregateWindow', step: () => aggregateOneWindow(batches, deps) },
        { label: 'floor', step: () => floor(records) },
      ],
      PLAN,
    )) as [Tally, Tally];
    const label = `BatchSize ${fmtInt(batchSize)} (${batches.length} + 1 invocations)`;
    const useCaseRate = rateOf(onUseCase);
    const floorRate = rateOf(onFloor);
    rows.push(
      [
        label,
        'aggregateWindow',
        fmtInt(onUseCase.items),
        fmtRate(useCaseRate),
        spread(onUseCase),
        fmtMs(onUseCase.ms / onUseCase.steps),
        fmtRatio(useCaseRate, floorRate),
      ],
      [
        '',
        'floor (baseline)',
        fmtInt(onFloor.items),
        fmtRate(floorRate),
        spread(onFloor),
        fmtMs(onFloor.ms / onFloor.steps),
        '1.00×',
      ],
    );
    notes.push(
      ratioNote(
        `BatchSize ${fmtInt(batchSize)}: aggregate/floor`,
        onUseCase,
        onFloor,
        TARGET_RATIO,
      ),
    );
    // Every window the rounds ran emitted its rows (warm-up windows included).
    const windows = (metrics.rows - rowsBefore) / rowsPerWindow;
    if (!Number.isInteger(windows) || windows < onUseCase.steps)
      throw new Error(`${metrics.rows - rowsBefore} metrics rows is not whole windows`);
  }

  printTable(
    `Aggregate throughput: one shard's window of ${fmtInt(WINDOW_EVENTS)} events (${fmtInt(recordBytes / WINDOW_EVENTS)} bytes of base64 per record), ${PLAN.rounds} interleaved rounds of ${PLAN.roundMs / 1000} s after ${PLAN.warmUpMs / 1000} s warm-up`,
    [
      { header: 'delivery' },
      { header: 'code path', align: 'left' },
      { header: 'records' },
      { header: 'records/s' },
      { header: 'per-round range' },
      { header: 'per window' },
      { header: 'vs floor' },
    ],
    rows,
  );
  printTable(
    `Window state handed back to Lambda (JSON bytes; Lambda's cap is 1 MB, the part limit 900,000)`,
    [
      { header: 'events so far', align: 'right' },
      { header: 'state' },
      { header: 'recentMessageIds' },
      { header: 'users' },
      { header: 'tally + rest' },
      { header: 'bytes/event' },
      { header: 'per 10,000 events' },
      { header: 'of 1 MB' },
    ],
    stateRows,
  );
  printNotes([
    ...notes,
    'floor = Buffer.from(data, "base64") + toString + JSON.parse per record, on the same records',
    `aggregateWindow = decode + KPL check + accumulate (dedup, users, tally) + state size check per invocation; the final one emits ${rowsPerWindow} rows (metrics + product_metrics) through putRecordsWithRetry to an in-memory writer`,
    'state is passed from one invocation to the next as the object returned; the JSON round trip Lambda makes between invocations is not in these figures',
    'per-invocation costs grow with the state (copying and re-indexing the dedup ids and users, JSON size check), so smaller batches pay them more often',
  ]);
}
