import { mkdir, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Log } from './delivery-stream-config.ts';
import type { SourceRecord } from './record.ts';

/** A record PutRecord(Batch) accepted, before it reaches S3. */
export interface AcceptedRecord {
  recordId: string;
  data: Buffer;
  arrival: number;
}

interface JournalFile {
  records: Array<{ recordId: string; data: string; arrival: number }>;
}

/**
 * What Direct PUT callers were told is accepted, kept on disk until it is in S3. On AWS an
 * accepted record is Firehose's to deliver: "For DirectPut Firehose streams, Firehose retains
 * the records for 24 hours" and retries S3 delivery meanwhile
 * (https://docs.aws.amazon.com/firehose/latest/dev/troubleshooting.html). A caller such as the
 * aggregate function moves its own checkpoint on once PutRecordBatch answered, so records held
 * only in memory would be lost by a kill -9 of the stack. So each accepted call is one file,
 * written (then renamed: never half a file) before the call is answered, and removed once all
 * its records are in S3 or the error output. A restart delivers what is left, which may repeat
 * records whose object was written just before the kill: Firehose's delivery is at least once
 * too, and "delivery retries by Firehose might introduce duplicates"
 * (https://docs.aws.amazon.com/firehose/latest/dev/basic-deliver.html). The loads' MERGE makes
 * that exactly once in the warehouse. Survives the process being killed, not the machine
 * losing power (no fsync).
 */
export class PutJournal {
  private sequence = 0;

  constructor(
    private readonly dir: string,
    private readonly log: Log,
  ) {}

  /** Writes the records to disk; resolves with them, each `done` counting toward removal. */
  async append(stream: string, records: readonly AcceptedRecord[]): Promise<SourceRecord[]> {
    const folder = join(this.dir, stream);
    await mkdir(folder, { recursive: true });
    this.sequence += 1;
    const name = `${String(Date.now()).padStart(15, '0')}-${process.pid}-${String(this.sequence).padStart(9, '0')}.json`;
    const body: JournalFile = {
      records: records.map((r) => ({
        recordId: r.recordId,
        data: r.data.toString('base64'),
        arrival: r.arrival,
      })),
    };
    const file = join(folder, name);
    await writeFile(`${file}.tmp`, JSON.stringify(body));
    await rename(`${file}.tmp`, file);
    return this.tracked(file, records);
  }

  /** The records earlier runs accepted and did not deliver, oldest call first. */
  async recover(stream: string): Promise<SourceRecord[]> {
    const folder = join(this.dir, stream);
    let all: string[];
    try {
      all = await readdir(folder);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    // A .tmp file is a call killed before it was answered: its caller will send it again.
    for (const name of all.filter((n) => n.endsWith('.tmp')))
      await unlink(join(folder, name)).catch(() => undefined);
    const names = all.filter((n) => n.endsWith('.json')).sort();
    const out: SourceRecord[] = [];
    for (const name of names) {
      const file = join(folder, name);
      const parsed = JSON.parse(await readFile(file, 'utf8')) as JournalFile;
      const records = parsed.records.map((r) => ({
        recordId: r.recordId,
        data: Buffer.from(r.data, 'base64'),
        arrival: r.arrival,
      }));
      out.push(...this.tracked(file, records));
    }
    return out;
  }

  private tracked(file: string, records: readonly AcceptedRecord[]): SourceRecord[] {
    let pending = records.length;
    const remove = () =>
      void unlink(file).catch((error: unknown) => {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT')
          this.log.error(
            `Firehose could not remove its delivered journal file ${file}: ${String(error)}`,
          );
      });
    if (pending === 0) remove();
    return records.map((record) => {
      let counted = false;
      return {
        ...record,
        done: () => {
          if (counted) return;
          counted = true;
          pending -= 1;
          if (pending === 0) remove();
        },
      };
    });
  }
}
