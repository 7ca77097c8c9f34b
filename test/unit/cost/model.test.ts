import { estimateCost, PROD_WORKLOAD, shardsFor, type Workload } from '../../../tools/cost/model';
import { US_EAST_1 } from '../../../tools/cost/prices';

/**
 * One workload priced by hand: 100 events/s of 1 KiB, 10 events per request, a provisioned
 * stream, Redshift billed 2 h/day. A month is 730 h = 2,628,000 s, so 262,800,000 events,
 * and 262,800,000 x 1,024 B / 2^30 = 250.6256 GB.
 */
const HAND: Workload = {
  ...PROD_WORKLOAD,
  eventsPerSecond: 100,
  eventBytes: 1024,
  eventsPerRequest: 10,
  streamMode: 'PROVISIONED',
  retentionHours: 24,
  redshiftHoursPerDay: 2,
};
const GB_IN = (262_800_000 * 1024) / 2 ** 30;

function line(estimate: ReturnType<typeof estimateCost>, service: string, item: string): number {
  const found = estimate.lines.filter((l) => l.service === service && l.item.startsWith(item));
  if (found.length !== 1) throw new Error(`${service} / ${item}: ${found.length} lines`);
  return (found[0] as { monthlyUsd: number }).monthlyUsd;
}

describe('the cost model, one case by hand', () => {
  const estimate = estimateCost(HAND);

  test('volume: 262.8 M events a month on one shard', () => {
    expect(estimate.eventsPerMonth).toBe(262_800_000);
    expect(estimate.shards).toBe(1);
    expect(GB_IN).toBeCloseTo(250.6256, 4);
  });

  test('API Gateway: 26.28 M requests at $1.00 per million', () => {
    expect(line(estimate, 'API Gateway', 'HTTP API')).toBeCloseTo(26.28, 6);
  });

  test('Kinesis provisioned: shard-hours, PUT units of 25 KB, fan-out hours and GB, no extra retention', () => {
    expect(line(estimate, 'Kinesis', 'shard-hours')).toBeCloseTo(730 * 0.015, 6); // $10.95
    expect(line(estimate, 'Kinesis', 'PUT payload units')).toBeCloseTo(262.8 * 0.014, 6); // $3.6792
    expect(line(estimate, 'Kinesis', 'fan-out consumer-shard-hours')).toBeCloseTo(10.95, 6);
    expect(line(estimate, 'Kinesis', 'data out: aggregate')).toBeCloseTo(250.6256 * 0.013, 4);
    expect(line(estimate, 'Kinesis', 'retention 24 h')).toBe(0);
  });

  test('Lambda ingest: 26.28 M invocations x 30 ms x 0.5 GB = 394,200 GB-s, plus requests', () => {
    expect(line(estimate, 'Lambda', 'ingest')).toBeCloseTo(394_200 * 0.0000133334 + 26.28 * 0.2, 6);
  });

  test('Lambda aggregate: one invocation per shard-second plus one per window', () => {
    const invocations = 2_628_000 + 2_628_000 / 60; // 2,671,800
    expect(line(estimate, 'Lambda', 'aggregate')).toBeCloseTo(
      invocations * 0.06 * 0.5 * 0.0000133334 + (invocations / 1e6) * 0.2,
      6,
    );
  });

  test('Firehose: events by the GB, metrics rows rounded up to 5 KB', () => {
    expect(line(estimate, 'Firehose', 'events')).toBeCloseTo(250.6256 * 0.029, 4); // $7.268
    const rows = (2_628_000 / 60) * 51; // 43,800 windows x 51 rows = 2,233,800
    expect(line(estimate, 'Firehose', 'metrics')).toBeCloseTo(((rows * 5120) / 2 ** 30) * 0.029, 6);
  });

  test('S3: a year of events through Standard, IA and Glacier IR, and half a year of metrics', () => {
    const eventsPerDay = GB_IN / (730 / 24); // 8.2397 GB
    const metricsPerDay = (2_233_800 * 600) / 2 ** 30 / (730 / 24);
    expect(line(estimate, 'S3', 'storage')).toBeCloseTo(
      eventsPerDay * (30 * 0.023 + 60 * 0.0125 + 275 * 0.004) +
        metricsPerDay * (30 * 0.023 + 150 * 0.0125),
      6,
    );
  });

  test('Redshift Serverless: 8 RPU x 2 h x 30.42 days x $0.375 = $182.50', () => {
    expect(line(estimate, 'Redshift Serverless', 'compute')).toBeCloseTo(182.5, 6);
  });

  test('the total is the sum of the lines, and per million events is the total over 262.8', () => {
    const sum = estimate.lines.reduce((a, l) => a + l.monthlyUsd, 0);
    expect(estimate.totalMonthlyUsd).toBeCloseTo(sum, 9);
    expect(estimate.perMillionEventsUsd).toBeCloseTo(sum / 262.8, 9);
    for (const l of estimate.lines) expect(l.monthlyUsd).toBeGreaterThanOrEqual(0);
  });
});

describe('the cost model, its rules', () => {
  test.each([
    [100, 1024, 1],
    [1500, 1024, 2], // 1.46 MiB/s
    [3000, 100, 3], // 3,000 records/s
    [0, 1024, 1],
  ])('%d events/s of %d bytes need %d provisioned shards', (rate, bytes, shards) => {
    expect(shardsFor(rate, bytes)).toBe(shards);
  });

  test('on-demand: stream-hours, and data in rounded up to whole KB per record', () => {
    const estimate = estimateCost({ ...HAND, streamMode: 'ON_DEMAND', eventBytes: 1500 });
    expect(line(estimate, 'Kinesis', 'stream-hours')).toBeCloseTo(730 * 0.04, 6);
    // 1,500 bytes bill as 2 KB: 262.8 M x 2,048 B = 501.25 GB at $0.08.
    expect(line(estimate, 'Kinesis', 'data in')).toBeCloseTo(
      ((262_800_000 * 2048) / 2 ** 30) * 0.08,
      6,
    );
    expect(estimate.shards).toBe(4); // on-demand streams start with 4 shards
  });

  test('KPL aggregation: a shard is bound by bytes, not records, and PUT units count aggregated records', () => {
    // 3,000 events/s of 100 bytes need 3 shards one record each (1,000 records/s a shard);
    // 10 events a request packed into one record of 20 + 40 + 10 x 108 = 1,140 bytes are
    // 300 records/s and 0.33 MiB/s: one shard, and one 25 KB PUT unit per 10 events.
    const plain = estimateCost({ ...HAND, eventsPerSecond: 3000, eventBytes: 100 });
    const packed = estimateCost({
      ...HAND,
      eventsPerSecond: 3000,
      eventBytes: 100,
      kplMaxRecordBytes: 51_200,
    });
    expect(plain.shards).toBe(3);
    expect(packed.shards).toBe(1);
    const events = 3000 * 2_628_000;
    expect(line(plain, 'Kinesis', 'PUT payload units')).toBeCloseTo((events / 1e6) * 0.014, 4);
    expect(line(packed, 'Kinesis', 'PUT payload units')).toBeCloseTo(
      (events / 10 / 1e6) * 0.014,
      4,
    );
    // On-demand: 1,140 bytes bill as 2 KB per 10 events instead of 1 KB per event.
    const onDemand = (kpl?: number) =>
      line(
        estimateCost({
          ...HAND,
          streamMode: 'ON_DEMAND',
          eventsPerSecond: 3000,
          eventBytes: 100,
          ...(kpl ? { kplMaxRecordBytes: kpl } : {}),
        }),
        'Kinesis',
        'data in',
      );
    expect(onDemand(51_200) / onDemand()).toBeCloseTo(2 / 10, 6);
    // A record too small to hold two events aggregates nothing.
    expect(estimateCost({ ...HAND, eventBytes: 1024, kplMaxRecordBytes: 1_500 }).lines).toEqual(
      estimateCost(HAND).lines,
    );
  });

  test('retention beyond 24 h costs per shard-hour (provisioned) and per GB beyond 7 days', () => {
    const week = estimateCost({ ...HAND, retentionHours: 168 });
    expect(line(week, 'Kinesis', 'retention 24 h')).toBeCloseTo(730 * 0.02, 6);
    const month = estimateCost({ ...HAND, retentionHours: 720 });
    const gbPerHour = (100 * 1024 * 3600) / 2 ** 30;
    expect(line(month, 'Kinesis', 'retention beyond 7 days')).toBeCloseTo(
      gbPerHour * 552 * 0.023,
      6,
    );
  });

  test('Redshift hours follow the loads: each is billed at least 60 s of base capacity', () => {
    // Events flushed every 600 s (64 MB would take 655 s at 100 KiB/s): 144 objects a day;
    // metrics every 900 s: 96. 240 loads x 60 s = 4 h/day.
    const slow = estimateCost({
      ...HAND,
      redshiftHoursPerDay: undefined,
      firehoseBufferSeconds: 600,
      metricsBufferSeconds: 900,
    });
    expect(slow.redshiftHoursPerDay).toBeCloseTo(4, 9);
    // A metrics load every minute keeps the workgroup busy all day.
    expect(estimateCost({ ...HAND, redshiftHoursPerDay: undefined }).redshiftHoursPerDay).toBe(24);
  });

  test('prices come from the price list given', () => {
    const doubled = { ...US_EAST_1, apiGateway: { httpPerMillionRequests: 2 } };
    expect(line(estimateCost(HAND, doubled), 'API Gateway', 'HTTP API')).toBeCloseTo(52.56, 6);
  });

  test.each([
    [{ eventsPerSecond: -1 }, /eventsPerSecond must be between 0/],
    [{ retentionHours: 12 }, /retentionHours must be between 24 and 8760/],
    [{ eventBytes: 2_000_000 }, /eventBytes must be between 1 and 1048576/],
  ])('refuses an impossible workload %o', (change, message) => {
    expect(() => estimateCost({ ...HAND, ...change })).toThrow(message);
  });
});
