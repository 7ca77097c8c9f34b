import type { ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { awsClientConfig } from '../../../shared/runtime/aws-client-config.ts';
import { lambdaApiInvoker, type InvokeResult } from '../../../offline/lambda-invoker.ts';
import { concurrencyPlan } from '../../../offline/concurrency/concurrency-config.ts';
import { FunctionConcurrency } from '../../../offline/concurrency/function-concurrency.ts';
import {
  startHttpApiServer,
  type HttpApiServer,
} from '../../../offline/http-api/http-api-server.ts';
import { readHttpApi } from '../../../offline/http-api/http-api-routes.ts';
import { stopProcess } from '../../support/offline-stack.ts';
import { startFixtureOffline } from '../../support/fixture-offline.ts';

/**
 * Lambda's concurrency, locally: serverless-offline runs each function instance in a worker
 * thread; an idle instance is reused and holds its module state; an instance runs one invocation
 * at a time (https://docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html). The gate of
 * offline/concurrency honours reservedConcurrency as AWS does (throttled past it,
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html) and keeps a
 * function to the machine's worker ceiling without refusing anything. fixture/ has the
 * functions; the plan is read from the same declarations the plugin reads.
 */
const LAMBDA_PORT = 3432;
const WORKERS = 2;
const name = (key: string) => `concurrency-contract-test-${key}`;
const FUNCTIONS = [
  { key: 'reuse', name: name('reuse') },
  { key: 'parallel', name: name('parallel') },
  { key: 'reserved', name: name('reserved'), reservedConcurrency: 2 },
  { key: 'capped', name: name('capped') },
];
let offline: ChildProcess;
let lambda: LambdaClient;

interface Whoami {
  instance: string;
  threadId: number;
  invocations: number;
  mostBusy: number;
}

beforeAll(async () => {
  offline = await startFixtureOffline(resolve(__dirname, 'fixture'), LAMBDA_PORT);
  lambda = new LambdaClient(
    awsClientConfig({ region: 'us-east-1', endpoint: `http://127.0.0.1:${LAMBDA_PORT}` }),
  );
}, 90_000);

afterAll(async () => {
  lambda?.destroy();
  if (offline) await stopProcess(offline);
});

const payload = (result: InvokeResult): Whoami => {
  if (!result.ok) throw new Error(`${result.errorType}: ${result.errorMessage}`);
  return result.payload as Whoami;
};

test('an idle instance is reused: one invocation after another runs in the same instance, its module state kept', async () => {
  const invoker = lambdaApiInvoker(lambda);
  const answers: Whoami[] = [];
  for (let i = 0; i < 5; i += 1)
    answers.push(payload(await invoker.invoke(name('reuse'), { sleepMs: 0 })));
  expect(new Set(answers.map((a) => a.instance)).size).toBe(1);
  expect(answers.map((a) => a.invocations)).toEqual([1, 2, 3, 4, 5]);
}, 30_000);

test('an instance runs one invocation at a time: concurrent invocations run in instances of their own', async () => {
  const invoker = lambdaApiInvoker(lambda);
  const answers = (
    await Promise.all(
      Array.from({ length: 3 }, () => invoker.invoke(name('parallel'), { sleepMs: 400 })),
    )
  ).map(payload);
  expect(new Set(answers.map((a) => a.instance)).size).toBe(3);
  expect(answers.every((a) => a.mostBusy === 1)).toBe(true);
}, 30_000);

test('an invocation beyond reserved concurrency is throttled with TooManyRequestsException', async () => {
  const plan = concurrencyPlan(FUNCTIONS, 4);
  const invoker = new FunctionConcurrency(plan.limits, 4).invoker(lambdaApiInvoker(lambda));
  const results = await Promise.all(
    Array.from({ length: 3 }, () => invoker.invoke(name('reserved'), { sleepMs: 500 })),
  );
  expect(results.filter((r) => r.ok)).toHaveLength(2);
  expect(results.filter((r) => !r.ok)).toEqual([
    {
      ok: false,
      errorType: 'TooManyRequestsException',
      errorMessage: 'Rate Exceeded.',
      source: 'service',
    },
  ]);
  // The reservation is a ceiling on concurrency, not on rate: once one ends, the next runs.
  expect((await invoker.invoke(name('reserved'), {})).ok).toBe(true);
}, 30_000);

test('past the local worker ceiling invocations wait rather than fail, in no more instances than the ceiling', async () => {
  const plan = concurrencyPlan(FUNCTIONS, WORKERS);
  expect(plan.notices.join('\n')).toMatch(/at most 2 invocations of each function run at once/);
  const concurrency = new FunctionConcurrency(plan.limits, WORKERS);
  const invoker = concurrency.invoker(lambdaApiInvoker(lambda));
  const answers = (
    await Promise.all(
      Array.from({ length: 6 }, () => invoker.invoke(name('capped'), { sleepMs: 300 })),
    )
  ).map(payload);
  expect(answers).toHaveLength(6);
  expect(new Set(answers.map((a) => a.instance)).size).toBe(WORKERS);
  expect(concurrency.stats(name('capped'))).toMatchObject({
    peakRunning: WORKERS,
    throttled: 0,
    admitted: 0,
  });
}, 30_000);

describe('the HTTP API in front of a throttled function', () => {
  let api: HttpApiServer;
  beforeAll(async () => {
    const plan = concurrencyPlan(FUNCTIONS, 4);
    api = await startHttpApiServer({
      api: readHttpApi(
        [{ key: 'reserved', name: name('reserved'), events: [{ httpApi: 'GET /reserved' }] }],
        {},
      ),
      invoker: new FunctionConcurrency(plan.limits, 4).invoker(lambdaApiInvoker(lambda)),
      port: 0,
      host: '127.0.0.1',
    });
  });
  afterAll(() => api?.close());

  // "If the Lambda API rejects the invocation request, API Gateway returns a 500 error code"
  // (https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway-errors.html).
  test('the HTTP API answers a throttled function with 500 {"message":"Internal Server Error"}', async () => {
    const answers = await Promise.all(
      Array.from({ length: 3 }, async () => {
        const response = await fetch(`${api.url}/reserved?sleepMs=500`);
        return { status: response.status, text: await response.text() };
      }),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 500]);
    expect(answers.find((a) => a.status === 500)?.text).toBe('{"message":"Internal Server Error"}');
  }, 30_000);
});

test('a reservedConcurrency that is not a whole number of 0 or more fails start', () => {
  expect(() => concurrencyPlan([{ key: 'f', name: 'f', reservedConcurrency: -1 }], 4)).toThrow(
    /function f: reservedConcurrency must be a whole number of 0 or more/,
  );
  expect(concurrencyPlan([{ key: 'f', name: 'f', reservedConcurrency: 0 }], 4).notices).toEqual([
    'function f: reservedConcurrency 0, every invocation is throttled (TooManyRequestsException), as on AWS',
  ]);
});
