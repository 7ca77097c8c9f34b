import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isListening } from '../support/net.ts';
import { startOfflineStack } from '../support/offline-stack.ts';
import { PROD_ENV } from '../deploy/support/prod-env.ts';

const ROOT = resolve(__dirname, '../..');

function slsPackage(stage: string, env: NodeJS.ProcessEnv) {
  const out = mkdtempSync(join(tmpdir(), 'clickstream-package-'));
  try {
    const result = spawnSync(
      process.execPath,
      ['node_modules/serverless/bin/serverless.js', 'package', '--stage', stage, '--package', out],
      { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 },
    );
    return {
      status: result.status,
      output: result.stdout + result.stderr,
      files: readdirSync(out),
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

describe('the local plugin talks to people', () => {
  test('a port that is taken is named at start, with what to do, and nothing is left running', async () => {
    const squatter: Server = createServer();
    await new Promise<void>((r) => squatter.listen(3321, '127.0.0.1', () => r()));
    try {
      await expect(
        startOfflineStack({
          httpPort: 3321,
          lambdaPort: 3322,
          kinesisPort: 4627,
          startTimeoutMs: 60_000,
        }),
      ).rejects.toThrow(
        /port 3321 on 127\.0\.0\.1 \(the HTTP API\) is already taken[\s\S]*OFFLINE_HTTP_PORT/,
      );
      expect(await isListening(3322)).toBe(false);
      expect(await isListening(4627)).toBe(false);
    } finally {
      await new Promise((r) => squatter.close(r));
    }
  }, 90_000);

  test('packaging a deployed stage without write keys fails and says how to set them', () => {
    const env = { ...process.env };
    delete env.INGEST_WRITE_KEYS;
    const result = slsPackage('prod', env);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/no write keys for stage prod: set INGEST_WRITE_KEYS/);
    expect(result.files).toEqual([]);
  }, 130_000);

  test('packaging a deployed stage without dashboard read keys fails and says how to set them', () => {
    const env: NodeJS.ProcessEnv = { ...process.env, INGEST_WRITE_KEYS: 'k1,k2' };
    delete env.DASHBOARD_READ_KEYS;
    const result = slsPackage('prod', env);
    expect(result.status).not.toBe(0);
    expect(result.output).toMatch(/no dashboard read keys for stage prod: set DASHBOARD_READ_KEYS/);
    expect(result.files).toEqual([]);
  }, 130_000);

  test('with the documented variables (keys and the Redshift identifiers), the prod stage packages offline with no AWS credentials', () => {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...PROD_ENV,
      INGEST_WRITE_KEYS: 'k1,k2',
      DASHBOARD_READ_KEYS: 'r1',
    };
    for (const name of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE'])
      delete env[name];
    const result = slsPackage('prod', env);
    expect(result.output).toMatch(/Service packaged/);
    expect(result.status).toBe(0);
    expect(result.files).toEqual(
      expect.arrayContaining(['ingest.zip', 'cloudformation-template-update-stack.json']),
    );
  }, 130_000);
});
