import { S3Client } from '@aws-sdk/client-s3';
import { awsClientConfig, type AwsEndpointConfig } from '../../runtime/aws-client-config.ts';

/**
 * The S3 client every function uses: path-style addressing when an endpoint is configured
 * (a local stand-in answers on one host, with no bucket subdomains), virtual-hosted on AWS.
 */
export function createS3Client(config: AwsEndpointConfig): S3Client {
  return new S3Client({
    ...awsClientConfig(config),
    forcePathStyle: config.endpoint !== undefined,
  });
}
