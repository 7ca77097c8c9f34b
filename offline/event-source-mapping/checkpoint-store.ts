import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The open tumbling window of a shard, kept with the checkpoint it belongs to. */
export interface WindowCheckpoint {
  startMs: number;
  state: Record<string, unknown>;
  /** The last state went over 1 MB: the next invoke must end the window early. */
  pendingEarlyFinal: boolean;
}

export interface ShardCheckpoint {
  /** The last record processed (or discarded, or filtered out); reading resumes after it. */
  sequenceNumber: string | null;
  window: WindowCheckpoint | null;
}

/**
 * One small JSON file per mapping and shard, replaced atomically (write, then rename) so a
 * crash mid-write leaves the previous checkpoint, never a torn one. Writes for a shard are
 * coalesced: only the newest checkpoint matters, so a burst of commits costs one write.
 */
export class CheckpointStore {
  private readonly dir: string;
  private readonly pending = new Map<string, ShardCheckpoint>();
  private readonly writing = new Map<string, Promise<void>>();

  constructor(stateDir: string, uuid: string) {
    this.dir = join(stateDir, 'event-source-mappings', safeName(uuid));
  }

  async read(shardId: string): Promise<ShardCheckpoint | undefined> {
    try {
      const text = await readFile(this.file(shardId), 'utf8');
      const parsed = JSON.parse(text) as Partial<ShardCheckpoint>;
      return { sequenceNumber: parsed.sequenceNumber ?? null, window: parsed.window ?? null };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  save(shardId: string, checkpoint: ShardCheckpoint): void {
    this.pending.set(shardId, structuredClone(checkpoint));
    if (!this.writing.has(shardId)) {
      const run = this.drain(shardId).finally(() => this.writing.delete(shardId));
      this.writing.set(shardId, run);
    }
  }

  /** Resolves when every checkpoint saved so far is on disk. */
  async flush(): Promise<void> {
    while (this.writing.size > 0) await Promise.all(this.writing.values());
  }

  private async drain(shardId: string): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    for (let next = this.pending.get(shardId); next; next = this.pending.get(shardId)) {
      this.pending.delete(shardId);
      const file = this.file(shardId);
      const temp = `${file}.${process.pid}.tmp`;
      const body = { ...next, updatedAt: new Date().toISOString() };
      await writeFile(temp, `${JSON.stringify(body)}\n`);
      await rename(temp, file);
    }
  }

  private file(shardId: string): string {
    return join(this.dir, `${safeName(shardId)}.json`);
  }
}

function safeName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_.-]/g, '_');
}
