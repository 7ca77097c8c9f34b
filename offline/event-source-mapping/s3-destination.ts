import { randomUUID } from 'node:crypto';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { FailureDestination } from './destination.ts';
import { batchEvent } from './event.ts';

/**
 * An S3 bucket as a stream mapping's on-failure destination. "For Amazon S3 destinations,
 * Lambda also sends the entire invocation record along with the metadata"
 * (https://docs.aws.amazon.com/lambda/latest/dg/kinesis-on-failure-destination.html): the
 * object is the invocation record plus `payload`, the batch's event, as in AWS's recorded
 * answer (localstack's AWS-validated snapshot
 * test_kinesis_event_source_mapping_with_s3_on_failure_destination). The key is the
 * documented `aws/lambda/<ESM-UUID>/<shardID>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<Random UUID>`
 * (UTC, from the record's timestamp), so S3 notifications on that prefix fire as deployed.
 */
export function s3FailureDestination(
  s3: Pick<S3Client, 'send'>,
  bucket: string,
  mappingUuid: string,
): FailureDestination {
  return {
    async send(record, records) {
      const body = { ...record, payload: batchEvent(records) };
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: failureObjectKey(mappingUuid, record.KinesisBatchInfo.shardId, record.timestamp),
          Body: JSON.stringify(body),
          ContentType: 'application/json',
        }),
      );
    },
  };
}

export function failureObjectKey(mappingUuid: string, shardId: string, timestamp: string): string {
  const iso = new Date(timestamp).toISOString(); // YYYY-MM-DDTHH:MM:SS.sssZ
  const day = iso.slice(0, 10).replaceAll('-', '/');
  const time = iso.slice(0, 19).replaceAll(':', '.');
  return `aws/lambda/${mappingUuid}/${shardId}/${day}/${time}-${randomUUID()}`;
}
