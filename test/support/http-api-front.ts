import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { Context } from 'aws-lambda';
import { inProcessInvoker } from '../../offline/lambda-invoker.ts';
import {
  startHttpApiServer,
  type AccessEntry,
  type HttpApiServer,
} from '../../offline/http-api/http-api-server.ts';
import {
  readHttpApi,
  stageThrottle,
  type HttpApiDefinition,
} from '../../offline/http-api/http-api-routes.ts';
import { lambdaContext } from './api-events.ts';

type Handler = (event: never, context: Context) => Promise<unknown> | unknown;

/** One request as the API answered it, preflights and 404s included. */
export interface FrontRequest {
  method: string;
  path: string;
  query: string;
  headers: Record<string, string>;
  statusCode: number;
}

interface Printed {
  provider: { httpApi?: { cors?: unknown; payload?: unknown } };
  functions: Record<string, { events?: Array<Record<string, unknown>> }>;
  resources?: { extensions?: unknown };
}

/**
 * serverless.yml's HTTP API for the local stage, as `npm start` serves it (routes, CORS,
 * throttling), read through `sls print`. Each route's function is named by its key
 * (`ingest`, `dashboard`), for startHttpApiFront's handlers.
 */
export function readHttpApiDefinition(): HttpApiDefinition {
  const result = spawnSync(
    process.execPath,
    ['node_modules/serverless/bin/serverless.js', 'print', '--stage', 'local', '--format', 'json'],
    { cwd: resolve(__dirname, '../..'), encoding: 'utf8', timeout: 60_000 },
  );
  if (result.status !== 0) throw new Error(`sls print failed: ${result.stderr}`);
  const printed = JSON.parse(result.stdout.slice(result.stdout.indexOf('{'))) as Printed;
  const functions = Object.entries(printed.functions).map(([key, fn]) => ({
    key,
    name: key,
    events: fn.events ?? [],
  }));
  return readHttpApi(functions, printed.provider, stageThrottle(printed.resources?.extensions));
}

/**
 * The local HTTP API (offline/http-api) on a free loopback port, in front of real handlers
 * called in this process, for SDK tests that need no whole stack: every request as API
 * Gateway hands it over, CORS and routing as serverless.yml says.
 */
export async function startHttpApiFront(
  handlers: Record<string, Handler>,
  api: HttpApiDefinition = readHttpApiDefinition(),
  observe?: (seen: FrontRequest) => void,
): Promise<HttpApiServer> {
  const functions = Object.fromEntries(
    Object.entries(handlers).map(([name, handler]) => [
      name,
      (event: unknown) => handler(event as never, lambdaContext as Context),
    ]),
  );
  return startHttpApiServer({
    api,
    invoker: inProcessInvoker(functions),
    port: 0,
    host: '127.0.0.1',
    onAccess: (entry: AccessEntry) =>
      observe?.({
        method: entry.method,
        path: entry.path,
        query: entry.query,
        headers: entry.headers,
        statusCode: entry.status,
      }),
  });
}
