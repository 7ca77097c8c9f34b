import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ensureStreams, startKinesisEmulator, type KinesisEmulator } from './kinesis-emulator.ts';
import { startFaultProxy, type FaultProxy } from './kinesis-fault-proxy.ts';
import { assertPortFree } from './ports.ts';
import { kinesisStreams } from './resources.ts';

/** The slice of the Serverless Framework's objects this plugin reads. */
interface Serverless {
  service: {
    service: string;
    provider: { stage: string };
    custom?: Record<string, unknown>;
    resources?: { Resources?: Record<string, unknown> };
    getAllFunctions(): string[];
    getFunction(name: string): { environment?: Record<string, unknown> };
  };
  config: { servicePath: string };
  /** ServerlessError: printed as a message for the user, without a stack trace. */
  classes: { Error: new (message: string) => Error };
}

interface PluginUtils {
  log: { notice(message: string): void; info(message: string): void; error(message: string): void };
}

interface OfflineSettings {
  kinesisPort: number;
  httpPort: number;
  lambdaPort: number;
  host: string;
  stateDir: string;
  persist: boolean;
  throttleRate: number;
}

/**
 * Stands up the managed services that serverless-offline does not: a Kinesis emulator with
 * every AWS::Kinesis::Stream of Resources. Runs inside `sls offline start`, before the API
 * comes up, and shuts down with it.
 */
export class OfflinePlatformPlugin {
  readonly hooks: Record<string, () => Promise<void>>;
  private kinesis: KinesisEmulator | undefined;
  private faultProxy: FaultProxy | undefined;

  constructor(
    private readonly serverless: Serverless,
    _options: unknown,
    private readonly utils: PluginUtils,
  ) {
    this.hooks = {
      'before:offline:start:init': () => this.userFacing(() => this.start()),
      'offline:start:ready': () => this.announce(),
      'offline:start:end': () => this.stop(),
      'before:package:initialize': () =>
        this.userFacing(async () => this.assertDeployableSecrets()),
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
    const custom = this.serverless.service.custom ?? {};
    const offline = (custom['serverless-offline'] ?? {}) as Record<string, unknown>;
    const local = (custom.offline ?? {}) as {
      kinesis?: { port?: number | string; throttleRate?: number | string };
      persist?: boolean | string;
      stateDir?: string;
    };
    const throttleRate = Number(local.kinesis?.throttleRate ?? 0);
    if (!(throttleRate >= 0 && throttleRate <= 1)) {
      throw new Error(
        `custom.offline.kinesis.throttleRate (OFFLINE_KINESIS_THROTTLE_RATE) must be between 0 and 1 (got ${String(local.kinesis?.throttleRate)})`,
      );
    }
    return {
      kinesisPort: Number(local.kinesis?.port ?? 4567),
      httpPort: Number(offline.httpPort ?? 3000),
      lambdaPort: Number(offline.lambdaPort ?? 3002),
      host: String(offline.host ?? '127.0.0.1'),
      stateDir: resolve(this.serverless.config.servicePath, local.stateDir ?? '.local'),
      persist: String(local.persist ?? 'true') !== 'false',
      throttleRate,
    };
  }

  private async start(): Promise<void> {
    const settings = this.settings();
    await assertPortFree(settings.httpPort, settings.host, 'the HTTP API', 'OFFLINE_HTTP_PORT');
    await assertPortFree(
      settings.lambdaPort,
      settings.host,
      'the Lambda invoke API',
      'OFFLINE_LAMBDA_PORT',
    );
    await assertPortFree(
      settings.kinesisPort,
      '127.0.0.1',
      'the Kinesis emulator',
      'OFFLINE_KINESIS_PORT',
    );

    const { service } = this.serverless;
    const streams = kinesisStreams(
      service.resources?.Resources,
      service.service,
      service.provider.stage,
    );
    let path: string | undefined;
    if (settings.persist) {
      path = join(settings.stateDir, 'kinesis');
      mkdirSync(path, { recursive: true });
    }
    // With throttling on, the emulator moves to a free port and the fault proxy takes its place.
    const throttling = settings.throttleRate > 0;
    this.kinesis = await startKinesisEmulator({
      port: throttling ? 0 : settings.kinesisPort,
      path,
    });
    if (throttling) {
      this.faultProxy = await startFaultProxy({
        target: this.kinesis.endpoint,
        port: settings.kinesisPort,
        throttleRate: settings.throttleRate,
      });
      this.utils.log.notice(
        `Kinesis throttles ${Math.round(settings.throttleRate * 100)}% of PutRecords entries (OFFLINE_KINESIS_THROTTLE_RATE)`,
      );
    }
    await ensureStreams(this.kinesis.client, streams);
    for (const stream of streams) {
      this.utils.log.info(`Kinesis stream ${stream.name} (${stream.shardCount} shards) ready`);
    }
  }

  private async announce(): Promise<void> {
    const settings = this.settings();
    const { service } = this.serverless;
    const streams = kinesisStreams(
      service.resources?.Resources,
      service.service,
      service.provider.stage,
    );
    const keys = (process.env.INGEST_WRITE_KEYS ?? 'local-write-key').split(',')[0];
    const lines = [
      '',
      'Clickstream is running locally:',
      `  API          http://localhost:${settings.httpPort}  (POST /v1/batch, /v1/track, /v1/page, /v1/identify, /events)`,
      `  write key    ${keys}  (HTTP Basic user, empty password)`,
      `  Kinesis      ${this.faultProxy?.endpoint ?? this.kinesis?.endpoint}  stream${streams.length > 1 ? 's' : ''} ${streams.map((s) => s.name).join(', ')}`,
      `  Lambda API   http://localhost:${settings.lambdaPort}`,
      settings.persist
        ? `  local state  ${settings.stateDir}  (npm run clean wipes it)`
        : '  local state  in memory',
      '',
      'Try:',
      `  curl -u ${keys}: -H 'content-type: application/json' \\`,
      `    -d '{"type":"track","event":"Product Viewed","anonymousId":"a1","properties":{"product_id":"p1","price":9.5}}' \\`,
      `    http://localhost:${settings.httpPort}/v1/track`,
      '',
      'Press Ctrl-C to stop.',
      '',
    ];
    this.utils.log.notice(lines.join('\n'));
  }

  /** A deployed stage must not fall back to the local write key: refuse to package without one. */
  private assertDeployableSecrets(): void {
    const { service } = this.serverless;
    if (service.provider.stage === 'local') return;
    for (const name of service.getAllFunctions()) {
      const keys = service.getFunction(name).environment?.INGEST_WRITE_KEYS;
      if (keys !== undefined && String(keys).trim() === '') {
        throw new Error(
          `function ${name} has no write keys for stage ${service.provider.stage}: set INGEST_WRITE_KEYS (comma-separated, e.g. "$(openssl rand -hex 24)") in the environment of \`sls package\`/\`sls deploy\``,
        );
      }
    }
  }

  private async stop(): Promise<void> {
    await this.faultProxy?.close();
    this.faultProxy = undefined;
    await this.kinesis?.close();
    this.kinesis = undefined;
  }
}
