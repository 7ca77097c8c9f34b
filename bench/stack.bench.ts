/**
 * The deployable and the local stack as a user meets them: bundle sizes from `sls package`
 * (what would be uploaded), and `npm start` time to ready with its memory. Each figure is
 * printed against its target; the bundle with the AWS SDK inside is the in-run baseline.
 */
import { buildSync } from 'esbuild';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startOfflineStack } from '../test/support/offline-stack.ts';
import { fmtInt, fmtMiB, fmtMs, fmtRatio, printNotes, printTable } from './table.ts';
import { treeRss } from './process-tree.ts';

const ROOT = resolve(__dirname, '..');
const BUNDLE_TARGET = 300 * 1024;
const START_TARGET_MS = 60_000;

function packagedBundles(): Array<{ fn: string; bytes: number }> {
  const out = mkdtempSync(join(tmpdir(), 'bench-package-'));
  try {
    const result = spawnSync(
      process.execPath,
      [
        'node_modules/serverless/bin/serverless.js',
        'package',
        '--stage',
        'local',
        '--package',
        out,
      ],
      { cwd: ROOT, encoding: 'utf8', timeout: 180_000 },
    );
    if (result.status !== 0)
      throw new Error(`sls package failed:\n${result.stdout}${result.stderr}`);
    return readdirSync(out)
      .filter((file) => file.endsWith('.zip') && file !== 'custom-resources.zip')
      .map((zip) => {
        const listing = execFileSync('unzip', ['-l', join(out, zip)], { encoding: 'utf8' });
        const line = listing.split('\n').find((l) => /handler\.js$/.test(l.trim()));
        return {
          fn: zip.replace(/\.zip$/, ''),
          bytes: Number(line?.trim().split(/\s+/)[0] ?? NaN),
        };
      });
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** The same entry bundled with the AWS SDK inside, as a baseline for what leaving it out saves. */
function withSdkBytes(fn: string): number {
  const result = buildSync({
    // The zip is named by the function's key (warehouseSetup), its folder is kebab-case.
    entryPoints: [
      join(ROOT, `functions/${fn.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}/handler.ts`),
    ],
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    mainFields: ['module', 'main'],
    write: false,
    logLevel: 'error',
  });
  return result.outputFiles[0]?.contents.byteLength ?? Number.NaN;
}

export async function run(): Promise<void> {
  const bundles = packagedBundles();
  printTable(
    'Function bundles (minified handler.js as `sls package` zips it; the runtime AWS SDK left out)',
    [
      { header: 'function' },
      { header: 'bytes' },
      { header: 'with the SDK inside' },
      { header: 'vs target 300 KB' },
    ],
    bundles.map(({ fn, bytes }) => [
      fn,
      fmtInt(bytes),
      fmtInt(withSdkBytes(fn)),
      fmtRatio(bytes, BUNDLE_TARGET),
    ]),
  );

  const started = performance.now();
  const stack = await startOfflineStack({ httpPort: 3390, lambdaPort: 3392, kinesisPort: 4697 });
  const readyMs = performance.now() - started;
  // One request so the function's worker is loaded, as it is once anyone uses the API.
  await fetch(`${stack.apiUrl}/v1/track`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${btoa('local-write-key:')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({ event: 'Bench', anonymousId: 'bench' }),
  });
  const rss = treeRss(stack.pid);
  await stack.stop();
  printTable(
    '`npm start` (sls offline start --stage local, fresh state)',
    [{ header: 'figure' }, { header: 'value' }, { header: 'target' }, { header: 'ratio' }],
    [
      ['time to ready', fmtMs(readyMs), fmtMs(START_TARGET_MS), fmtRatio(readyMs, START_TARGET_MS)],
      [
        'resident memory, all processes',
        fmtMiB(rss),
        '1,024 MiB',
        fmtRatio(rss, 1024 * 1024 * 1024),
      ],
    ],
  );
  printNotes([
    'ready = the banner printed: API, Lambda endpoint, emulator and streams up',
    'memory after one request (the function worker loaded)',
  ]);
}
