import { NodeHttpHandler } from '@smithy/node-http-handler';
import { Agent } from 'node:https';
import { Agent as HttpAgent } from 'node:http';

export interface AwsEndpointConfig {
  region: string;
  /** Set for local stand-ins (or VPC endpoints); unset on AWS. */
  endpoint?: string;
  /**
   * How long one request may wait for its answer before it fails with a TimeoutError
   * (default 10 s). A caller with a tighter budget passes its own per call.
   */
  requestTimeoutMs?: number;
}

/** The default bound of one request's wait for an answer. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/**
 * Client configuration shared by every SDK client: HTTP/1.1 with keep-alive (the local
 * emulators do not speak HTTP/2), no SDK-level retries (our callers own the retry policy),
 * every request bounded (a connection in 2 s, an answer within the request timeout, then a
 * TimeoutError the callers retry: without throwOnRequestTimeout smithy only logs a warning
 * and the call hangs on), and an endpoint override when configuration names one. A local endpoint with no AWS
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
      requestTimeout: config.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
    }),
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.endpoint && !process.env.AWS_ACCESS_KEY_ID
      ? { credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  };
}
