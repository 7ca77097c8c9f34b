import type { SourceRecord } from './record.ts';

/** One line of the processing-failed output, in the format Firehose documents. */
export function errorLine(
  record: SourceRecord,
  attemptsMade: number,
  errorCode: string,
  errorMessage: string,
  attemptEndingTimestamp: number,
  arn: string,
) {
  return {
    attemptsMade,
    arrivalTimestamp: record.arrival,
    errorCode,
    errorMessage,
    attemptEndingTimestamp,
    rawData: record.data.toString('base64'),
    lambdaArn: arn,
  };
}
