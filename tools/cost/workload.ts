/**
 * The workload the cost model prices: an event rate and the stack's settings. The defaults
 * are the prod stage of serverless.yml; the per-function durations and log sizes are
 * assumptions (docs/deploy.md), to replace with your own measurements.
 */
export interface FunctionProfile {
  memoryMb: number;
  /** Average billed duration of one invocation, in milliseconds. */
  ms: number;
}

export interface Workload {
  eventsPerSecond: number;
  /** Size of one event as written to the stream and stored (JSON), in bytes. */
  eventBytes: number;
  /** Events per HTTP request: SDKs batch (Segment's default flush is 15-20). */
  eventsPerRequest: number;
  streamMode: 'ON_DEMAND' | 'PROVISIONED';
  /** KPL aggregation at ingest: the largest aggregated record; undefined when off. */
  kplMaxRecordBytes?: number;
  /** Provisioned shards; by default the fewest that take the rate. */
  shards?: number;
  retentionHours: number;
  firehoseBufferMB: number;
  firehoseBufferSeconds: number;
  metricsBufferSeconds: number;
  windowSeconds: number;
  /** Metrics rows per shard per window: one figure row plus one per product seen. */
  metricsRowsPerWindow: number;
  metricsRowBytes: number;
  redshiftRpu: number;
  /** Hours a day the Redshift workgroup is billed; by default derived from the loads. */
  redshiftHoursPerDay?: number;
  /** Warehouse bytes per raw event byte (columnar compression). */
  warehouseCompression: number;
  warehouseMonthsKept: number;
  ingest: FunctionProfile;
  aggregate: FunctionProfile;
  transform: FunctionProfile;
  load: FunctionProfile;
  /** Log bytes per invocation (START/END/REPORT plus one structured line). */
  logBytesPerInvocation: number;
  accessLogBytesPerRequest: number;
  logRetentionDays: number;
  alarms: number;
  dashboards: number;
  secrets: number;
}

export const PROD_WORKLOAD: Omit<Workload, 'eventsPerSecond'> = {
  eventBytes: 1024,
  eventsPerRequest: 20,
  streamMode: 'ON_DEMAND',
  retentionHours: 168,
  firehoseBufferMB: 64,
  firehoseBufferSeconds: 300,
  metricsBufferSeconds: 60,
  windowSeconds: 60,
  metricsRowsPerWindow: 51,
  metricsRowBytes: 600,
  redshiftRpu: 8,
  warehouseCompression: 0.25,
  warehouseMonthsKept: 12,
  ingest: { memoryMb: 512, ms: 30 },
  aggregate: { memoryMb: 512, ms: 60 },
  transform: { memoryMb: 1024, ms: 400 },
  load: { memoryMb: 1024, ms: 8000 },
  logBytesPerInvocation: 800,
  accessLogBytesPerRequest: 350,
  logRetentionDays: 14,
  alarms: 19,
  dashboards: 1,
  secrets: 1,
};
