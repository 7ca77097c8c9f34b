import { corsFromServerless, type HttpApiCors } from './http-api-cors.ts';

/**
 * serverless.yml's `httpApi` events as the routes of one HTTP API, and how API Gateway picks
 * the route of a request
 * (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html):
 * the most specific match wins: a full path match before one with path variables, those
 * before a greedy `{proxy+}`, an explicit method before ANY; `$default` catches the rest.
 */
export interface HttpApiRoute {
  /** As API Gateway names it: `POST /v1/batch`, `ANY /items/{id}`, `$default`. */
  routeKey: string;
  /** Upper-case, or ANY. */
  method: string;
  /** The route's path segments; empty for $default. */
  segments: string[];
  /** The function the Lambda Invoke API answers to. */
  functionName: string;
}

/** Stage throttling (DefaultRouteSettings): requests per second, and the burst above it. */
export interface HttpApiThrottle {
  rateLimit: number;
  burstLimit: number;
}

export interface HttpApiDefinition {
  routes: HttpApiRoute[];
  cors?: HttpApiCors;
  throttle?: HttpApiThrottle;
}

export interface HttpApiFunction {
  key: string;
  name: string;
  events: ReadonlyArray<Record<string, unknown>>;
}

export interface HttpApiProviderConfig {
  httpApi?: { cors?: unknown; payload?: unknown };
}

export interface RouteMatch {
  route: HttpApiRoute;
  pathParameters?: Record<string, string>;
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'OPTIONS', 'HEAD', 'DELETE', 'ANY']);

function eventRoute(fn: HttpApiFunction, event: Record<string, unknown>): HttpApiRoute {
  const httpApi = event.httpApi;
  let method: string | undefined;
  let path: string;
  if (typeof httpApi === 'string') {
    if (httpApi.trim() === '*') path = '*';
    else [method = '', path = ''] = httpApi.trim().split(/\s+/, 2);
  } else {
    const given = httpApi as { method?: unknown; path?: unknown; authorizer?: unknown };
    if (given.authorizer !== undefined)
      throw new Error(
        `function ${fn.key}: httpApi authorizers are not run by the local HTTP API; remove the authorizer for the local stage, or test it deployed`,
      );
    method = given.method === undefined ? undefined : String(given.method);
    path = String(given.path);
  }
  if (path === '*')
    return { routeKey: '$default', method: 'ANY', segments: [], functionName: fn.name };
  const upper = method === '*' ? 'ANY' : (method ?? '').toUpperCase();
  if (!METHODS.has(upper))
    throw new Error(`function ${fn.key}: httpApi method ${JSON.stringify(method)} is not valid`);
  return {
    routeKey: `${upper} ${path}`,
    method: upper,
    segments: path.split('/').slice(1),
    functionName: fn.name,
  };
}

/**
 * The HTTP API the functions' events describe. What the local API cannot honour fails
 * start: REST API (`http`) events, authorizers, payload format 1.0.
 */
export function readHttpApi(
  functions: readonly HttpApiFunction[],
  provider: HttpApiProviderConfig,
  throttle?: HttpApiThrottle,
): HttpApiDefinition {
  if (provider.httpApi?.payload !== undefined && String(provider.httpApi.payload) !== '2.0')
    throw new Error(
      `provider.httpApi.payload ${String(provider.httpApi.payload)}: the local HTTP API speaks payload format 2.0 only`,
    );
  const routes: HttpApiRoute[] = [];
  for (const fn of functions) {
    for (const event of fn.events) {
      if (event.http !== undefined)
        throw new Error(
          `function ${fn.key} has an \`http\` (REST API) event: the local API serves HTTP API (\`httpApi\`) events only; use httpApi, as every route of this service does`,
        );
      if (event.httpApi !== undefined) routes.push(eventRoute(fn, event));
    }
  }
  const cors = corsFromServerless(
    provider.httpApi?.cors,
    routes.map((r) => r.method),
  );
  return { routes, ...(cors ? { cors } : {}), ...(throttle ? { throttle } : {}) };
}

/**
 * The stage's throttling, as serverless.yml's resources.extensions.HttpApiStage sets it
 * (DefaultRouteSettings.ThrottlingRateLimit/ThrottlingBurstLimit); none when unset.
 */
export function stageThrottle(extensions: unknown): HttpApiThrottle | undefined {
  const settings = (
    extensions as
      | { HttpApiStage?: { Properties?: { DefaultRouteSettings?: Record<string, unknown> } } }
      | undefined
  )?.HttpApiStage?.Properties?.DefaultRouteSettings;
  if (settings?.ThrottlingRateLimit === undefined && settings?.ThrottlingBurstLimit === undefined)
    return undefined;
  const rateLimit = Number(settings.ThrottlingRateLimit ?? 10_000);
  const burstLimit = Number(settings.ThrottlingBurstLimit ?? 5_000);
  if (!(rateLimit >= 0) || !(burstLimit >= 0))
    throw new Error(
      `HttpApiStage DefaultRouteSettings: throttling limits must be numbers (got ${String(settings.ThrottlingRateLimit)}, ${String(settings.ThrottlingBurstLimit)})`,
    );
  return { rateLimit, burstLimit };
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The request's path parameters if the route's path matches it, else undefined. */
function matchPath(route: HttpApiRoute, parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < route.segments.length; i += 1) {
    const segment = route.segments[i] as string;
    const variable = /^\{(.+?)(\+)?\}$/.exec(segment);
    if (variable?.[2]) {
      const rest = parts.slice(i);
      if (rest.length === 0 || rest.join('/') === '') return undefined;
      params[variable[1] as string] = decode(rest.join('/'));
      return params;
    }
    const part = parts[i];
    if (part === undefined) return undefined;
    if (variable) {
      if (part === '') return undefined;
      params[variable[1] as string] = decode(part);
    } else if (segment !== part) return undefined;
  }
  return parts.length === route.segments.length ? params : undefined;
}

/** How specific a matching route is: lower wins. */
function rank(route: HttpApiRoute): number {
  const greedy = route.segments.some((s) => s.endsWith('+}')) ? 100 : 0;
  const variables = route.segments.filter((s) => s.startsWith('{')).length;
  return greedy + variables * 2 + (route.method === 'ANY' ? 1 : 0);
}

export function matchRoute(
  routes: readonly HttpApiRoute[],
  method: string,
  path: string,
): RouteMatch | undefined {
  const parts = path.split('/').slice(1);
  let best: RouteMatch | undefined;
  for (const route of routes) {
    if (route.routeKey === '$default') continue;
    if (route.method !== 'ANY' && route.method !== method) continue;
    const params = matchPath(route, parts);
    if (params === undefined) continue;
    if (best === undefined || rank(route) < rank(best.route))
      best = { route, ...(Object.keys(params).length > 0 ? { pathParameters: params } : {}) };
  }
  if (best) return best;
  const fallback = routes.find((r) => r.routeKey === '$default');
  return fallback ? { route: fallback } : undefined;
}
