import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { startWarehouse } from '../../../offline/warehouse/warehouse.ts';
import { freePort, tempStateDir } from './support.ts';

const MODULE = resolve(__dirname, '../../../offline/warehouse/warehouse.ts');

test('a first start killed with kill -9 during initdb leaves nothing that stops the next start', async () => {
  const temp = await tempStateDir();
  const stateDir = temp.path;
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      `require(${JSON.stringify(MODULE)}).startWarehouse({ port: 0, stateDir: ${JSON.stringify(stateDir)}, log: () => undefined })`,
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise((r) => child.once('exit', r));
  // initdb has begun writing the cluster (PG_VERSION comes first): kill it there.
  const begun = () =>
    existsSync(join(stateDir, 'warehouse', 'PG_VERSION')) ||
    existsSync(join(stateDir, 'warehouse.initdb', 'PG_VERSION'));
  const deadline = Date.now() + 60_000;
  while (!begun() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  expect(begun()).toBe(true);
  child.kill('SIGKILL');
  await exited;

  const warehouse = await startWarehouse({
    port: await freePort(),
    stateDir,
    log: () => undefined,
  });
  const client = new pg.Client({ connectionString: warehouse.url });
  try {
    await client.connect();
    const { rows } = await client.query<{ db: string }>('SELECT current_database() AS db');
    expect(rows[0]?.db).toBe('analytics');
  } finally {
    await client.end();
    await warehouse.close();
    await temp.remove();
  }
}, 120_000);
