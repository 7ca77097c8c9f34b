import { checkPrefix } from './prefix.ts';

/** One delivery stream, in the terms of ExtendedS3DestinationConfiguration. */
export interface DeliveryStreamConfig {
  name: string;
  arn: string;
  /** KinesisStreamAsSource: the stream is read like a consumer; PutRecord(Batch) is then refused. */
  source?: { streamName: string; streamArn: string };
  bucket: string;
  /** May hold !{timestamp:...}, !{firehose:...}, !{partitionKeyFromLambda:...}; '' means YYYY/MM/dd/HH/ (UTC). */
  prefix: string;
  errorOutputPrefix: string;
  /** S3 buffering: 1-128 MB, 0-900 s; whichever is reached first flushes. */
  bufferingHints: { sizeInMBs: number; intervalInSeconds: number };
  /** A Lambda processor: buffer 0.2-3 MB, 0-900 s; retries 0-300 (AWS default 3). */
  processor?: {
    functionName: string;
    bufferSizeInMBs: number;
    bufferIntervalInSeconds: number;
    numberOfRetries: number;
  };
  dynamicPartitioning?: boolean;
  compression?: 'UNCOMPRESSED' | 'GZIP';
  /**
   * FileExtension: replaces the default extension ('' or `.gz`) of delivered objects, so an S3
   * notification filtered on the suffix fires as deployed. 0-128 characters matching
   * `^$|\.[0-9a-z!\-_.*'()]+` (Firehose API, ExtendedS3DestinationConfiguration).
   */
  fileExtension?: string;
}

export interface Log {
  info(message: string): void;
  /** Shown without --verbose (recovery after a crash, fault holds); info when absent. */
  warn?(message: string): void;
  error(message: string): void;
}

export const MIB = 1024 * 1024;
/** PutRecordBatch: 500 records, 1,000 KiB per record (before base64), 4 MiB per call. */
export const MAX_BATCH_RECORDS = 500;
export const MAX_RECORD_BYTES = 1_000 * 1024;
export const MAX_BATCH_BYTES = 4 * MIB;
/** A Lambda request (and response) payload is capped at 6 MB. */
export const MAX_INVOCATION_BYTES = 6 * MIB;
export const ACCOUNT_ID = '000000000000';

/** Typos and out-of-range values fail at start with every problem listed, not at the first record. */
export class DeliveryStreamConfigError extends Error {
  constructor(problems: string[]) {
    super(`invalid Firehose delivery stream configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'DeliveryStreamConfigError';
  }
}

function inRange(problems: string[], what: string, value: number, min: number, max: number): void {
  if (!Number.isFinite(value) || value < min || value > max)
    problems.push(`${what} must be between ${min} and ${max} (got ${value})`);
}

export function validateDeliveryStreams(
  streams: readonly DeliveryStreamConfig[],
  hasKinesis: boolean,
): void {
  const problems: string[] = [];
  const names = new Set<string>();
  for (const s of streams) {
    const at = `delivery stream ${JSON.stringify(s.name)}`;
    if (!/^[a-zA-Z0-9._-]{1,64}$/.test(s.name))
      problems.push(`${at}: name must be 1-64 of [a-zA-Z0-9._-]`);
    if (names.has(s.name)) problems.push(`${at}: configured twice`);
    names.add(s.name);
    if (s.bucket === '') problems.push(`${at}: bucket is required`);
    inRange(problems, `${at}: bufferingHints.sizeInMBs`, s.bufferingHints.sizeInMBs, 1, 128);
    inRange(
      problems,
      `${at}: bufferingHints.intervalInSeconds`,
      s.bufferingHints.intervalInSeconds,
      0,
      900,
    );
    if (s.processor) {
      inRange(problems, `${at}: processor.bufferSizeInMBs`, s.processor.bufferSizeInMBs, 0.2, 3);
      inRange(
        problems,
        `${at}: processor.bufferIntervalInSeconds`,
        s.processor.bufferIntervalInSeconds,
        0,
        900,
      );
      inRange(problems, `${at}: processor.numberOfRetries`, s.processor.numberOfRetries, 0, 300);
    }
    if (s.source && !hasKinesis)
      problems.push(`${at}: reads stream ${s.source.streamName} but no Kinesis client was given`);
    const usesPartitionKeys = /!\{partitionKeyFrom/.test(s.prefix);
    if (usesPartitionKeys && !s.dynamicPartitioning)
      problems.push(`${at}: prefix uses partition keys but dynamicPartitioning is off`);
    if (s.dynamicPartitioning && !s.processor)
      problems.push(
        `${at}: dynamic partitioning here takes its keys from the Lambda processor (partitionKeyFromLambda), and there is none`,
      );
    if (s.dynamicPartitioning && s.errorOutputPrefix === '')
      problems.push(`${at}: dynamic partitioning requires an errorOutputPrefix (as on AWS)`);
    if (s.fileExtension !== undefined && !validFileExtension(s.fileExtension))
      problems.push(
        `${at}: fileExtension must be empty or a dot and up to 127 of [0-9a-z!-_.*'()] (got ${JSON.stringify(s.fileExtension)})`,
      );
    for (const problem of checkPrefix(s.prefix)) problems.push(`${at}: prefix: ${problem}`);
    for (const problem of checkPrefix(s.errorOutputPrefix))
      problems.push(`${at}: errorOutputPrefix: ${problem}`);
    if (/!\{partitionKeyFrom/.test(s.errorOutputPrefix))
      problems.push(`${at}: errorOutputPrefix cannot use partition keys`);
  }
  if (problems.length > 0) throw new DeliveryStreamConfigError(problems);
}

const validFileExtension = (extension: string) =>
  extension.length <= 128 && /^$|^\.[0-9a-z!\-_.*'()]+$/.test(extension);

export function lambdaArn(region: string, functionName: string): string {
  return functionName.startsWith('arn:')
    ? functionName
    : `arn:aws:lambda:${region}:${ACCOUNT_ID}:function:${functionName}:$LATEST`;
}
