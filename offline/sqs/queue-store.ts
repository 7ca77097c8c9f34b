import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Queue, type QueueSettings, type StoredMessage } from './queue.ts';

interface Snapshot {
  name: string;
  settings: QueueSettings;
  messages: StoredMessage[];
}

export const DEFAULT_SETTINGS = { visibilityTimeoutSeconds: 30, receiveWaitTimeSeconds: 0 };

/**
 * The queues, each kept as a JSON snapshot `<dir>/<queue>.json` rewritten (write-then-rename,
 * so a crash leaves the old or the new file, never half of one) shortly after each change.
 * Dead-letter traffic is small, so a whole-queue rewrite is cheap and the file stays readable
 * by a person with `jq`.
 */
export class QueueStore {
  private readonly queues = new Map<string, Queue>();
  private readonly dirty = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  private constructor(private readonly dir: string) {}

  static async open(dir: string): Promise<QueueStore> {
    await mkdir(dir, { recursive: true });
    const store = new QueueStore(dir);
    for (const file of await readdir(dir)) {
      if (!file.endsWith('.json')) continue;
      const snapshot = JSON.parse(await readFile(join(dir, file), 'utf8')) as Snapshot;
      store.queues.set(
        snapshot.name,
        new Queue(snapshot.name, snapshot.settings, snapshot.messages),
      );
    }
    return store;
  }

  get(name: string): Queue | undefined {
    return this.queues.get(name);
  }

  names(): string[] {
    return [...this.queues.keys()].sort();
  }

  all(): Queue[] {
    return [...this.queues.values()];
  }

  /** Returns the existing queue of that name, or a new one with `settings`. */
  create(name: string, settings: Partial<QueueSettings> = {}): Queue {
    const existing = this.queues.get(name);
    if (existing) return existing;
    const queue = new Queue(name, {
      ...DEFAULT_SETTINGS,
      createdTimestamp: Date.now(),
      ...settings,
    });
    this.queues.set(name, queue);
    this.changed(name);
    return queue;
  }

  /** Schedules a snapshot; changes within 20 ms share one write. */
  changed(name: string): void {
    this.dirty.add(name);
    this.flushTimer ??= setTimeout(() => void this.flush(), 20);
  }

  /** Writes every pending snapshot; resolves when they are on disk. */
  flush(): Promise<void> {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const names = [...this.dirty];
    this.dirty.clear();
    // Chained, so two flushes never write the same file at once.
    this.writing = this.writing.then(async () => {
      for (const name of names) {
        const queue = this.queues.get(name);
        if (!queue) continue;
        const snapshot: Snapshot = { name, settings: queue.settings, messages: queue.stored() };
        const file = join(this.dir, `${name}.json`);
        await writeFile(`${file}.tmp`, JSON.stringify(snapshot, null, 1));
        await rename(`${file}.tmp`, file);
      }
    });
    return this.writing;
  }
}
