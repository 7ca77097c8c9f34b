import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { Agent } from 'node:http';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { awsClientConfig } from '../../../shared/runtime/aws-client-config.ts';
import { lambdaApiInvoker } from '../../../offline/lambda-invoker.ts';
import {
  startHttpApiServer,
  type AccessEntry,
  type HttpApiServer,
} from '../../../offline/http-api/http-api-server.ts';
import { readHttpApi } from '../../../offline/http-api/http-api-routes.ts';
import { stopProcess } from '../../support/offline-stack.ts';
import { startFixtureOffline } from '../../support/fixture-offline.ts';

/**
 * The local HTTP API in front of serverless-offline's Lambda Invoke API, as `npm start` runs
 * it, with functions that fail each way a Lambda integration can (fixture/). serverless-offline
 * reports a function that outlives its timeout as an unhandled function error ("[504] -
 * Lambda timeout."), as Lambda reports one (FunctionError Unhandled, "Task timed out"):
 * API Gateway answers that with a 500. Only an integration still running at the integration
 * timeout (30 s on AWS; 2 s here) is a 503.
 */
const LAMBDA_PORT = 3352;
let offline: ChildProcess;
let lambda: LambdaClient;
let api: HttpApiServer;
const access: AccessEntry[] = [];

beforeAll(async () => {
  offline = await startFixtureOffline(resolve(__dirname, 'fixture'), LAMBDA_PORT);
  lambda = new LambdaClient({
    ...awsClientConfig({ region: 'us-east-1', endpoint: `http://127.0.0.1:${LAMBDA_PORT}` }),
    requestHandler: new NodeHttpHandler({
      httpAgent: new Agent({ keepAlive: true }),
      requestTimeout: 35_000,
    }),
  });
  const fn = (key: string, path: string) => ({
    key,
    name: `api-contract-test-${key}`,
    events: [{ httpApi: { method: 'POST', path } }],
  });
  api = await startHttpApiServer({
    api: readHttpApi(
      [
        fn('ok', '/ok'),
        fn('boom', '/boom'),
        fn('sleepy', '/sleepy'),
        fn('slow', '/slow'),
        { key: 'gone', name: 'api-contract-test-gone', events: [{ httpApi: 'POST /gone' }] },
      ],
      {},
    ),
    invoker: lambdaApiInvoker(lambda),
    port: 0,
    host: '127.0.0.1',
    integrationTimeoutMs: 2_000,
    onAccess: (entry) => access.push(entry),
  });
}, 90_000);

afterAll(async () => {
  await api?.close();
  lambda?.destroy();
  if (offline) await stopProcess(offline);
});

async function post(path: string, body?: Buffer, headers: Record<string, string> = {}) {
  const response = await fetch(`${api.url}${path}`, { method: 'POST', headers, body });
  return { status: response.status, text: await response.text() };
}

test('a function run by serverless-offline answers through the API, a gzip body base64-encoded', async () => {
  const answer = await post('/ok', Buffer.from([0x1f, 0x8b, 0x08, 0x00]), {
    'content-type': 'application/json',
    'content-encoding': 'gzip',
  });
  expect(answer.status).toBe(200);
  expect(JSON.parse(answer.text)).toEqual({ rawPath: '/ok', isBase64Encoded: true });
}, 30_000);

test('a function error is a 500 {"message":"Internal Server Error"}, not the 200 serverless-offline gave', async () => {
  const answer = await post('/boom');
  expect(answer.status).toBe(500);
  expect(answer.text).toBe('{"message":"Internal Server Error"}');
  expect(access.find((e) => e.path === '/boom')?.integrationError).toMatch(
    /the function failed on purpose/,
  );
}, 30_000);

test('a function that outlives its own timeout is a function error to API Gateway: 500', async () => {
  const answer = await post('/sleepy');
  expect(answer.status).toBe(500);
  expect(JSON.parse(answer.text)).toEqual({ message: 'Internal Server Error' });
  // How serverless-offline reports it through Invoke: an unhandled error, "[504] - Lambda timeout."
  expect(access.find((e) => e.path === '/sleepy')?.integrationError).toMatch(/Lambda timeout/);
}, 30_000);

test('an integration still running at the integration timeout is a 503 {"message":"Service Unavailable"}', async () => {
  const started = Date.now();
  const answer = await post('/slow');
  expect(answer.status).toBe(503);
  expect(answer.text).toBe('{"message":"Service Unavailable"}');
  expect(Date.now() - started).toBeLessThan(2_900); // at the timeout, not the result
}, 30_000);

test('a function the Invoke API does not know is a 500', async () => {
  const answer = await post('/gone');
  expect(answer.status).toBe(500);
  expect(JSON.parse(answer.text)).toEqual({ message: 'Internal Server Error' });
}, 30_000);
