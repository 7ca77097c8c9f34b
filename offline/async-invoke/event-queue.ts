import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AttemptError } from './invocation-record.ts';

/** An accepted event waiting in a function's asynchronous event queue, as kept on disk. */
export interface PendingEvent {
  /** The invocation's request id: also the file name, and the record's requestId. */
  requestId: string;
  functionName: string;
  event: unknown;
  /** When the event was accepted (ms): its age counts from here. */
  acceptedAt: number;
  /** Invocations that reached the function or the Invoke API. */
  invokeCount: number;
  /** Function errors so far: only these spend MaximumRetryAttempts. */
  functionErrors: number;
  /** Throttles and system errors in a row: they set the backoff, not the retries. */
  serviceErrors: number;
  /** When the next attempt is due (ms). */
  nextAttemptAt: number;
  attempts: Array<AttemptError & { at: string }>;
}

/**
 * The durable queue: one JSON file per accepted event, written (then renamed, so a kill never
 * leaves half a file) before the event is acknowledged, rewritten after each failed attempt,
 * removed once the event was delivered or handed to its on-failure destination.
 */
export class EventQueueStore {
  constructor(private readonly dir: string) {}

  async save(pending: PendingEvent): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const file = this.file(pending.requestId);
    await writeFile(`${file}.tmp`, JSON.stringify(pending));
    await rename(`${file}.tmp`, file);
  }

  async remove(requestId: string): Promise<void> {
    await unlink(this.file(requestId)).catch((error: unknown) => {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    });
  }

  /** Every event accepted and not yet settled, oldest first; unreadable files are reported. */
  async load(): Promise<{ pending: PendingEvent[]; unreadable: string[] }> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((name) => name.endsWith('.json'));
    } catch (error: unknown) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT')
        return { pending: [], unreadable: [] };
      throw error;
    }
    const pending: PendingEvent[] = [];
    const unreadable: string[] = [];
    for (const name of names) {
      try {
        const value = JSON.parse(await readFile(join(this.dir, name), 'utf8')) as PendingEvent;
        if (typeof value.requestId !== 'string' || typeof value.functionName !== 'string')
          throw new Error('not a pending event');
        pending.push(value);
      } catch {
        unreadable.push(join(this.dir, name));
      }
    }
    pending.sort((a, b) => a.acceptedAt - b.acceptedAt);
    return { pending, unreadable };
  }

  private file(requestId: string): string {
    return join(this.dir, `${requestId}.json`);
  }
}
