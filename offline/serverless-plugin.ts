import { LambdaClient } from '@aws-sdk/client-lambda';
import { awsClientConfig } from '../shared/runtime/aws-client-config.ts';
import type { HttpApiServer } from './http-api/http-api-server.ts';
import type { HttpApiDefinition } from './http-api/http-api-routes.ts';
import { startLocalHttpApi, takeHttpApi } from './http-api/local-http-api.ts';
import { lambdaApiInvoker, type LambdaInvoker } from './lambda-invoker.ts';
import { concurrencyPlan } from './concurrency/concurrency-config.ts';
import { FunctionConcurrency } from './concurrency/function-concurrency.ts';
import { LocalStack, type StackLog, type StandIns } from './local-stack.ts';
import { ReloadGate } from './reload-gate.ts';
import { deployProblems, type DeployChecks } from './deploy-checks.ts';
import { copyRoleClients, checkCopyRole, existingWarehouse } from './copy-role-check.ts';
import { assertPortFree } from './port-check.ts';
import { kinesisStreams } from './resources.ts';
import { portsInUse, readSettings, type OfflineSettings } from './settings.ts';
import {
  readTopology,
  type FunctionSpec,
  type ServerlessEvent,
  type Topology,
} from './topology.ts';

/** Lambda's longest timeout (900 s) and a margin for the answer to come back. */
const INVOKE_REQUEST_TIMEOUT_MS = 910_000;

/** The slice of the Serverless Framework's objects this plugin reads. */
interface Serverless {
  service: {
    service: string;
    provider: { stage: string; region?: string; httpApi?: { cors?: unknown; payload?: unknown } };
    custom?: Record<string, unknown>;
    resources?: {
      Resources?: Record<string, unknown>;
      Conditions?: Record<string, unknown>;
      extensions?: Record<string, unknown>;
    };
    getAllFunctions(): string[];
    getFunction(name: string): {
      name?: string;
      environment?: Record<string, unknown>;
      events?: Array<ServerlessEvent & Record<string, unknown>>;
      maximumRetryAttempts?: unknown;
      maximumEventAge?: unknown;
      destinations?: unknown;
      reservedConcurrency?: unknown;
    };
  };
  config: { servicePath: string };
  getProvider(name: 'aws'): {
    naming: { getLambdaLogicalId(functionName: string): string; getStackName(): string };
    getRegion(): string;
    /** The framework's client config: region and the deployer's credentials provider. */
    getAwsSdkV3Config(): Promise<{ region?: unknown; credentials?: unknown }>;
  };
  /** ServerlessError: printed as a message for the user, without a stack trace. */
  classes: { Error: new (message: string) => Error };
}

interface PluginUtils {
  log: {
    notice(message: string): void;
    info(message: string): void;
    warning(message: string): void;
    error(message: string): void;
  };
}

/**
 * Stands up every managed service of serverless.yml that serverless-offline does not:
 * Kinesis streams, event source mappings, Firehose, S3, SQS and the warehouse, read from the
 * functions' events and the Resources. Runs inside `sls offline start` and stops with it.
 */
export class OfflinePlatformPlugin {
  readonly hooks: Record<string, () => Promise<void>>;
  private stack: LocalStack | undefined;
  private standIns: StandIns | undefined;
  private lambda: LambdaClient | undefined;
  private httpApi: HttpApiDefinition | undefined;
  private apiServer: HttpApiServer | undefined;
  /** One concurrency gate per function, shared by every stand-in and the HTTP API. */
  private concurrency: FunctionConcurrency | undefined;
  /** Holds invocations while serverless-offline reloads the functions (reload-gate.ts). */
  private readonly reloads: ReloadGate;

  constructor(
    private readonly serverless: Serverless,
    _options: unknown,
    private readonly utils: PluginUtils,
  ) {
    // Reloads are shown without --verbose: a person saving a file sees what it held up.
    const log = this.log();
    this.reloads = new ReloadGate({
      info: (message, details) =>
        utils.log.notice(details ? `${message} ${JSON.stringify(details)}` : message),
      warn: log.warn,
    });
    this.hooks = {
      'before:offline:start:init': () => this.userFacing(() => this.startServices()),
      // serverless-esbuild rebuilt a watched file; the cleanup that follows kills busy workers.
      'before:offline:functionsUpdated:cleanup': () => this.reloads.drain(),
      'after:offline:functionsUpdated:cleanup': async () => this.reloads.open(),
      'offline:start:ready': () => this.userFacing(() => this.startTriggers()),
      'offline:start:end': () => this.stop(),
      'before:package:initialize': () =>
        this.userFacing(async () => {
          this.assertDeployableSecrets();
          this.assertWarehouseIdentifiers();
          await this.checkCopyRole('package');
        }),
      // The COPY role exists only once the stack does: a first deploy is checked here.
      'after:deploy:deploy': () => this.userFacing(() => this.checkCopyRole('deploy')),
    };
  }

  /** Our errors say what to do; show them as such rather than as a crash with a stack. */
  private async userFacing(step: () => Promise<void>): Promise<void> {
    try {
      await step();
    } catch (error) {
      await this.stop();
      throw new this.serverless.classes.Error(
        error instanceof Error ? error.message : String(error),
      );
    }
  }

  private settings(): OfflineSettings {
    return readSettings(this.serverless.service.custom ?? {}, this.serverless.config.servicePath);
  }

  private topology(): Topology {
    const { service } = this.serverless;
    const naming = this.serverless.getProvider('aws').naming;
    const functions: FunctionSpec[] = service.getAllFunctions().map((key) => {
      const fn = service.getFunction(key);
      return {
        key,
        name: fn.name ?? `${service.service}-${service.provider.stage}-${key}`,
        events: fn.events ?? [],
        maximumRetryAttempts: fn.maximumRetryAttempts,
        maximumEventAge: fn.maximumEventAge,
        destinations: fn.destinations,
      };
    });
    const functionsByLogicalId = Object.fromEntries(
      functions.map((fn) => [naming.getLambdaLogicalId(fn.key), fn.name]),
    );
    const settings = this.settings();
    return readTopology(functions, {
      region: this.region(),
      service: service.service,
      stage: service.provider.stage,
      resources: (service.resources?.Resources ?? {}) as never,
      conditions: service.resources?.Conditions ?? {},
      functionsByLogicalId,
      sqsEndpoint: `http://127.0.0.1:${settings.ports.sqs}`,
    });
  }

  private region(): string {
    return this.serverless.service.provider.region ?? 'us-east-1';
  }

  private invoker(settings: OfflineSettings): LambdaInvoker {
    this.lambda ??= new LambdaClient(
      awsClientConfig({
        region: this.region(),
        endpoint: `http://127.0.0.1:${settings.lambdaPort}`,
        // An invocation lasts as long as the function runs: up to Lambda's 900 s maximum,
        // which serverless-offline enforces; the request may wait that long, and no longer.
        requestTimeoutMs: INVOKE_REQUEST_TIMEOUT_MS,
      }),
    );
    this.concurrency ??= this.functionConcurrency(settings);
    return this.concurrency.invoker(this.reloads.wrap(lambdaApiInvoker(this.lambda)));
  }

  /** Each function's reserved concurrency and the machine's worker ceiling (offline/concurrency). */
  private functionConcurrency(settings: OfflineSettings): FunctionConcurrency {
    const { service } = this.serverless;
    const plan = concurrencyPlan(
      service.getAllFunctions().map((key) => {
        const fn = service.getFunction(key);
        return {
          key,
          name: fn.name ?? `${service.service}-${service.provider.stage}-${key}`,
          reservedConcurrency: fn.reservedConcurrency,
        };
      }),
      settings.lambdaWorkers,
    );
    for (const notice of plan.notices) this.utils.log.warning(notice);
    return new FunctionConcurrency(plan.limits, settings.lambdaWorkers);
  }

  private log(): StackLog {
    const { log } = this.utils;
    const line = (message: string, details?: Record<string, unknown>) =>
      details && Object.keys(details).length > 0
        ? `${message} ${JSON.stringify(details)}`
        : message;
    return {
      info: (message, details) => log.info(line(message, details)),
      warn: (message, details) => log.warning(line(message, details)),
      error: (message, details) => log.error(line(message, details)),
    };
  }

  private async startServices(): Promise<void> {
    const settings = this.settings();
    // Ours to serve, not serverless-offline's (offline/http-api/README.md).
    this.httpApi = takeHttpApi(this.serverless.service);
    // Before anything invokes: a reservedConcurrency the local stack cannot honour fails start.
    this.concurrency = this.functionConcurrency(settings);
    for (const { port, host, what, setting } of portsInUse(settings))
      await assertPortFree(port, host, what, setting);
    const { service } = this.serverless;
    const started = Date.now();
    this.stack = new LocalStack({
      topology: this.topology(),
      streams: kinesisStreams(
        service.resources?.Resources,
        service.service,
        service.provider.stage,
      ),
      ports: settings.ports,
      stateDir: settings.stateDir,
      persistStreams: settings.persist,
      throttleRate: settings.throttleRate,
      firehoseFlushSeconds: settings.firehoseFlushSeconds,
      asyncRetrySeconds: settings.asyncRetrySeconds,
      ...(settings.warehouseUrl ? { warehouseUrl: settings.warehouseUrl } : {}),
      region: this.region(),
      log: this.log(),
      functionKeys: Object.fromEntries(
        service
          .getAllFunctions()
          .map((key) => [
            service.getFunction(key).name ?? `${service.service}-${service.provider.stage}-${key}`,
            key,
          ]),
      ),
    });
    this.standIns = await this.stack.startServices(this.invoker(settings));
    this.utils.log.info(`local services up in ${Date.now() - started} ms`);
  }

  private async startTriggers(): Promise<void> {
    const settings = this.settings();
    await this.stack?.startTriggers(this.invoker(settings));
    await this.startHttpApi(settings);
    this.announce(settings);
  }

  private async startHttpApi(settings: OfflineSettings): Promise<void> {
    if (!this.httpApi || this.httpApi.routes.length === 0) return;
    this.apiServer = await startLocalHttpApi(this.httpApi, {
      region: this.region(),
      lambdaPort: settings.lambdaPort,
      // Faults outermost (the function never runs), then the concurrency gate, then the reload gate.
      wrapInvoker: (inner: LambdaInvoker) => {
        const gated = this.reloads.wrap(inner);
        const bounded = this.concurrency ? this.concurrency.invoker(gated) : gated;
        return this.stack?.withFaults(bounded) ?? bounded;
      },
      port: settings.httpPort,
      host: settings.host,
      log: (line) => this.utils.log.notice(line),
    });
  }

  private announce(settings: OfflineSettings): void {
    const { service } = this.serverless;
    const topology = this.topology();
    const streams = kinesisStreams(
      service.resources?.Resources,
      service.service,
      service.provider.stage,
    );
    const key = (process.env.INGEST_WRITE_KEYS ?? 'local-write-key').split(',')[0];
    const readKey = (process.env.DASHBOARD_READ_KEYS ?? 'local-read-key').split(',')[0];
    const standIns = this.standIns;
    const lines = [
      '',
      'Clickstream is running locally:',
      `  API          http://localhost:${settings.httpPort}  (POST /v1/batch, /v1/import, /v1/{track,page,screen,identify,group,alias}, /events)`,
      `  write key    ${key}  (HTTP Basic user, empty password)`,
      `  dashboard    http://localhost:${settings.httpPort}/dashboard?key=${readKey}`,
      `  Kinesis      ${standIns?.kinesisEndpoint}  ${streams.map((s) => `${s.name} (${s.shardCount} shards)`).join(', ')}`,
      ...topology.mappings.map(
        (m) =>
          `  trigger      ${m.streamName} -> ${m.functionName}  (batch ${m.batchSize}${m.tumblingWindowInSeconds ? `, ${m.tumblingWindowInSeconds} s windows` : ''})`,
      ),
      `  Firehose     ${this.stack?.firehoseEndpoint}  ${topology.deliveryStreams.map((d) => d.name).join(', ')}  (flushes every ${settings.firehoseFlushSeconds} s)`,
      `  S3           ${standIns?.s3Endpoint}  ${topology.buckets.map((b) => `s3://${b}`).join(', ')}`,
      `  SQS          ${standIns?.sqsEndpoint}  ${topology.queues.join(', ')}`,
      `  SNS          ${standIns?.snsEndpoint}  ${topology.topics.map((t) => `${t.name}${t.subscriptions.length ? ` -> ${t.subscriptions.map((s) => s.queueName).join(', ')}` : ''}`).join(', ')}`,
      `  warehouse    ${standIns?.warehouseUrl}  (${standIns?.warehouseEngine === 'pglite' ? 'PGlite; psql connects' : 'WAREHOUSE_URL'})`,
      `  Lambda API   http://localhost:${settings.lambdaPort}  (at most ${settings.lambdaWorkers} invocations of a function at once: OFFLINE_LAMBDA_WORKERS)`,
      settings.persist
        ? `  local state  ${settings.stateDir}  (npm run clean wipes it)`
        : '  local state  in memory',
      '',
      'Try:',
      `  curl -u ${key}: -H 'content-type: application/json' \\`,
      `    -d '{"type":"track","event":"Product Viewed","anonymousId":"a1","properties":{"product_id":"p1","price":9.5}}' \\`,
      `    http://localhost:${settings.httpPort}/v1/track`,
      '',
      'Press Ctrl-C to stop.',
      '',
    ];
    this.utils.log.notice(lines.join('\n'));
  }

  /** A deployed stage must not fall back to the local keys: refuse to package without them. */
  private assertDeployableSecrets(): void {
    const { service } = this.serverless;
    if (service.provider.stage === 'local') return;
    const secrets = [
      { variable: 'INGEST_WRITE_KEYS', what: 'write keys' },
      { variable: 'DASHBOARD_READ_KEYS', what: 'dashboard read keys' },
    ];
    for (const name of service.getAllFunctions()) {
      const environment = service.getFunction(name).environment ?? {};
      for (const { variable, what } of secrets) {
        const keys = environment[variable];
        if (keys !== undefined && String(keys).trim() === '') {
          throw new Error(
            `function ${name} has no ${what} for stage ${service.provider.stage}: set ${variable} (comma-separated, e.g. "$(openssl rand -hex 24)") in the environment of \`sls package\`/\`sls deploy\``,
          );
        }
      }
    }
  }

  /** The IAM policies name one warehouse: refuse a deployed stage that leaves it open. */
  private assertWarehouseIdentifiers(): void {
    const { service } = this.serverless;
    if (service.provider.stage === 'local') return;
    const checks = (service.custom?.deployChecks ?? {}) as DeployChecks;
    const problems = deployProblems(checks);
    if (problems.length > 0)
      throw new Error(
        `stage ${service.provider.stage} cannot be packaged, set in the environment of \`sls package\`/\`sls deploy\` (see docs/deploy.md):\n  - ${problems.join('\n  - ')}`,
      );
  }

  /** An existing warehouse must be able to assume the stack's COPY role (copy-role-check.ts). */
  private async checkCopyRole(phase: 'package' | 'deploy'): Promise<void> {
    const { service } = this.serverless;
    if (service.provider.stage === 'local') return;
    const checks = (service.custom?.deployChecks ?? {}) as DeployChecks;
    const warehouse = existingWarehouse(checks);
    if (!warehouse) return;
    const provider = this.serverless.getProvider('aws');
    const config = await provider.getAwsSdkV3Config();
    const clients = copyRoleClients(config);
    try {
      const outcome = await checkCopyRole({
        mode: checks.copyRoleCheck ?? 'auto',
        warehouse,
        stackName: provider.naming.getStackName(),
        region: provider.getRegion(),
        phase,
        credentials: async () => {
          if (typeof config.credentials === 'function') await config.credentials();
        },
        clients,
      });
      if (outcome.verdict === 'refused') throw new Error(outcome.message);
      if (outcome.verdict === 'skipped') this.utils.log.warning(outcome.message);
      else this.utils.log.notice(outcome.message);
    } finally {
      for (const client of Object.values(clients)) client.destroy();
    }
  }

  private async stop(): Promise<void> {
    await this.apiServer?.close();
    this.apiServer = undefined;
    await this.stack?.stop();
    this.stack = undefined;
    this.lambda?.destroy();
    this.lambda = undefined;
    this.concurrency = undefined;
  }
}
