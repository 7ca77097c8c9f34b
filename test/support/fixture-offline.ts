import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

/**
 * serverless-offline alone (`sls offline start`) on a fixture service folder, its Lambda
 * Invoke API on `lambdaPort` (the fixture reads FIXTURE_LAMBDA_PORT). Resolves once it
 * listens; the caller stops it with stopProcess.
 */
export async function startFixtureOffline(
  fixtureDir: string,
  lambdaPort: number,
): Promise<ChildProcess> {
  let output = '';
  const child = spawn(
    process.execPath,
    [resolve(ROOT, 'node_modules/serverless/bin/serverless.js'), 'offline', 'start'],
    {
      cwd: fixtureDir,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, FIXTURE_LAMBDA_PORT: String(lambdaPort) },
    },
  );
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 60_000;
  while (!output.includes('[http for lambda] listening')) {
    if (child.exitCode !== null || Date.now() > deadline)
      throw new Error(`serverless-offline did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return child;
}
