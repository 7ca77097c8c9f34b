import { US_EAST_1, type Prices } from './prices.ts';
import { streamRecords, type StreamRecords } from './kinesis-records.ts';
import type { Workload } from './workload.ts';

export { PROD_WORKLOAD, type FunctionProfile, type Workload } from './workload.ts';

/**
 * What the pipeline costs for a steady event rate, service by service: a pure model of the
 * stack serverless.yml deploys (prod settings by default). Each line says how it was
 * computed; docs/deploy.md states every assumption. A month is 730 hours, as AWS bills.
 */
export const HOURS_PER_MONTH = 730;
const GB = 2 ** 30;
const MIB = 2 ** 20;
const KB = 1024;
const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;

export interface CostLine {
  service: string;
  item: string;
  monthlyUsd: number;
  /** How the figure was computed, for a reader to check. */
  basis: string;
}

export interface CostEstimate {
  workload: Workload;
  eventsPerMonth: number;
  shards: number;
  redshiftHoursPerDay: number;
  lines: CostLine[];
  totalMonthlyUsd: number;
  /** Total per million events. */
  perMillionEventsUsd: number;
}

const usd = (n: number) => `$${n < 0.01 ? n.toPrecision(2) : n.toFixed(n < 1 ? 4 : 3)}`;
const num = (n: number) => Math.round(n).toLocaleString('en-US');

function check(workload: Workload): void {
  const range = (name: keyof Workload, min: number, max: number) => {
    const value = Number(workload[name]);
    if (!Number.isFinite(value) || value < min || value > max)
      throw new RangeError(`${String(name)} must be between ${min} and ${max} (got ${value})`);
  };
  range('eventsPerSecond', 0, 10_000_000);
  range('eventBytes', 1, 1_048_576);
  range('eventsPerRequest', 1, 500);
  range('retentionHours', 24, 8760);
  range('redshiftRpu', 8, 512);
  if (workload.shards !== undefined) range('shards', 1, 100_000);
  if (workload.redshiftHoursPerDay !== undefined) range('redshiftHoursPerDay', 0, 24);
  if (workload.kplMaxRecordBytes !== undefined) range('kplMaxRecordBytes', 1_024, 1_048_576);
}

/** The fewest shards that take the rate: 1 MiB/s and 1,000 records/s each. */
export function shardsFor(recordsPerSecond: number, recordBytes: number): number {
  return Math.max(
    1,
    Math.ceil((recordsPerSecond * recordBytes) / MIB),
    Math.ceil(recordsPerSecond / 1000),
  );
}

const kplNote = (stream: StreamRecords) =>
  stream.eventsPerRecord > 1 ? `, KPL: ${stream.eventsPerRecord} events a record` : '';

export function estimateCost(workload: Workload, prices: Prices = US_EAST_1): CostEstimate {
  check(workload);
  const w = workload;
  const seconds = HOURS_PER_MONTH * 3600;
  const events = w.eventsPerSecond * seconds;
  const gbIn = (events * w.eventBytes) / GB;
  const gbPerHour = (w.eventsPerSecond * w.eventBytes * 3600) / GB;
  const stream = streamRecords(w);
  const records = stream.recordsPerSecond * seconds;
  const needed = shardsFor(stream.recordsPerSecond, stream.recordBytes);
  // On-demand streams start with 4 shards and add more as the writes need them.
  const shards = w.streamMode === 'PROVISIONED' ? (w.shards ?? needed) : Math.max(4, needed);
  const lines: CostLine[] = [];
  const add = (service: string, item: string, monthlyUsd: number, basis: string) =>
    lines.push({ service, item, monthlyUsd, basis });

  // --- API Gateway HTTP API
  const requests = events / w.eventsPerRequest;
  const units = Math.ceil((w.eventsPerRequest * w.eventBytes) / (512 * KB));
  add(
    'API Gateway',
    'HTTP API requests',
    (requests * units * prices.apiGateway.httpPerMillionRequests) / 1e6,
    `${num(requests)} requests (${w.eventsPerRequest} events each) x ${usd(prices.apiGateway.httpPerMillionRequests)}/M`,
  );

  // --- Kinesis Data Streams
  const beyond24 = Math.max(0, Math.min(w.retentionHours, 168) - 24);
  const beyond7Days = Math.max(0, w.retentionHours - 168);
  if (w.streamMode === 'ON_DEMAND') {
    const k = prices.kinesis.onDemand;
    const billedGbIn = (records * Math.ceil(stream.recordBytes / KB) * KB) / GB;
    add(
      'Kinesis',
      'stream-hours',
      HOURS_PER_MONTH * k.streamHour,
      `${HOURS_PER_MONTH} h x ${usd(k.streamHour)}`,
    );
    add(
      'Kinesis',
      'data in',
      billedGbIn * k.ingestPerGb,
      `${billedGbIn.toFixed(1)} GB (1 KB rounding${kplNote(stream)}) x ${usd(k.ingestPerGb)}`,
    );
    add(
      'Kinesis',
      'data out: Firehose',
      gbIn * k.retrievalPerGb,
      `${gbIn.toFixed(1)} GB x ${usd(k.retrievalPerGb)}`,
    );
    add(
      'Kinesis',
      'data out: aggregate (fan-out)',
      gbIn * k.efoRetrievalPerGb,
      `${gbIn.toFixed(1)} GB x ${usd(k.efoRetrievalPerGb)}`,
    );
    add(
      'Kinesis',
      'retention 24 h - 7 days',
      gbPerHour * beyond24 * k.extendedRetentionPerGbMonth,
      `${(gbPerHour * beyond24).toFixed(1)} GB held x ${usd(k.extendedRetentionPerGbMonth)}/GB-month`,
    );
  } else {
    const k = prices.kinesis.provisioned;
    const putUnits = records * Math.ceil(stream.recordBytes / (25 * KB));
    add(
      'Kinesis',
      'shard-hours',
      shards * HOURS_PER_MONTH * k.shardHour,
      `${shards} shards x ${HOURS_PER_MONTH} h x ${usd(k.shardHour)}`,
    );
    add(
      'Kinesis',
      'PUT payload units',
      (putUnits * k.perMillionPutUnits) / 1e6,
      `${num(putUnits)} units of 25 KB${kplNote(stream)} x ${usd(k.perMillionPutUnits)}/M`,
    );
    add(
      'Kinesis',
      'fan-out consumer-shard-hours',
      shards * HOURS_PER_MONTH * k.efoConsumerShardHour,
      `1 consumer x ${shards} shards x ${HOURS_PER_MONTH} h x ${usd(k.efoConsumerShardHour)}`,
    );
    add(
      'Kinesis',
      'data out: aggregate (fan-out)',
      gbIn * k.efoRetrievalPerGb,
      `${gbIn.toFixed(1)} GB x ${usd(k.efoRetrievalPerGb)}`,
    );
    add(
      'Kinesis',
      'retention 24 h - 7 days',
      beyond24 > 0 ? shards * HOURS_PER_MONTH * k.extendedRetentionShardHour : 0,
      beyond24 > 0
        ? `${shards} shards x ${HOURS_PER_MONTH} h x ${usd(k.extendedRetentionShardHour)}`
        : '24 h: included',
    );
  }
  if (beyond7Days > 0)
    add(
      'Kinesis',
      'retention beyond 7 days',
      gbPerHour * beyond7Days * prices.kinesis.longTermRetentionPerGbMonth,
      `${(gbPerHour * beyond7Days).toFixed(1)} GB held x ${usd(prices.kinesis.longTermRetentionPerGbMonth)}/GB-month`,
    );

  // --- Lambda (arm64)
  const perShard = stream.recordsPerSecond / shards;
  // Batching window 1 s, batch 1,000: about one invocation per shard per second once
  // traffic is there, plus each window's final invocation.
  const aggregatePerSecond =
    w.eventsPerSecond === 0
      ? 0
      : shards * (perShard <= 1 ? perShard : Math.max(1, perShard / 1000)) +
        shards / w.windowSeconds;
  // The transform gets 1 MB or 60 s of records, whichever comes first.
  const transformPerSecond =
    w.eventsPerSecond === 0 ? 0 : Math.max((w.eventsPerSecond * w.eventBytes) / MIB, 1 / 60);
  const eventObjectsPerSecond =
    w.eventsPerSecond === 0
      ? 0
      : Math.max(
          (w.eventsPerSecond * w.eventBytes) / (w.firehoseBufferMB * MIB),
          1 / w.firehoseBufferSeconds,
        );
  const metricsObjectsPerSecond = w.eventsPerSecond === 0 ? 0 : 1 / w.metricsBufferSeconds;
  const invocations = {
    ingest: requests,
    aggregate: aggregatePerSecond * seconds,
    transform: transformPerSecond * seconds,
    load: (eventObjectsPerSecond + metricsObjectsPerSecond) * seconds,
  };
  for (const name of ['ingest', 'aggregate', 'transform', 'load'] as const) {
    const profile = w[name];
    const gbSeconds = invocations[name] * (profile.ms / 1000) * (profile.memoryMb / 1024);
    add(
      'Lambda',
      `${name} (${profile.memoryMb} MB, ${profile.ms} ms)`,
      gbSeconds * prices.lambda.arm64PerGbSecond +
        (invocations[name] * prices.lambda.perMillionRequests) / 1e6,
      `${num(invocations[name])} invocations, ${num(gbSeconds)} GB-s`,
    );
  }

  // --- Firehose
  const metricsRows = shards * (seconds / w.windowSeconds) * w.metricsRowsPerWindow;
  const metricsBilledGb = (metricsRows * Math.ceil(w.metricsRowBytes / (5 * KB)) * 5 * KB) / GB;
  add(
    'Firehose',
    'events (stream as source)',
    gbIn * prices.firehose.ingestPerGb,
    `${gbIn.toFixed(1)} GB x ${usd(prices.firehose.ingestPerGb)}`,
  );
  add(
    'Firehose',
    'metrics (direct put)',
    metricsBilledGb * prices.firehose.ingestPerGb,
    `${num(metricsRows)} rows rounded to 5 KB = ${metricsBilledGb.toFixed(1)} GB x ${usd(prices.firehose.ingestPerGb)}`,
  );

  // --- S3: steady state once lifecycle rules apply (a year in)
  const s3 = prices.s3;
  const eventsGbPerDay = gbIn / DAYS_PER_MONTH;
  const metricsGbPerDay = (metricsRows * w.metricsRowBytes) / GB / DAYS_PER_MONTH;
  const eventObjects = eventObjectsPerSecond * seconds;
  const metricsObjects = metricsObjectsPerSecond * seconds;
  add(
    'S3',
    'storage a year in (lifecycle rules)',
    eventsGbPerDay *
      (30 * s3.standardPerGbMonth + 60 * s3.standardIaPerGbMonth + 275 * s3.glacierIrPerGbMonth) +
      metricsGbPerDay * (30 * s3.standardPerGbMonth + 150 * s3.standardIaPerGbMonth),
    `${(eventsGbPerDay * 365 + metricsGbPerDay * 180).toFixed(0)} GB held`,
  );
  add(
    'S3',
    'requests (PUT, GET by COPY, transitions)',
    ((eventObjects + metricsObjects) * s3.perThousandPuts +
      2 * (eventObjects + metricsObjects) * s3.perThousandGets +
      (eventObjects + metricsObjects) * s3.perThousandTransitionsIa +
      eventObjects * s3.perThousandTransitionsGlacierIr) /
      1000,
    `${num(eventObjects + metricsObjects)} objects`,
  );

  // --- Redshift Serverless: each load is billed at least 60 s of the base capacity
  const loadsPerDay = (eventObjectsPerSecond + metricsObjectsPerSecond) * 86_400;
  const derivedHours = Math.min(24, (loadsPerDay * Math.max(60, w.load.ms / 1000)) / 3600);
  const redshiftHoursPerDay = w.redshiftHoursPerDay ?? derivedHours;
  const rs = prices.redshiftServerless;
  add(
    'Redshift Serverless',
    `compute (${w.redshiftRpu} RPU)`,
    w.redshiftRpu * redshiftHoursPerDay * DAYS_PER_MONTH * rs.rpuHour,
    `${w.redshiftRpu} RPU x ${redshiftHoursPerDay.toFixed(1)} h/day x ${DAYS_PER_MONTH.toFixed(1)} days x ${usd(rs.rpuHour)}`,
  );
  const warehouseGb = gbIn * w.warehouseCompression * w.warehouseMonthsKept;
  add(
    'Redshift Serverless',
    `storage (${w.warehouseMonthsKept} months kept)`,
    warehouseGb * rs.storagePerGbMonth,
    `${warehouseGb.toFixed(0)} GB x ${usd(rs.storagePerGbMonth)}/GB-month`,
  );

  // --- CloudWatch, KMS, Secrets Manager
  const cw = prices.cloudWatch;
  const allInvocations = Object.values(invocations).reduce((a, b) => a + b, 0);
  const logGb =
    (allInvocations * w.logBytesPerInvocation + requests * w.accessLogBytesPerRequest) / GB;
  add(
    'CloudWatch',
    'logs',
    logGb * (cw.logsIngestPerGb + (cw.logsStoragePerGbMonth * w.logRetentionDays) / DAYS_PER_MONTH),
    `${logGb.toFixed(1)} GB ingested, kept ${w.logRetentionDays} days`,
  );
  add(
    'CloudWatch',
    'alarms and dashboard',
    w.alarms * cw.alarmPerMonth + w.dashboards * cw.dashboardPerMonth,
    `${w.alarms} alarms, ${w.dashboards} dashboard`,
  );
  const kmsRequests = 2 * (eventObjects + metricsObjects) + shards * 3 * 12 * HOURS_PER_MONTH;
  add(
    'KMS',
    'key and requests',
    prices.kms.keyPerMonth + (kmsRequests * prices.kms.perTenThousandRequests) / 10_000,
    `1 key, ${num(kmsRequests)} requests`,
  );
  add(
    'Secrets Manager',
    'Redshift secret',
    w.secrets * prices.secretsManager.secretPerMonth +
      (invocations.load * prices.secretsManager.perTenThousandCalls) / 10_000,
    `${w.secrets} secret, one read per load`,
  );

  const totalMonthlyUsd = lines.reduce((sum, line) => sum + line.monthlyUsd, 0);
  return {
    workload: w,
    eventsPerMonth: events,
    shards,
    redshiftHoursPerDay,
    lines,
    totalMonthlyUsd,
    perMillionEventsUsd: events === 0 ? 0 : totalMonthlyUsd / (events / 1e6),
  };
}
