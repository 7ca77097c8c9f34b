/**
 * AWS list prices in us-east-1 (N. Virginia), on-demand, no free tier, as published at the
 * time of writing. Prices change: check each service's pricing page before relying on a
 * figure (https://aws.amazon.com/<service>/pricing/). GB here is 2^30 bytes, as AWS bills.
 */
export interface Prices {
  apiGateway: {
    /** HTTP API, per million requests (first 300 million a month); 512 KB per request unit. */
    httpPerMillionRequests: number;
  };
  kinesis: {
    onDemand: {
      /** Per stream-hour. */
      streamHour: number;
      /** Per GB written, each record rounded up to 1 KB. */
      ingestPerGb: number;
      /** Per GB read by shared-throughput consumers (Firehose). */
      retrievalPerGb: number;
      /** Per GB read by enhanced fan-out consumers. */
      efoRetrievalPerGb: number;
      /** Per GB-month stored beyond 24 hours, up to 7 days. */
      extendedRetentionPerGbMonth: number;
    };
    provisioned: {
      /** Per shard-hour. */
      shardHour: number;
      /** Per million PUT payload units (25 KB each, records rounded up). */
      perMillionPutUnits: number;
      /** Per shard-hour, for retention beyond 24 hours up to 7 days. */
      extendedRetentionShardHour: number;
      /** Per consumer-shard-hour of enhanced fan-out. */
      efoConsumerShardHour: number;
      /** Per GB read through enhanced fan-out. */
      efoRetrievalPerGb: number;
    };
    /** Per GB-month stored beyond 7 days (both modes). */
    longTermRetentionPerGbMonth: number;
  };
  lambda: {
    /** arm64 (Graviton), per GB-second. */
    arm64PerGbSecond: number;
    /** Per million requests. */
    perMillionRequests: number;
  };
  firehose: {
    /** Per GB ingested (first 500 TB a month); Direct PUT records rounded up to 5 KB. */
    ingestPerGb: number;
  };
  s3: {
    /** Per GB-month, S3 Standard (first 50 TB). */
    standardPerGbMonth: number;
    /** Per GB-month, S3 Standard-Infrequent Access. */
    standardIaPerGbMonth: number;
    /** Per GB-month, S3 Glacier Instant Retrieval. */
    glacierIrPerGbMonth: number;
    /** Per 1,000 PUT, COPY, POST or LIST requests (Standard). */
    perThousandPuts: number;
    /** Per 1,000 GET requests (Standard). */
    perThousandGets: number;
    /** Per 1,000 lifecycle transitions into Standard-IA / Glacier Instant Retrieval. */
    perThousandTransitionsIa: number;
    perThousandTransitionsGlacierIr: number;
  };
  redshiftServerless: {
    /** Per RPU-hour, billed per second with a 60-second minimum per use. */
    rpuHour: number;
    /** Managed storage, per GB-month. */
    storagePerGbMonth: number;
  };
  cloudWatch: {
    /** Logs ingested, per GB. */
    logsIngestPerGb: number;
    /** Logs stored, per GB-month (after compression; counted here as ingested). */
    logsStoragePerGbMonth: number;
    /** Per standard-resolution alarm metric, per month. */
    alarmPerMonth: number;
    /** Per dashboard per month (beyond the free three). */
    dashboardPerMonth: number;
  };
  kms: {
    /** Per customer-managed key per month. */
    keyPerMonth: number;
    /** Per 10,000 requests. */
    perTenThousandRequests: number;
  };
  secretsManager: {
    /** Per secret per month. */
    secretPerMonth: number;
    /** Per 10,000 API calls. */
    perTenThousandCalls: number;
  };
}

export const US_EAST_1: Prices = {
  apiGateway: { httpPerMillionRequests: 1.0 },
  kinesis: {
    onDemand: {
      streamHour: 0.04,
      ingestPerGb: 0.08,
      retrievalPerGb: 0.04,
      efoRetrievalPerGb: 0.05,
      extendedRetentionPerGbMonth: 0.1,
    },
    provisioned: {
      shardHour: 0.015,
      perMillionPutUnits: 0.014,
      extendedRetentionShardHour: 0.02,
      efoConsumerShardHour: 0.015,
      efoRetrievalPerGb: 0.013,
    },
    longTermRetentionPerGbMonth: 0.023,
  },
  lambda: { arm64PerGbSecond: 0.0000133334, perMillionRequests: 0.2 },
  firehose: { ingestPerGb: 0.029 },
  s3: {
    standardPerGbMonth: 0.023,
    standardIaPerGbMonth: 0.0125,
    glacierIrPerGbMonth: 0.004,
    perThousandPuts: 0.005,
    perThousandGets: 0.0004,
    perThousandTransitionsIa: 0.01,
    perThousandTransitionsGlacierIr: 0.02,
  },
  redshiftServerless: { rpuHour: 0.375, storagePerGbMonth: 0.024 },
  cloudWatch: {
    logsIngestPerGb: 0.5,
    logsStoragePerGbMonth: 0.03,
    alarmPerMonth: 0.1,
    dashboardPerMonth: 3.0,
  },
  kms: { keyPerMonth: 1.0, perTenThousandRequests: 0.03 },
  secretsManager: { secretPerMonth: 0.4, perTenThousandCalls: 0.05 },
};
