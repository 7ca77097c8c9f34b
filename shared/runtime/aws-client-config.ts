import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:https';
import { Agent as HttpAgent } from 'node:http';

export interface AwsEndpointConfig {
  region: string;
  /** Set for local stand-ins (or VPC endpoints); unset on AWS. */
  endpoint?: string;
}

/**
 * Client configuration shared by every SDK client: HTTP/1.1 with keep-alive (the local
 * emulators do not speak HTTP/2), no SDK-level retries (our callers own the retry policy),
 * and an endpoint override when configuration names one. A local endpoint with no AWS
 * credentials in the environment gets placeholder credentials: emulators accept any.
 */
export function awsClientConfig(config: AwsEndpointConfig) {
  return {
    region: config.region,
    maxAttempts: 1,
    requestHandler: new NodeHttpHandler({
      httpAgent: new HttpAgent({ keepAlive: true, maxSockets: 50 }),
      httpsAgent: new Agent({ keepAlive: true, maxSockets: 50 }),
      connectionTimeout: 2_000,
      requestTimeout: 10_000,
    }),
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.endpoint && !process.env.AWS_ACCESS_KEY_ID
      ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  };
}
