import { spawnSync } from 'node:child_process';
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
  /** Removes the copy and the package. */
  cleanup(): void;
}

/**
 * `sls package --stage <stage>` exactly as a deployer runs it, offline and without AWS
 * credentials, on a copy of the project: serverless-esbuild writes its work folder next to
 * serverless.yml, and must not disturb a local stack running from the working tree.
 */
export function packageStage(stage: string, env: Record<string, string>): Packaged {
  const work = mkdtempSync(join(tmpdir(), `clickstream-${stage}-`));
  for (const entry of COPIED) cpSync(join(ROOT, entry), join(work, entry), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(work, 'node_modules'), 'dir');
  const out = join(work, 'package');
  // Only the given settings: none inherited from the shell or the test setup (which sets
  // WAREHOUSE_URL, write keys ...), and no AWS credentials, which packaging must not need.
  const childEnv: NodeJS.ProcessEnv = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !INHERITED_NOT.test(name)),
  );
  Object.assign(childEnv, env);
  const result = spawnSync(
    process.execPath,
    ['node_modules/serverless/bin/serverless.js', 'package', '--stage', stage, '--package', out],
    { cwd: work, env: childEnv, encoding: 'utf8', timeout: 170_000 },
  );
  if (result.status !== 0) {
    rmSync(work, { recursive: true, force: true });
    throw new Error(
      `sls package --stage ${stage} failed (${result.status}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  const template = JSON.parse(
    readFileSync(join(out, 'cloudformation-template-update-stack.json'), 'utf8'),
  ) as Template;
  return { template, cleanup: () => rmSync(work, { recursive: true, force: true }) };
}
