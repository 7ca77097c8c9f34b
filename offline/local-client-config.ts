import { awsClientConfig } from '../shared/runtime/aws-client-config.ts';

/**
 * The SDK client configuration of the stand-ins' own clients (and of tests reading them):
 * the functions' bound (10 s an answer) is for AWS's endpoints; a local emulator on a busy
 * 2-core laptop may take longer for a 10,000-record GetRecords page, and a poller that gave
 * up at 10 s would retry the same slow page forever. Still bounded: a stand-in that stopped
 * answering fails the call within a minute instead of hanging the stack.
 */
export const LOCAL_REQUEST_TIMEOUT_MS = 60_000;

export function localClientConfig(region: string, endpoint: string) {
  return awsClientConfig({ region, endpoint, requestTimeoutMs: LOCAL_REQUEST_TIMEOUT_MS });
}
