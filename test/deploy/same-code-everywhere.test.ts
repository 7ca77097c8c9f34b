import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/**
 * The code deployed to AWS is the code tested locally: nothing under functions/ or shared/
 * asks whether it runs offline. Only endpoints (and credentials) come from configuration.
 */
const ROOT = resolve(__dirname, '../..');

const OFFLINE_FLAGS: Array<[string, RegExp]> = [
  ['IS_OFFLINE', /\bIS_OFFLINE\b/],
  ['an OFFLINE* environment variable', /process\.env(\.|\[\s*['"`])OFFLINE/],
  ['serverless-offline', /serverless-offline/],
  ['isOffline', /\bis_?offline\b/i],
  ['the local stage name', /(stage|STAGE)\s*={2,3}\s*['"`]local['"`]/],
];

function sourceFiles(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(ts|js|cjs|mjs)$/.test(entry.name))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

function offlineFlagsIn(source: string): string[] {
  return OFFLINE_FLAGS.filter(([, pattern]) => pattern.test(source)).map(([what]) => what);
}

describe('the code that runs on AWS is the code tested locally', () => {
  const files = [...sourceFiles('functions'), ...sourceFiles('shared')];

  test('the scan covers every function and the shared code', () => {
    for (const fn of ['ingest', 'aggregate', 'transform', 'load', 'dashboard'])
      expect(files).toContain(join('functions', fn, 'handler.ts'));
    expect(files.filter((f) => f.startsWith('shared/')).length).toBeGreaterThan(30);
  });

  test('no file under functions/ or shared/ reads an offline flag', () => {
    const found = files.flatMap((file) =>
      offlineFlagsIn(readFileSync(join(ROOT, file), 'utf8')).map((what) => `${file}: ${what}`),
    );
    expect(found).toEqual([]);
  });

  test.each([
    ['process.env.IS_OFFLINE', 'IS_OFFLINE'],
    ["process.env['OFFLINE_KINESIS_PORT']", 'an OFFLINE* environment variable'],
    ['process.env.OFFLINE_MODE', 'an OFFLINE* environment variable'],
    ["import 'serverless-offline'", 'serverless-offline'],
    ['if (isOffline()) {', 'isOffline'],
    ["if (config.stage === 'local')", 'the local stage name'],
  ])('the scan recognises %s', (source, what) => {
    expect(offlineFlagsIn(source)).toContain(what);
  });

  test('an endpoint taken from configuration is not a flag', () => {
    expect(offlineFlagsIn('endpoint: config.KINESIS_ENDPOINT')).toEqual([]);
  });
});
