import { LambdaClient } from '@aws-sdk/client-lambda';
import { awsClientConfig } from '../../shared/runtime/aws-client-config.ts';
import { lambdaApiInvoker, type LambdaInvoker } from '../lambda-invoker.ts';
import {
  INTEGRATION_TIMEOUT_MS,
  startHttpApiServer,
  type AccessEntry,
  type HttpApiServer,
} from './http-api-server.ts';
import {
  readHttpApi,
  stageThrottle,
  type HttpApiDefinition,
  type HttpApiProviderConfig,
} from './http-api-routes.ts';

/** The slice of the framework's service the HTTP API is read from. */
export interface HttpApiService {
  service: string;
  provider: { stage: string } & HttpApiProviderConfig;
  resources?: { extensions?: Record<string, unknown> };
  getAllFunctions(): string[];
  getFunction(key: string): { name?: string; events?: Array<Record<string, unknown>> };
}

/**
 * serverless.yml's HTTP API, read from the functions' `httpApi` events, which are then taken
 * out of the service: serverless-offline starts its own HTTP server only for functions with
 * http/httpApi events, so it leaves the port to ours. Call it before serverless-offline reads
 * the events (the plugin does, in before:offline:start:init).
 */
export function takeHttpApi(service: HttpApiService): HttpApiDefinition {
  const functions = service.getAllFunctions().map((key) => {
    const fn = service.getFunction(key);
    return {
      key,
      name: fn.name ?? `${service.service}-${service.provider.stage}-${key}`,
      events: fn.events ?? [],
    };
  });
  const api = readHttpApi(
    functions,
    service.provider,
    stageThrottle(service.resources?.extensions),
  );
  for (const key of service.getAllFunctions()) {
    const fn = service.getFunction(key);
    if (fn.events) fn.events = fn.events.filter((event) => event.httpApi === undefined);
  }
  return api;
}

/** One access log line: method, path, status, latency, then what the deployed format logs. */
export function accessLine(entry: AccessEntry): string {
  return `${entry.method} ${entry.path} ${entry.status} ${entry.ms} ms ${JSON.stringify({
    requestId: entry.requestId,
    ip: entry.ip,
    routeKey: entry.routeKey ?? '-',
    responseLength: entry.responseLength,
    ...(entry.integrationError ? { integrationError: entry.integrationError } : {}),
  })}`;
}

export interface LocalHttpApiOptions {
  region: string;
  lambdaPort: number;
  /** The stack's fault switches (LocalStack.withFaults) around the Invoke API client. */
  wrapInvoker?: (inner: LambdaInvoker) => LambdaInvoker;
  port: number;
  host: string;
  log: (line: string) => void;
}

/**
 * The HTTP API server calling functions through serverless-offline's Lambda Invoke API, with
 * a client of its own: its requests wait past the integration's 30 s (the functions' 10 s
 * default would cut a dashboard read short), and the server answers 503 at 30 s itself.
 */
export async function startLocalHttpApi(
  api: HttpApiDefinition,
  options: LocalHttpApiOptions,
): Promise<HttpApiServer> {
  const lambda = new LambdaClient(
    awsClientConfig({
      region: options.region,
      endpoint: `http://127.0.0.1:${options.lambdaPort}`,
      requestTimeoutMs: INTEGRATION_TIMEOUT_MS + 5_000,
    }),
  );
  try {
    const server = await startHttpApiServer({
      api,
      invoker: (options.wrapInvoker ?? ((inner) => inner))(lambdaApiInvoker(lambda)),
      port: options.port,
      host: options.host,
      onAccess: (entry) => options.log(accessLine(entry)),
    });
    return {
      url: server.url,
      async close() {
        await server.close();
        lambda.destroy();
      },
    };
  } catch (error) {
    lambda.destroy();
    throw error;
  }
}
