import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { lockStateDir, STATE_LOCK_FILE } from '../../../offline/state-lock.ts';

const MODULE = resolve(__dirname, '../../../offline/state-lock.ts');
let stateDir: string;
beforeEach(() => (stateDir = mkdtempSync(join(tmpdir(), 'state-lock-'))));
afterEach(() => rmSync(stateDir, { recursive: true, force: true }));

/** Another process takes the lock and stays until killed. */
async function holderProcess() {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      `require(${JSON.stringify(MODULE)}).lockStateDir(${JSON.stringify(stateDir)}); console.log('locked'); setInterval(() => {}, 1000);`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  await new Promise<void>((done) => child.stdout?.on('data', () => done()));
  const kill9 = async () => {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  };
  return { pid: child.pid as number, kill9 };
}

test('a second stack on the same state folder is refused while the first runs, with what to do', async () => {
  const first = await holderProcess();
  try {
    expect(() => lockStateDir(stateDir)).toThrow(
      new RegExp(`in use by another local stack \\(pid ${first.pid}.*OFFLINE_STATE_DIR`),
    );
  } finally {
    await first.kill9();
  }
}, 20_000);

test('a lock left by a stack killed with kill -9 is not in the way, and the next start knows it crashed', async () => {
  const killed = await holderProcess();
  await killed.kill9();
  expect(existsSync(join(stateDir, STATE_LOCK_FILE))).toBe(true);
  const lock = lockStateDir(stateDir);
  expect(lock.crashed?.pid).toBe(killed.pid);
  lock.release();
  expect(existsSync(join(stateDir, STATE_LOCK_FILE))).toBe(false);
  const clean = lockStateDir(stateDir);
  expect(clean.crashed).toBeUndefined();
  clean.release();
}, 20_000);
