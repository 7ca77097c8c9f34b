import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Template } from './template.ts';

const ROOT = resolve(__dirname, '../../..');
/** What `sls package` reads: the config, the code it bundles and the local plugin. */
const COPIED = [
  'serverless.yml',
  'package.json',
  'tsconfig.json',
  'functions',
  'shared',
  'offline',
  'tools',
];

const INHERITED_NOT =
  /^(AWS_|REDSHIFT_|WAREHOUSE_|OFFLINE_|CREATE_REDSHIFT$|ALARM_EMAIL$|INGEST_WRITE_KEYS$|DASHBOARD_READ_KEYS$|LOG_LEVEL$)/;

/** Placeholders for the secrets a deployed stage takes from the deployer's environment. */
export const DEPLOY_ENV = {
  INGEST_WRITE_KEYS: 'test-write-key-1,test-write-key-2',
  DASHBOARD_READ_KEYS: 'test-read-key',
};

export interface Packaged {
  template: Template;
  /** What `sls package` printed (stdout and stderr): its notices and warnings. */
  output: string;
  /** Removes the copy and the package. */
  cleanup(): void;
}

interface Run {
  work: string;
  out: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/**
 * A copy of the project to package, and the environment `sls package` runs in: only the
 * given settings, none inherited from the shell or the test setup (which sets WAREHOUSE_URL,
 * write keys ...), and no AWS credentials, which packaging must not need. The SDK's
 * credential chain must not fall back to the EC2 instance metadata service either (no
 * traffic off loopback): the shared files point at nothing and IMDS is disabled.
 */
function prepare(stage: string, env: Record<string, string>): Run {
  const work = mkdtempSync(join(tmpdir(), `clickstream-${stage}-`));
  for (const entry of COPIED) cpSync(join(ROOT, entry), join(work, entry), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'), 'dir');
  const out = join(work, 'package');
  const childEnv: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !INHERITED_NOT.test(name)),
  );
  Object.assign(childEnv, {
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SHARED_CREDENTIALS_FILE: join(work, 'no-aws-credentials'),
    AWS_CONFIG_FILE: join(work, 'no-aws-config'),
    ...env,
  });
  const args = [
    'node_modules/serverless/bin/serverless.js',
    'package',
    '--stage',
    stage,
    '--package',
    out,
  ];
  return { work, out, args, env: childEnv };
}

function finish(
  run: Run,
  stage: string,
  status: number | null,
  stdout: string,
  stderr: string,
): Packaged {
  if (status !== 0) {
    rmSync(run.work, { recursive: true, force: true });
    throw new Error(`sls package --stage ${stage} failed (${status}):\n${stdout}\n${stderr}`);
  }
  const template = JSON.parse(
    readFileSync(join(run.out, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as Template;
  return {
    template,
    output: `${stdout}\n${stderr}`,
    cleanup: () => rmSync(run.work, { recursive: true, force: true }),
  };
}

/**
 * `sls package --stage <stage>` exactly as a deployer runs it, offline and without AWS
 * credentials, on a copy of the project: serverless-esbuild writes its work folder next to
 * serverless.yml, and must not disturb a local stack running from the working tree.
 */
export function packageStage(stage: string, env: Record<string, string>): Packaged {
  const run = prepare(stage, env);
  const result = spawnSync(process.execPath, run.args, {
    cwd: run.work,
    env: run.env,
    encoding: 'utf8',
    timeout: 170_000,
  });
  return finish(run, stage, result.status, result.stdout, result.stderr);
}

/** The same, without blocking this process: for a package that calls a server the test runs. */
export async function packageStageAsync(
  stage: string,
  env: Record<string, string>,
): Promise<Packaged> {
  const run = prepare(stage, env);
  const child = spawn(process.execPath, run.args, { cwd: run.work, env: run.env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGTERM'), 170_000);
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearTimeout(timer);
  return finish(run, stage, status, stdout, stderr);
}
