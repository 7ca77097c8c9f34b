import {
  matchRoute,
  readHttpApi,
  stageThrottle,
  type HttpApiFunction,
} from '../../../offline/http-api/http-api-routes.ts';
import { corsFromServerless } from '../../../offline/http-api/http-api-cors.ts';
import {
  isTextBody,
  joinedHeaders,
  requestTime,
} from '../../../offline/http-api/http-api-event.ts';

const ingest = (events: HttpApiFunction['events']): HttpApiFunction[] => [
  { key: 'ingest', name: 'svc-local-ingest', events },
];

describe('serverless.yml HTTP API configuration the local API cannot honour fails npm start', () => {
  test('a REST API (`http`) event is refused, naming the function and what to use', () => {
    expect(() =>
      readHttpApi(ingest([{ http: { method: 'post', path: '/v1/batch' } }]), {}),
    ).toThrow(
      /function ingest has an `http` \(REST API\) event: the local API serves HTTP API \(`httpApi`\) events only/,
    );
  });

  test('an authorizer is refused rather than let every request through', () => {
    const events = [{ httpApi: { method: 'POST', path: '/x', authorizer: { name: 'jwt' } } }];
    expect(() => readHttpApi(ingest(events), {})).toThrow(/httpApi authorizers are not run/);
  });

  test('payload format 1.0 is refused', () => {
    expect(() =>
      readHttpApi(ingest([{ httpApi: 'POST /x' }]), { httpApi: { payload: '1.0' } }),
    ).toThrow(/payload format 2.0 only/);
  });

  test('a method API Gateway does not know is refused', () => {
    expect(() => readHttpApi(ingest([{ httpApi: 'FETCH /x' }]), {})).toThrow(/method "FETCH"/);
  });
});

describe('serverless.yml → the HTTP API', () => {
  test('each httpApi event form is a route: object, "METHOD /path", "*" ($default), method "*" (ANY)', () => {
    const api = readHttpApi(
      ingest([
        { httpApi: { method: 'post', path: '/v1/batch' } },
        { httpApi: 'GET /items/{id}' },
        { httpApi: { method: '*', path: '/any' } },
        { httpApi: '*' },
        { stream: { arn: 'x' } },
      ]),
      {},
    );
    expect(api.routes.map((r) => r.routeKey)).toEqual([
      'POST /v1/batch',
      'GET /items/{id}',
      'ANY /any',
      '$default',
    ]);
    expect(api.routes.every((r) => r.functionName === 'svc-local-ingest')).toBe(true);
    expect(api.cors).toBeUndefined();
  });

  test('cors: true takes the framework defaults, methods from the routes', () => {
    expect(corsFromServerless(true, ['POST', 'GET'])).toEqual({
      allowedOrigins: ['*'],
      allowedHeaders: [
        'Content-Type',
        'X-Amz-Date',
        'Authorization',
        'X-Api-Key',
        'X-Amz-Security-Token',
        'X-Amz-User-Agent',
        'X-Amzn-Trace-Id',
      ],
      allowedMethods: ['OPTIONS', 'POST', 'GET'],
    });
  });

  test("the stage's throttling comes from resources.extensions.HttpApiStage", () => {
    const extensions = {
      HttpApiStage: {
        Properties: {
          DefaultRouteSettings: { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 },
        },
      },
    };
    expect(stageThrottle(extensions)).toEqual({ rateLimit: 200, burstLimit: 400 });
    expect(stageThrottle(undefined)).toBeUndefined();
  });

  test('a route matches only its method and whole path; query strings play no part', () => {
    const { routes } = readHttpApi(ingest([{ httpApi: 'POST /v1/batch' }]), {});
    expect(matchRoute(routes, 'POST', '/v1/batch')?.route.routeKey).toBe('POST /v1/batch');
    expect(matchRoute(routes, 'GET', '/v1/batch')).toBeUndefined();
    expect(matchRoute(routes, 'POST', '/v1/batch/x')).toBeUndefined();
  });
});

describe('payload 2.0 details', () => {
  test.each([
    [{ 'content-type': 'application/json' }, true],
    [{ 'content-type': 'Text/HTML; charset=utf-8' }, true],
    [{ 'content-type': 'application/json', 'content-encoding': 'gzip' }, false],
    [{ 'content-type': 'application/json', 'content-encoding': 'identity' }, true],
    [{ 'content-type': 'application/vnd.api+json' }, false],
    [{}, false],
  ])('headers %j: body handed over as text: %s', (headers, text) => {
    expect(isTextBody(headers)).toBe(text);
  });

  test('header names are lower-cased and repeated headers joined with commas', () => {
    expect(joinedHeaders(['Accept', 'a', 'X-Y', '1', 'accept', 'b'])).toEqual({
      accept: 'a,b',
      'x-y': '1',
    });
  });

  test('requestContext.time is in the access log format', () => {
    expect(requestTime(Date.UTC(2020, 2, 9, 19, 3, 58))).toBe('09/Mar/2020:19:03:58 +0000');
  });
});
