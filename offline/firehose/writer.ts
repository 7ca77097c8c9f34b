import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { mkdir, readdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Log } from './delivery-stream-config.ts';

export interface ObjectWriterOptions {
  s3: S3Client;
  stateDir: string;
  log: Log;
  /** First wait between attempts; doubled up to maxDelayMs. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Puts objects through the real S3 client, so the bucket's ObjectCreated notifications fire.
 * Firehose retries S3 delivery for up to 24 hours; locally a write is retried with backoff
 * until it succeeds. When the stand-in shuts down with a write still failing, the object is
 * saved under `<stateDir>/undelivered/<bucket>/<key>` and logged, so nothing is lost silently.
 */
export function createObjectWriter(options: ObjectWriterOptions) {
  const base = options.baseDelayMs ?? 100;
  const max = options.maxDelayMs ?? 5_000;
  let closing = false;
  const wakers = new Set<() => void>();

  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      wakers.add(wake);
    });

  async function spill(bucket: string, key: string, body: Buffer): Promise<void> {
    const root = resolve(options.stateDir, 'undelivered', bucket);
    const path = resolve(root, key);
    if (!path.startsWith(root + sep))
      throw new Error(`refusing to spill key ${key} outside ${root}`);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, body);
    options.log.error(
      `Firehose could not write s3://${bucket}/${key}; saved it in ${join('undelivered', bucket, key)} under ${options.stateDir}`,
    );
  }

  return {
    async put(
      bucket: string,
      key: string,
      body: Buffer,
      contentType = 'application/octet-stream',
    ): Promise<void> {
      let delay = base;
      let failuresWhileClosing = 0;
      for (;;) {
        try {
          await options.s3.send(
            new PutObjectCommand({
              Bucket: bucket,
              Key: key,
              Body: body,
              ContentType: contentType,
            }),
          );
          return;
        } catch (error) {
          options.log.error(
            `Firehose write of s3://${bucket}/${key} failed (${error instanceof Error ? error.name : String(error)}); retrying`,
          );
          if (closing && ++failuresWhileClosing >= 3) return spill(bucket, key, body);
          await sleep(delay);
          delay = Math.min(max, delay * 2);
        }
      }
    },
    /**
     * Objects an earlier run saved under `undelivered/` go to S3 now (then leave that folder):
     * their records were acknowledged to the source, so this is their only way in.
     */
    async redeliverSpilled(): Promise<void> {
      const root = resolve(options.stateDir, 'undelivered');
      const files = await readdir(root, { recursive: true, withFileTypes: true }).catch(
        (error: unknown) => {
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
          throw error;
        },
      );
      for (const entry of files) {
        if (!entry.isFile()) continue;
        const path = join(entry.parentPath, entry.name);
        const [bucket, ...key] = path.slice(root.length + 1).split(sep);
        if (!bucket || key.length === 0) continue;
        await options.s3.send(
          new PutObjectCommand({ Bucket: bucket, Key: key.join('/'), Body: await readFile(path) }),
        );
        await unlink(path);
        options.log.info(
          `Firehose delivered s3://${bucket}/${key.join('/')}, saved by an earlier run`,
        );
      }
    },
    /** From now on a write still failing after three more attempts is saved locally instead. */
    closing(): void {
      closing = true;
      for (const wake of [...wakers]) wake();
    },
  };
}

export type ObjectWriter = ReturnType<typeof createObjectWriter>;
