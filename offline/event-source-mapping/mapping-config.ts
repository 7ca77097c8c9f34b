import { compileFilters } from './filter.ts';

/**
 * The settings of one Kinesis event source mapping, named and bounded as in Lambda's
 * CreateEventSourceMapping API, so that a serverless.yml `stream` event means the same
 * thing locally as on AWS. The offline plugin fills this from serverless.yml.
 */
export interface KinesisMappingConfig {
  uuid: string; // stable id, used for checkpoints
  functionName: string; // what to invoke
  streamName: string;
  streamArn: string;
  /**
   * Enhanced fan-out consumer. Locally the stand-in still reads with GetRecords (kinesalite
   * has no SubscribeToShard); batches, order and retries are the same, only latency differs.
   */
  consumerArn?: string;
  batchSize: number; // default 100, 1..10000
  maximumBatchingWindowInSeconds: number; // 0..300
  parallelizationFactor: number; // 1..10
  startingPosition: 'TRIM_HORIZON' | 'LATEST' | 'AT_TIMESTAMP';
  startingPositionTimestamp?: number; // epoch seconds
  maximumRetryAttempts: number; // -1 = until the record expires, else 0..10000
  maximumRecordAgeInSeconds: number; // -1 = infinite, else 60..604800
  bisectBatchOnFunctionError: boolean;
  functionResponseTypes: Array<'ReportBatchItemFailures'>;
  tumblingWindowInSeconds: number; // 0..900, 0 = off
  filterCriteria?: { Filters: Array<{ Pattern: string }> };
  onFailureDestination?: string; // an SQS queue URL
  /** An S3 bucket (name) as the on-failure destination, instead of a queue. */
  onFailureBucket?: string;
  /** An SNS topic (ARN) as the on-failure destination, instead of a queue. */
  onFailureTopic?: string;
  enabled: boolean;
}

/** Lambda's defaults for a Kinesis mapping (CreateEventSourceMapping, Kinesis parameters). */
export const MAPPING_DEFAULTS = {
  batchSize: 100,
  maximumBatchingWindowInSeconds: 0,
  parallelizationFactor: 1,
  maximumRetryAttempts: -1,
  maximumRecordAgeInSeconds: -1,
  bisectBatchOnFunctionError: false,
  functionResponseTypes: [],
  tumblingWindowInSeconds: 0,
  enabled: true,
} as const satisfies Partial<KinesisMappingConfig>;

/** Thrown for a configuration AWS would refuse with InvalidParameterValueException. */
export class InvalidMappingConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid Kinesis event source mapping: ${problems.join('; ')}`);
    this.name = 'InvalidMappingConfigError';
  }
}

const STARTING_POSITIONS = ['TRIM_HORIZON', 'LATEST', 'AT_TIMESTAMP'];
const KINESIS_STREAM_ARN = /^arn:aws[a-zA-Z-]*:kinesis:[a-z0-9-]+:\d{12}:stream\/[a-zA-Z0-9_.-]+$/;
const SNS_TOPIC_ARN = /^arn:aws[a-zA-Z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
const MAX_FILTERS = 5; // Lambda's default quota of filters per mapping
const MAX_PATTERN_CHARS = 4096;

/**
 * Rejects what CreateEventSourceMapping would reject, naming the field, so a typo in
 * serverless.yml fails at `sls offline start` rather than behaving differently from AWS.
 */
export function validateMappingConfig(config: KinesisMappingConfig): void {
  const problems: string[] = [];
  const int = (field: keyof KinesisMappingConfig, value: number, min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${field} must be a whole number from ${min} to ${max} (got ${String(value)})`);
    }
  };
  if (!config.uuid) problems.push('uuid must not be empty');
  if (!config.functionName) problems.push('functionName must not be empty');
  if (!config.streamName) problems.push('streamName must not be empty');
  if (!KINESIS_STREAM_ARN.test(config.streamArn ?? '')) {
    problems.push(`streamArn must be a Kinesis stream ARN (got ${String(config.streamArn)})`);
  } else if (!config.streamArn.endsWith(`:stream/${config.streamName}`)) {
    problems.push(`streamArn ${config.streamArn} does not name stream ${config.streamName}`);
  }
  int('batchSize', config.batchSize, 1, 10_000);
  int('maximumBatchingWindowInSeconds', config.maximumBatchingWindowInSeconds, 0, 300);
  int('parallelizationFactor', config.parallelizationFactor, 1, 10);
  int('tumblingWindowInSeconds', config.tumblingWindowInSeconds, 0, 900);
  if (config.maximumRetryAttempts !== -1) {
    int('maximumRetryAttempts', config.maximumRetryAttempts, 0, 10_000);
  }
  if (config.maximumRecordAgeInSeconds !== -1) {
    int('maximumRecordAgeInSeconds', config.maximumRecordAgeInSeconds, 60, 604_800);
  }
  if (!STARTING_POSITIONS.includes(config.startingPosition)) {
    problems.push(
      `startingPosition must be one of ${STARTING_POSITIONS.join(', ')} (got ${String(config.startingPosition)})`,
    );
  }
  if (config.startingPosition === 'AT_TIMESTAMP') {
    const ts = config.startingPositionTimestamp;
    if (typeof ts !== 'number' || !Number.isFinite(ts) || ts < 0) {
      problems.push('startingPositionTimestamp (epoch seconds) is required with AT_TIMESTAMP');
    }
  } else if (config.startingPositionTimestamp !== undefined) {
    problems.push('startingPositionTimestamp is only valid with startingPosition AT_TIMESTAMP');
  }
  for (const type of config.functionResponseTypes ?? []) {
    if (type !== 'ReportBatchItemFailures') {
      problems.push(`functionResponseTypes may only contain ReportBatchItemFailures (got ${type})`);
    }
  }
  if (typeof config.bisectBatchOnFunctionError !== 'boolean') {
    problems.push('bisectBatchOnFunctionError must be true or false');
  }
  if (typeof config.enabled !== 'boolean') problems.push('enabled must be true or false');
  problems.push(...filterProblems(config.filterCriteria));
  if (
    config.onFailureDestination !== undefined &&
    !/^https?:\/\//.test(config.onFailureDestination)
  ) {
    problems.push(
      `onFailureDestination must be an SQS queue URL (got ${config.onFailureDestination})`,
    );
  }
  const destinations = [
    config.onFailureDestination,
    config.onFailureBucket,
    config.onFailureTopic,
  ].filter((d) => d !== undefined);
  if (destinations.length > 1)
    problems.push(
      'onFailureDestination, onFailureBucket and onFailureTopic: a mapping has one destination',
    );
  if (config.onFailureTopic !== undefined && !SNS_TOPIC_ARN.test(config.onFailureTopic))
    problems.push(`onFailureTopic must be an SNS topic ARN (got ${config.onFailureTopic})`);
  if (config.onFailureBucket !== undefined) {
    if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(config.onFailureBucket))
      problems.push(`onFailureBucket must be an S3 bucket name (got ${config.onFailureBucket})`);
  }
  if (problems.length > 0) throw new InvalidMappingConfigError(problems);
}

function filterProblems(criteria: KinesisMappingConfig['filterCriteria']): string[] {
  if (criteria === undefined) return [];
  if (!Array.isArray(criteria.Filters)) return ['filterCriteria.Filters must be a list'];
  const problems: string[] = [];
  if (criteria.Filters.length > MAX_FILTERS) {
    problems.push(`filterCriteria.Filters may hold at most ${MAX_FILTERS} filters`);
  }
  criteria.Filters.forEach((filter, index) => {
    const where = `filterCriteria.Filters[${index}].Pattern`;
    if (typeof filter.Pattern !== 'string' || filter.Pattern.length > MAX_PATTERN_CHARS) {
      problems.push(`${where} must be a string of at most ${MAX_PATTERN_CHARS} characters`);
      return;
    }
    try {
      compileFilters([filter.Pattern]);
    } catch (error) {
      const reason = error instanceof SyntaxError ? 'is not valid JSON' : errorText(error);
      problems.push(`${where} ${reason}`);
    }
  });
  return problems;
}

/** Region and account of a stream ARN: where Lambda would run and whose role it assumes. */
export function arnParts(streamArn: string): { region: string; account: string } {
  const [, , , region = 'us-east-1', account = '000000000000'] = streamArn.split(':');
  return { region, account };
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
