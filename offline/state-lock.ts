import { mkdirSync, openSync, readFileSync, rmSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';

/** `<stateDir>/stack.lock`: which process runs the local stack on this state folder. */
export const STATE_LOCK_FILE = 'stack.lock';

interface LockBody {
  pid: number;
  startedAt: string;
}

export interface StateLock {
  /** The previous holder, when it ended without releasing (kill -9, a crash, a power cut). */
  readonly crashed: LockBody | undefined;
  release(): void;
}

/** Whether a process with this id runs (EPERM: it does, as another user). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readLock(file: string): LockBody | undefined {
  try {
    const body = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockBody>;
    return typeof body.pid === 'number'
      ? { pid: body.pid, startedAt: String(body.startedAt) }
      : undefined;
  } catch {
    return undefined; // missing, or half-written by a process killed while writing it
  }
}

/**
 * One local stack per state folder. Two would share Kinesis' LevelDB (which then refuses with
 * "IO error: lock … already held" from deep inside kinesalite), and PGlite's data folder,
 * which has no lock of its own and would be corrupted. A lock left by a stack that was killed
 * (its process is gone) is not in the way: the state it left is what the next start resumes
 * from, and `crashed` says so. A live holder fails `npm start` with what to do.
 */
export function lockStateDir(stateDir: string): StateLock {
  mkdirSync(stateDir, { recursive: true });
  const file = join(stateDir, STATE_LOCK_FILE);
  const mine: LockBody = { pid: process.pid, startedAt: new Date().toISOString() };
  let crashed: LockBody | undefined;
  for (;;) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, JSON.stringify(mine));
      closeSync(fd);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readLock(file);
    if (holder && holder.pid !== process.pid && alive(holder.pid)) {
      throw new Error(
        `the state folder ${stateDir} is in use by another local stack (pid ${holder.pid}, started ${holder.startedAt}): stop that one (Ctrl-C in its terminal, or kill ${holder.pid}), or give this one its own folder with OFFLINE_STATE_DIR`,
      );
    }
    crashed = holder ?? { pid: 0, startedAt: 'unknown' };
    rmSync(file, { force: true });
  }
  return {
    crashed: crashed?.pid === process.pid ? undefined : crashed,
    release: () => {
      if (readLock(file)?.pid === process.pid) rmSync(file, { force: true });
    },
  };
}
