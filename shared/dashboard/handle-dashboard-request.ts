import { jsonResponse, type HttpResponse } from '../runtime/http-responses.ts';
import type { DashboardFigures } from './figures.ts';
import type { DashboardPage } from './page.ts';
import { readKeyOf, type ReadKeys } from './read-keys.ts';
import { DEFAULT_MINUTES, MAX_MINUTES, type DashboardReader } from './reader.ts';

/**
 * The dashboard's two routes: GET /dashboard (the page) and GET /dashboard/data (the figures
 * it refreshes from), both behind a read key. Answers are built here, the handler only
 * adapts the API Gateway event.
 */
export interface DashboardRequest {
  path: string;
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
}

export interface DashboardDeps {
  reader: DashboardReader;
  readKeys: ReadKeys;
  page: DashboardPage;
  /** Told about every failed warehouse read (the answer itself says only what a caller needs). */
  onWarehouseError(error: unknown): void;
}

const NO_STORE = { 'cache-control': 'no-store' };
const BEARER = { 'www-authenticate': 'Bearer realm="dashboard"' };

export async function handleDashboardRequest(
  request: DashboardRequest,
  deps: DashboardDeps,
): Promise<HttpResponse> {
  const route = request.path.replace(/\/+$/, '');
  const isPage = route.endsWith('/dashboard');
  if (!isPage && !route.endsWith('/dashboard/data')) {
    return jsonResponse(404, { success: false, error: `no route ${request.path}` }, NO_STORE);
  }
  const refusal = checkKey(request, deps.readKeys);
  if (refusal !== undefined) {
    return isPage
      ? htmlResponse(401, deps.page.keyRequired(refusal), BEARER)
      : jsonResponse(401, { success: false, error: refusal }, { ...NO_STORE, ...BEARER });
  }
  if (isPage) return htmlResponse(200, deps.page.html, deps.page.headers);

  const minutes = parseMinutes(request.query.minutes);
  if (typeof minutes === 'string') {
    return jsonResponse(400, { success: false, error: minutes }, NO_STORE);
  }
  let figures: DashboardFigures;
  try {
    figures = await deps.reader.figures({ minutes });
  } catch (error: unknown) {
    deps.onWarehouseError(error);
    return jsonResponse(
      503,
      { success: false, error: `the warehouse did not answer${detail(error)}; try again shortly` },
      { ...NO_STORE, 'retry-after': '5' },
    );
  }
  return jsonResponse(200, { success: true, figures }, NO_STORE);
}

function checkKey(request: DashboardRequest, keys: ReadKeys): string | undefined {
  const lookup = readKeyOf(request.headers, request.query);
  if ('malformed' in lookup) return lookup.malformed;
  if ('missing' in lookup) {
    return 'a read key is required: add ?key=<read key> to the address, or send Authorization: Bearer <read key>';
  }
  return keys.isValid(lookup.key) ? undefined : 'the read key is not valid';
}

function parseMinutes(text: string | undefined): number | string {
  if (text === undefined || text === '') return DEFAULT_MINUTES;
  const minutes = Number(text);
  return /^\d+$/.test(text) && minutes >= 1 && minutes <= MAX_MINUTES
    ? minutes
    : `minutes must be a whole number from 1 to ${MAX_MINUTES} (got ${JSON.stringify(text.slice(0, 20))})`;
}

/** A connection error's code (ECONNREFUSED ...) helps whoever runs the stack; nothing more. */
function detail(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{2,40}$/.test(code) ? ` (${code})` : '';
}

function htmlResponse(
  statusCode: number,
  body: string,
  headers: Record<string, string>,
): HttpResponse {
  return {
    statusCode,
    headers: { 'content-type': 'text/html; charset=utf-8', ...NO_STORE, ...headers },
    body,
  };
}
