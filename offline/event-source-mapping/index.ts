export {
  InvalidMappingConfigError,
  MAPPING_DEFAULTS,
  validateMappingConfig,
  type KinesisMappingConfig,
} from './mapping-config.ts';
export {
  sqsFailureDestination,
  type FailureDestination,
  type OnFailureRecord,
} from './destination.ts';
export {
  startEventSourceMapping,
  StreamNotFoundError,
  type EventSourceMapping,
  type MappingDeps,
  type MappingStats,
} from './mapping.ts';
export { s3FailureDestination } from './s3-destination.ts';
export { snsFailureDestination } from './sns-destination.ts';
export type { Clock, MappingLog, Timing } from './runtime.ts';
