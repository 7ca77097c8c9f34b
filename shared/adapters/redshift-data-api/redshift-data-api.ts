import type { LoadCounts, LoadResult, ObjectLoader, S3Object } from '../../load/load-object.ts';
import { redshiftLoadStatements, type RedshiftLoadConfig } from '../../load/redshift-load-sql.ts';
import type { SqlExecutor, SqlResult, SqlValue } from '../postgres/sql-executor.ts';

/**
 * The Redshift Data API as a port: the request and response shapes of
 * @aws-sdk/client-redshift-data's ExecuteStatement, BatchExecuteStatement, DescribeStatement
 * and GetStatementResult (the fields used here), so the SDK client fits with a one-line
 * `client.send(new XCommand(input))` per method. No SDK import: this is the domain side.
 */
export type StatementStatus =
  'SUBMITTED' | 'PICKED' | 'STARTED' | 'FINISHED' | 'FAILED' | 'ABORTED';

export interface DataApiTarget {
  Database: string;
  WorkgroupName?: string;
  ClusterIdentifier?: string;
  SecretArn?: string;
  DbUser?: string;
}

export interface DataApiField {
  isNull?: boolean;
  booleanValue?: boolean;
  longValue?: number;
  doubleValue?: number;
  stringValue?: string;
}

export interface DescribeStatementOutput {
  Status?: StatementStatus | string;
  Error?: string;
  ResultRows?: number;
  HasResultSet?: boolean;
  SubStatements?: { Id?: string; Status?: string; Error?: string; ResultRows?: number }[];
}

export interface RedshiftDataApi {
  /** With SessionId, the target fields must be left out (the session already has them). */
  executeStatement(
    input: Partial<DataApiTarget> & {
      Sql: string;
      Parameters?: { name: string; value: string }[];
      SessionId?: string;
      SessionKeepAliveSeconds?: number;
    },
  ): Promise<{ Id?: string; SessionId?: string }>;
  batchExecuteStatement(input: DataApiTarget & { Sqls: string[] }): Promise<{ Id?: string }>;
  describeStatement(input: { Id: string }): Promise<DescribeStatementOutput>;
  getStatementResult(input: { Id: string; NextToken?: string }): Promise<{
    Records?: DataApiField[][];
    ColumnMetadata?: { name?: string }[];
    NextToken?: string;
  }>;
}

export class RedshiftStatementError extends Error {
  constructor(
    readonly statementId: string,
    readonly status: string,
    detail: string,
  ) {
    super(`Redshift statement ${statementId} ${status}: ${detail}`);
    this.name = 'RedshiftStatementError';
  }
}

export interface PollOptions {
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Give up waiting (the statement may still run; Redshift's own timeout applies). */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs statements and waits for them: the Data API is asynchronous, so each call answers an
 * id to poll with DescribeStatement until FINISHED (or FAILED/ABORTED, thrown). Polling
 * backs off from 50 ms doubling to 2 s: short loads finish in a few polls, long COPYs do
 * not burn the API's request quota.
 */
export class RedshiftDataApiClient {
  private readonly poll: Required<PollOptions>;

  constructor(
    private readonly api: RedshiftDataApi,
    private readonly target: DataApiTarget,
    poll: PollOptions = {},
  ) {
    this.poll = {
      initialDelayMs: poll.initialDelayMs ?? 50,
      maxDelayMs: poll.maxDelayMs ?? 2_000,
      timeoutMs: poll.timeoutMs ?? 600_000,
      sleep: poll.sleep ?? realSleep,
      now: poll.now ?? Date.now,
    };
  }

  async waitFor(id: string): Promise<DescribeStatementOutput> {
    const started = this.poll.now();
    let delay = this.poll.initialDelayMs;
    for (;;) {
      const described = await this.api.describeStatement({ Id: id });
      const status = described.Status ?? 'SUBMITTED';
      if (status === 'FINISHED') return described;
      if (status === 'FAILED' || status === 'ABORTED') {
        const failedSub = described.SubStatements?.find((s) => s.Status === 'FAILED');
        throw new RedshiftStatementError(
          id,
          status,
          failedSub?.Error ?? described.Error ?? 'no detail',
        );
      }
      if (this.poll.now() - started >= this.poll.timeoutMs) {
        throw new RedshiftStatementError(
          id,
          status,
          `still ${status} after ${this.poll.timeoutMs} ms`,
        );
      }
      await this.poll.sleep(delay);
      delay = Math.min(delay * 2, this.poll.maxDelayMs);
    }
  }

  /** One transaction of several statements (no parameters: see redshift-load.ts). */
  async runBatch(sqls: string[]): Promise<DescribeStatementOutput> {
    const { Id } = await this.api.batchExecuteStatement({ ...this.target, Sqls: sqls });
    if (!Id) throw new Error('BatchExecuteStatement answered no statement id');
    return this.waitFor(Id);
  }

  /**
   * A SqlExecutor over one Data API session, so BEGIN/COMMIT and temp tables span calls.
   * `$n` placeholders become the Data API's `:pn` named parameters.
   */
  session(keepAliveSeconds = 60): SqlExecutor {
    let sessionId: string | undefined;
    let queue: Promise<unknown> = Promise.resolve();
    const run = async (sql: string, params: readonly SqlValue[]): Promise<SqlResult> => {
      const started = await this.api.executeStatement({
        ...(sessionId ? {} : this.target),
        Sql: sql.replace(/\$(\d+)\b/g, ':p$1'),
        ...(params.length > 0 ? { Parameters: toParameters(params) } : {}),
        ...(sessionId ? { SessionId: sessionId } : { SessionKeepAliveSeconds: keepAliveSeconds }),
      });
      if (!started.Id) throw new Error('ExecuteStatement answered no statement id');
      sessionId ??= started.SessionId;
      const described = await this.waitFor(started.Id);
      const rows = described.HasResultSet ? await this.rows(started.Id) : [];
      return { rows, rowCount: described.HasResultSet ? rows.length : (described.ResultRows ?? 0) };
    };
    // A session runs one statement at a time: callers queue.
    const query = (sql: string, params: readonly SqlValue[] = []) => {
      const next = queue.then(() => run(sql, params));
      queue = next.catch(() => undefined);
      return next;
    };
    const inTransaction: SqlExecutor = { query, transaction: (work) => work(inTransaction) };
    return {
      query,
      async transaction(work) {
        await query('BEGIN');
        try {
          const result = await work(inTransaction);
          await query('COMMIT');
          return result;
        } catch (error: unknown) {
          await query('ROLLBACK').catch(() => undefined);
          throw error;
        }
      },
    };
  }

  /**
   * A SqlExecutor without a session: each query is one ExecuteStatement of its own (its own
   * transaction), and queries run concurrently. For reads such as the dashboard's, where a
   * session would expire while a warm function waits for its next request. `$n` placeholders
   * become `:pn` as in session(); transaction() needs a session and is refused.
   */
  statements(): SqlExecutor {
    return {
      query: async (sql, params = []) => {
        const started = await this.api.executeStatement({
          ...this.target,
          Sql: sql.replace(/\$(\d+)\b/g, ':p$1'),
          ...(params.length > 0 ? { Parameters: toParameters(params) } : {}),
        });
        if (!started.Id) throw new Error('ExecuteStatement answered no statement id');
        const described = await this.waitFor(started.Id);
        const rows = described.HasResultSet ? await this.rows(started.Id) : [];
        return {
          rows,
          rowCount: described.HasResultSet ? rows.length : (described.ResultRows ?? 0),
        };
      },
      transaction: () =>
        Promise.reject(new Error('statements() runs no transactions: use session()')),
    };
  }

  private async rows(id: string): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    let token: string | undefined;
    do {
      const page = await this.api.getStatementResult({
        Id: id,
        ...(token ? { NextToken: token } : {}),
      });
      const names = (page.ColumnMetadata ?? []).map((c, i) => c.name ?? `column${i + 1}`);
      for (const record of page.Records ?? []) {
        rows.push(
          Object.fromEntries(
            record.map((field, i) => [names[i] ?? `column${i + 1}`, fieldValue(field)]),
          ),
        );
      }
      token = page.NextToken;
    } while (token);
    return rows;
  }
}

function toParameters(params: readonly SqlValue[]): { name: string; value: string }[] {
  return params.map((value, i) => {
    // The Data API has no typed or null parameters: every value travels as text.
    if (value === null)
      throw new Error(`parameter $${i + 1} is null: the Data API cannot bind null`);
    return { name: `p${i + 1}`, value: String(value) };
  });
}

function fieldValue(field: DataApiField): unknown {
  if (field.isNull) return null;
  return field.stringValue ?? field.longValue ?? field.doubleValue ?? field.booleanValue ?? null;
}

/** Loads objects with Redshift's own COPY from S3, one BatchExecuteStatement per object. */
export class RedshiftObjectLoader implements ObjectLoader {
  constructor(
    private readonly client: RedshiftDataApiClient,
    private readonly config: RedshiftLoadConfig,
  ) {}

  async load(object: Pick<S3Object, 'key' | 'kind'>): Promise<LoadResult> {
    const statements = redshiftLoadStatements(this.config, object.key, object.kind);
    const described = await this.client.runBatch(statements);
    const rowsOf = (i: number) => described.SubStatements?.[i]?.ResultRows ?? 0;
    const loaded = rowsOf(statements.length - 1) === 1;
    const counts: LoadCounts = {
      lines: 0,
      events: 0,
      bad_events: 0,
      metrics: 0,
      product_metrics: 0,
    };
    // Rows written per target: the sub-statements that INSERT INTO or MERGE INTO it.
    statements.forEach((sql, i) => {
      const target =
        /^(?:INSERT INTO|MERGE INTO) (events|bad_events|metrics|product_metrics)\b/.exec(sql)?.[1];
      if (target) counts[target as keyof LoadCounts] += rowsOf(i);
    });
    return { key: object.key, kind: object.kind, status: loaded ? 'loaded' : 'skipped', counts };
  }
}
