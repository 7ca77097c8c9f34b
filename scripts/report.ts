/**
 * The dashboard's figures as tables in the terminal:
 *   npm run report -- [--minutes N] [--top N] [--json]
 * from WAREHOUSE_URL (default the local stack's warehouse, postgres://postgres@127.0.0.1:5439/analytics).
 * The figures are read and shaped by shared/dashboard (the same code as GET /dashboard/data).
 *
 * From another script: `import { runReport } from './report.ts'` and `await runReport()`; it
 * prints, and answers the figures. Or run it as a child process; exit codes: 0 printed,
 * 1 the warehouse could not be read, 2 a wrong argument.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { DashboardFigures } from '../shared/dashboard/figures.ts';
import { poolExecutor } from '../shared/adapters/postgres/pg-executor.ts';
import { DEFAULT_MINUTES, MAX_MINUTES, SqlDashboardReader } from '../shared/dashboard/reader.ts';
import { MAX_TOP_PRODUCTS } from '../shared/dashboard/queries.ts';
import { formatReport } from '../tools/report/report-text.ts';

export const LOCAL_WAREHOUSE_URL = 'postgres://postgres@127.0.0.1:5439/analytics';
const USAGE = 'usage: npm run report -- [--minutes N] [--top N] [--json]';

export interface RunReportOptions {
  /** Default: WAREHOUSE_URL, else the local stack's warehouse. */
  url?: string;
  minutes?: number;
  top?: number;
  /** Print the figures as JSON rather than tables. */
  json?: boolean;
  out?: NodeJS.WritableStream;
}

/** The warehouse could not be read; the message says what to do. */
export class WarehouseUnreachableError extends Error {
  constructor(message: string, options: { cause: unknown }) {
    super(message, options);
    this.name = 'WarehouseUnreachableError';
  }
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ETIMEDOUT',
  'ECONNRESET',
  'EHOSTUNREACH',
]);

export async function runReport(options: RunReportOptions = {}): Promise<DashboardFigures> {
  const url = options.url ?? process.env.WAREHOUSE_URL ?? LOCAL_WAREHOUSE_URL;
  const pool = new pg.Pool({ connectionString: url, max: 3, connectionTimeoutMillis: 5_000 });
  pool.on('error', () => undefined);
  let figures: DashboardFigures;
  try {
    figures = await new SqlDashboardReader(poolExecutor(pool)).figures({
      minutes: options.minutes ?? DEFAULT_MINUTES,
      topProducts: options.top ?? 10,
    });
  } catch (error: unknown) {
    throw explain(error, redact(url));
  } finally {
    await pool.end();
  }
  const out = options.out ?? process.stdout;
  out.write(options.json ? `${JSON.stringify(figures, null, 2)}\n` : formatReport(figures));
  return figures;
}

function explain(error: unknown, url: string): unknown {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : String(error);
  if (
    (typeof code === 'string' && UNREACHABLE.has(code)) ||
    /timeout|terminated|ECONNREFUSED|AggregateError/i.test(text)
  ) {
    return new WarehouseUnreachableError(
      `the warehouse at ${url} is not reachable (${typeof code === 'string' ? code : text}): start the stack with npm start, or set WAREHOUSE_URL`,
      { cause: error },
    );
  }
  if (code === '42P01' || code === '3D000') {
    return new WarehouseUnreachableError(
      `the warehouse at ${url} has no dashboard views (${text}): start the stack with npm start, or run npm run migrate`,
      { cause: error },
    );
  }
  return error;
}

/** The URL as printed: no password. */
function redact(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:@/]+):[^@/]*@/, '$1:***@');
}

function parseCommandLine(argv: string[]): RunReportOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      minutes: { type: 'string', default: String(DEFAULT_MINUTES) },
      top: { type: 'string', default: '10' },
      json: { type: 'boolean', default: false },
    },
  });
  const whole = (name: string, text: string, max: number) => {
    const n = Number(text);
    if (!/^\d+$/.test(text) || n < 1 || n > max)
      throw new UsageError(`--${name} must be a whole number from 1 to ${max} (got ${text})`);
    return n;
  };
  return {
    minutes: whole('minutes', values.minutes, MAX_MINUTES),
    top: whole('top', values.top, MAX_TOP_PRODUCTS),
    json: values.json,
  };
}

class UsageError extends Error {
  constructor(message: string) {
    super(`${message}\n${USAGE}`);
    this.name = 'UsageError';
  }
}

async function main(): Promise<void> {
  let options: RunReportOptions;
  try {
    options = parseCommandLine(process.argv.slice(2));
  } catch (error: unknown) {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`${message.includes(USAGE) ? message : `${message}\n${USAGE}`}\n`);
    process.exit(2);
  }
  try {
    await runReport(options);
  } catch (error: unknown) {
    process.stderr.write(
      `report failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
}

if (require.main === module) void main();
