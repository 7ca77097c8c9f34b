/**
 * The Firehose transformation (transformRecords, all the transform handler does) against
 * the floor of any transformation of the same records: base64-decode, JSON.parse,
 * JSON.stringify, base64-encode each one. Invocations are ~1 MB of realistic stream records,
 * as Firehose buffers them for a Lambda processor by default.
 */
import type {
  FirehoseInputRecord,
  FirehoseTransformationEvent,
} from '#shared/transform/firehose-transformation';
import { transformRecords } from '#shared/transform/transform-records';
import { rateOf, ratioNote, runInterleaved, type Tally } from './rounds.ts';
import { arrivalMs, base64Record, normalisedEvents, sequenceNumber } from './stream-records.ts';
import {
  fmtFixed,
  fmtInt,
  fmtMs,
  fmtRate,
  fmtRatio,
  printNotes,
  printTable,
  quantile,
} from './table.ts';

const EVENTS = 6_000;
/** Firehose's default processing buffer for a Lambda processor. */
const INVOCATION_BYTES = 1024 * 1024;
const PLAN = { warmUpMs: 1_000, roundMs: 1_000, rounds: 8 };
const TARGET_RATIO = 0.5;
const NOW = new Date('2026-11-25T10:00:00.000Z');

/** Stream records cut into transformation events of at most INVOCATION_BYTES of request JSON. */
function invocations(): FirehoseTransformationEvent[] {
  const out: FirehoseTransformationEvent[] = [];
  let records: FirehoseInputRecord[] = [];
  let bytes = 0;
  const flush = () => {
    out.push({
      invocationId: `bench-invocation-${out.length}`,
      deliveryStreamArn:
        'arn:aws:firehose:us-east-1:000000000000:deliverystream/clickstream-events',
      region: 'us-east-1',
      records,
    });
    records = [];
    bytes = 0;
  };
  normalisedEvents(21, EVENTS).forEach((event, i) => {
    const sequence = sequenceNumber(i);
    const arrival = arrivalMs(event);
    const record: FirehoseInputRecord = {
      recordId: `${sequence}000000`,
      approximateArrivalTimestamp: arrival,
      data: base64Record(event),
      kinesisRecordMetadata: {
        shardId: 'shardId-000000000000',
        partitionKey: event.anonymousId ?? event.messageId,
        sequenceNumber: sequence,
        subsequenceNumber: '',
        approximateArrivalTimestamp: arrival,
      },
    };
    const size = JSON.stringify(record).length + 1;
    if (bytes + size > INVOCATION_BYTES && records.length > 0) flush();
    records.push(record);
    bytes += size;
  });
  // The records left over are not a full invocation: left out, so every invocation is ~1 MB.
  return out;
}

/** What every transformation of these records does, at the least, to answer each one. */
function floor(event: FirehoseTransformationEvent): number {
  let bytes = 0;
  for (const record of event.records) {
    const value: unknown = JSON.parse(Buffer.from(record.data, 'base64').toString('utf8'));
    bytes += Buffer.from(JSON.stringify(value), 'utf8').toString('base64').length;
  }
  if (bytes === 0) throw new Error('floor encoded nothing');
  return event.records.length;
}

export async function run(): Promise<void> {
  const events = invocations();
  const records = events.reduce((sum, e) => sum + e.records.length, 0);
  const inBytes = events.reduce((sum, e) => sum + JSON.stringify(e).length, 0);

  // Every record is a valid shopper's event: each must come back Ok, one row per record.
  let outBytes = 0;
  for (const event of events) {
    const { metrics, response } = transformRecords(event, { now: NOW });
    if (metrics.ok !== event.records.length || metrics.events !== event.records.length)
      throw new Error(`expected every record Ok: ${JSON.stringify(metrics)}`);
    outBytes += JSON.stringify(response).length;
  }

  let next = 0;
  let nextFloor = 0;
  const latencies: number[] = [];
  const [onTransform, onFloor] = (await runInterleaved(
    [
      {
        label: 'transformRecords',
        step: () => {
          const event = events[next++ % events.length] as FirehoseTransformationEvent;
          const start = performance.now();
          const output = transformRecords(event, { now: NOW });
          latencies.push(performance.now() - start);
          return output.metrics.ok;
        },
      },
      {
        label: 'floor',
        step: () => floor(events[nextFloor++ % events.length] as FirehoseTransformationEvent),
      },
    ],
    PLAN,
  )) as [Tally, Tally];
  // The warm-up's invocations are not the measured ones.
  const measured = latencies.slice(latencies.length - onTransform.steps).sort((a, b) => a - b);

  const transformRate = rateOf(onTransform);
  const floorRate = rateOf(onFloor);
  const perInvocation = records / events.length;
  const rows = [
    [
      'transformRecords',
      fmtInt(onTransform.items),
      fmtRate(transformRate),
      fmtFixed((transformRate * inBytes) / records / 1024 / 1024, 1),
      fmtMs(quantile(measured, 0.5)),
      fmtMs(quantile(measured, 0.99)),
      fmtRatio(transformRate, floorRate),
    ],
    [
      'floor (baseline)',
      fmtInt(onFloor.items),
      fmtRate(floorRate),
      fmtFixed((floorRate * inBytes) / records / 1024 / 1024, 1),
      fmtMs(onFloor.ms / onFloor.steps),
      '',
      '1.00×',
    ],
  ];
  printTable(
    `Firehose transformation throughput: ${events.length} invocations of ~${fmtInt(perInvocation)} records (${fmtFixed(inBytes / events.length / 1024 / 1024, 2)} MiB of request JSON each), ${PLAN.rounds} interleaved rounds of ${PLAN.roundMs / 1000} s after ${PLAN.warmUpMs / 1000} s warm-up`,
    [
      { header: 'code path' },
      { header: 'records' },
      { header: 'records/s' },
      { header: 'MiB/s in' },
      { header: 'p50 / invocation' },
      { header: 'p99' },
      { header: 'vs floor' },
    ],
    rows,
  );
  printNotes([
    ratioNote('transform/floor', onTransform, onFloor, TARGET_RATIO),
    'floor = base64 decode + JSON.parse + JSON.stringify + base64 encode per record, on the same invocations (its p50 column is the mean)',
    'transformRecords = checks + KPL de-aggregation check + classify (validation, bot filter, user-agent parse, flatten to EVENT_COLUMNS) + NDJSON + partition keys + 6 MB response fit',
    `every record answered Ok with one events row; response JSON ${fmtFixed(outBytes / inBytes, 2)}× the request's size (${fmtInt(outBytes / records)} vs ${fmtInt(inBytes / records)} bytes per record)`,
  ]);
}
