import {
  InvalidMappingConfigError,
  MAPPING_DEFAULTS,
  validateMappingConfig,
  type KinesisMappingConfig,
} from '../../../offline/event-source-mapping/index.ts';

const valid: KinesisMappingConfig = {
  ...MAPPING_DEFAULTS,
  functionResponseTypes: [],
  uuid: 'u',
  functionName: 'fn',
  streamName: 's',
  streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/s',
  startingPosition: 'LATEST',
};

describe('event source mapping: configuration', () => {
  test('validateMappingConfig accepts the defaults', () => {
    expect(() => validateMappingConfig(valid)).not.toThrow();
  });

  test.each<[string, Partial<KinesisMappingConfig>, string]>([
    ['batchSize 0', { batchSize: 0 }, 'batchSize must be a whole number from 1 to 10000'],
    ['batchSize 10001', { batchSize: 10_001 }, 'batchSize'],
    [
      'a batching window of 301 s',
      { maximumBatchingWindowInSeconds: 301 },
      'maximumBatchingWindowInSeconds',
    ],
    ['parallelizationFactor 11', { parallelizationFactor: 11 }, 'parallelizationFactor'],
    ['maximumRetryAttempts -2', { maximumRetryAttempts: -2 }, 'maximumRetryAttempts'],
    ['maximumRetryAttempts 10001', { maximumRetryAttempts: 10_001 }, 'maximumRetryAttempts'],
    [
      'a record age of 59 s',
      { maximumRecordAgeInSeconds: 59 },
      'maximumRecordAgeInSeconds must be a whole number from 60',
    ],
    [
      'a record age over a week',
      { maximumRecordAgeInSeconds: 604_801 },
      'maximumRecordAgeInSeconds',
    ],
    ['a tumbling window of 901 s', { tumblingWindowInSeconds: 901 }, 'tumblingWindowInSeconds'],
    [
      'AT_TIMESTAMP without a timestamp',
      { startingPosition: 'AT_TIMESTAMP' },
      'startingPositionTimestamp',
    ],
    [
      'an unknown starting position',
      { startingPosition: 'EARLIEST' as 'LATEST' },
      'startingPosition must be one of',
    ],
    [
      'an unknown response type',
      { functionResponseTypes: ['Partial' as 'ReportBatchItemFailures'] },
      'functionResponseTypes',
    ],
    [
      'a stream ARN for another stream',
      { streamArn: 'arn:aws:kinesis:us-east-1:000000000000:stream/t' },
      'does not name stream s',
    ],
    [
      'a filter that is not JSON',
      { filterCriteria: { Filters: [{ Pattern: '{data' }] } },
      'Filters[0].Pattern is not valid JSON',
    ],
    [
      'an unsupported filter operator',
      { filterCriteria: { Filters: [{ Pattern: '{"data":{"a":[{"wildcard":"*"}]}}' }] } },
      'operator "wildcard"',
    ],
  ])('validateMappingConfig rejects %s, naming the field', (_name, change, message) => {
    expect(() => validateMappingConfig({ ...valid, ...change })).toThrow(InvalidMappingConfigError);
    expect(() => validateMappingConfig({ ...valid, ...change })).toThrow(message);
  });
});
