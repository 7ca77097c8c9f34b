import { build } from 'esbuild';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';

/**
 * The layout's promises, checked: a function's bundle holds only `shared/` and its own
 * folder (so `shared/` is exactly what functions ship, and tools never reach a Lambda);
 * `shared/` imports nothing from the tools, the stand-ins, the scripts or the tests; and no
 * two source files share a name a reader could confuse.
 */
const ROOT = resolve(__dirname, '../../..');
const SOURCE_FOLDERS = ['functions', 'shared', 'offline', 'tools', 'scripts', 'bench'];

function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The module specifiers a file imports or re-exports, types included. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:\bfrom|^import|\bimport\()\s*'([^']+)'/gm)].flatMap(
    ([, specifier]) => (specifier === undefined ? [] : [specifier]),
  );
}

const functionNames = readdirSync(join(ROOT, 'functions')).filter((name) =>
  statSync(join(ROOT, 'functions', name)).isDirectory(),
);

/** The project's own modules in one function's bundle, built as serverless.yml's esbuild builds it. */
async function bundledModules(fn: string): Promise<string[]> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: [`functions/${fn}/handler.ts`],
    bundle: true,
    write: false,
    metafile: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    mainFields: ['module', 'main'],
    external: ['@aws-sdk/*', '@smithy/*'],
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs).filter((input) => !input.includes('node_modules/'));
}

describe('layout', () => {
  test('serverless.yml deploys exactly the functions in functions/', () => {
    const yml = readFileSync(join(ROOT, 'serverless.yml'), 'utf8');
    const handlers = [...yml.matchAll(/^\s+handler: functions\/([\w-]+)\/handler\.handler$/gm)];
    expect(handlers.map((match) => match[1]).sort()).toEqual([...functionNames].sort());
  });

  test.each(functionNames)(
    'the %s bundle holds modules from shared/ and its own folder only',
    async (fn) => {
      const modules = await bundledModules(fn);
      expect(modules).toContain(`functions/${fn}/handler.ts`);
      const outside = modules.filter(
        (path) => !path.startsWith('shared/') && !path.startsWith(`functions/${fn}/`),
      );
      expect(outside).toEqual([]);
    },
    30_000,
  );

  test('every module under shared/ is imported, at least for its types, by some function', () => {
    const reached = new Set<string>();
    const visit = (file: string): void => {
      if (reached.has(file)) return;
      reached.add(file);
      for (const specifier of importsOf(file)) {
        const target = specifier.startsWith('#shared/')
          ? join(ROOT, 'shared', `${specifier.slice('#shared/'.length)}.ts`)
          : specifier.startsWith('.')
            ? resolve(dirname(file), specifier)
            : undefined;
        if (target !== undefined) visit(target);
      }
    };
    for (const fn of functionNames) visit(join(ROOT, 'functions', fn, 'handler.ts'));
    const unreached = filesUnder(join(ROOT, 'shared'))
      .filter((path) => path.endsWith('.ts') && !reached.has(path))
      .map((path) => relative(ROOT, path));
    expect(unreached).toEqual([]);
  });

  test('shared/ imports nothing from tools/, offline/, scripts/, bench/ or test/', () => {
    const forbidden = ['tools', 'offline', 'scripts', 'bench', 'test'].map(
      (dir) => join(ROOT, dir) + '/',
    );
    const offending: string[] = [];
    for (const file of filesUnder(join(ROOT, 'shared')).filter((path) => path.endsWith('.ts'))) {
      for (const specifier of importsOf(file)) {
        if (!specifier.startsWith('.')) continue;
        const target = resolve(dirname(file), specifier);
        if (forbidden.some((dir) => target.startsWith(dir)))
          offending.push(`${relative(ROOT, file)} -> ${specifier}`);
      }
    }
    expect(offending).toEqual([]);
  });

  test('no two source files share a basename (a handler is named by its folder)', () => {
    const byName = new Map<string, string[]>();
    for (const folder of SOURCE_FOLDERS)
      for (const path of filesUnder(join(ROOT, folder))) {
        const name = basename(path);
        if (!/\.(ts|cjs|mjs)$/.test(name) || name === 'handler.ts') continue;
        byName.set(name, [...(byName.get(name) ?? []), relative(ROOT, path)]);
      }
    const repeated = [...byName.values()].filter((paths) => paths.length > 1);
    expect(repeated).toEqual([]);
  });
});

describe('the README maps the tree', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = (title: string) => {
    const start = readme.indexOf(`## ${title}\n`);
    const end = readme.indexOf('\n## ', start + 1);
    return readme.slice(start, end === -1 ? undefined : end);
  };

  test('every path the layout table names exists, and every top-level folder is in it with a README', () => {
    const layout = section('Layout');
    const named = [...layout.matchAll(/^\| \[?`([^`]+)`/gm)].map(([, path]) => path ?? '');
    const missing = named
      .map((path) => path.replace(/<service>\/$/, ''))
      .filter((path) => !statSync(join(ROOT, path), { throwIfNoEntry: false }));
    expect(missing).toEqual([]);
    const folders = readdirSync(ROOT).filter(
      (name) =>
        !name.startsWith('.') &&
        name !== 'node_modules' &&
        statSync(join(ROOT, name)).isDirectory() &&
        // Work folders of the tools (git-ignored), not part of the tree.
        readFileSync(join(ROOT, '.gitignore'), 'utf8')
          .split('\n')
          .every((line) => line.replace(/\/$/, '') !== name),
    );
    for (const folder of folders) {
      expect(named).toContain(`${folder}/`);
      expect(statSync(join(ROOT, folder, 'README.md')).isFile()).toBe(true);
    }
  });

  test('every variable a function configuration reads is in the Configuration table', () => {
    const table = section('Configuration');
    const variables = new Set<string>();
    for (const file of filesUnder(join(ROOT, 'shared/config')))
      for (const [, name] of readFileSync(file, 'utf8').matchAll(/^\s+([A-Z][A-Z0-9_]+):/gm))
        if (name !== undefined) variables.add(name);
    expect(variables.size).toBeGreaterThan(20);
    expect([...variables].filter((name) => !table.includes(`\`${name}\``))).toEqual([]);
  });
});
