import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { bucketDir, keyOfRelativePath, META_DIR, metaPath, objectPath, TMP_DIR } from './paths.ts';

/** What S3 keeps about an object besides its bytes. */
export interface ObjectMeta {
  key: string;
  size: number;
  /** MD5 hex, without quotes (S3 quotes it in headers and XML). */
  etag: string;
  contentType: string;
  contentEncoding?: string;
  cacheControl?: string;
  contentDisposition?: string;
  /** ISO-8601 with milliseconds. */
  lastModified: string;
  /** x-amz-meta-* without the prefix, names lower-cased as S3 returns them. */
  userMetadata: Record<string, string>;
  /** e.g. { crc32: 'base64' } as the client sent it. */
  checksums: Record<string, string>;
}

export type NewObject = Omit<ObjectMeta, 'key' | 'size' | 'etag' | 'lastModified'>;

export class S3Store {
  private readonly root: string;

  constructor(stateDir: string) {
    this.root = resolve(stateDir);
  }

  async bucketExists(bucket: string): Promise<boolean> {
    try {
      return (await stat(bucketDir(this.root, bucket))).isDirectory();
    } catch {
      return false;
    }
  }

  /** false when it already existed. */
  async createBucket(bucket: string): Promise<boolean> {
    if (await this.bucketExists(bucket)) return false;
    await mkdir(bucketDir(this.root, bucket), { recursive: true });
    return true;
  }

  async deleteBucket(bucket: string): Promise<'deleted' | 'not-empty'> {
    if ((await this.listKeys(bucket)).length > 0) return 'not-empty';
    await rm(bucketDir(this.root, bucket), { recursive: true, force: true });
    await rm(join(this.root, META_DIR, bucket), { recursive: true, force: true });
    return 'deleted';
  }

  async listBuckets(): Promise<{ name: string; created: Date }[]> {
    const entries = await readdir(this.root, { withFileTypes: true }).catch(() => []);
    const buckets = [];
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const info = await stat(join(this.root, entry.name));
      // birthtime is 0 on file systems that do not record it; ctime is the next best thing.
      buckets.push({
        name: entry.name,
        created: info.birthtimeMs > 0 ? info.birthtime : info.ctime,
      });
    }
    return buckets.sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /**
   * Writes bytes and metadata through temporary files renamed into place, so a reader never
   * sees half an object and a crash never leaves a truncated one.
   */
  async putObject(
    bucket: string,
    key: string,
    body: Buffer,
    fields: NewObject,
  ): Promise<ObjectMeta> {
    const target = objectPath(this.root, bucket, key);
    const meta: ObjectMeta = {
      ...fields,
      key,
      size: body.length,
      etag: createHash('md5').update(body).digest('hex'),
      lastModified: new Date().toISOString(),
    };
    const tmp = join(this.root, TMP_DIR);
    await mkdir(tmp, { recursive: true });
    const dataTmp = join(tmp, randomUUID());
    const metaTmp = join(tmp, randomUUID());
    await writeFile(dataTmp, body);
    await writeFile(metaTmp, JSON.stringify(meta));
    await mkdir(dirname(target), { recursive: true });
    const sidecar = metaPath(this.root, bucket, key);
    await mkdir(dirname(sidecar), { recursive: true });
    await rename(dataTmp, target);
    await rename(metaTmp, sidecar);
    return meta;
  }

  /** undefined when there is no such object (a folder is not an object). */
  async headObject(bucket: string, key: string): Promise<ObjectMeta | undefined> {
    const path = objectPath(this.root, bucket, key);
    let info;
    try {
      info = await stat(path);
    } catch {
      return undefined;
    }
    if (!info.isFile()) return undefined;
    try {
      const meta = JSON.parse(
        await readFile(metaPath(this.root, bucket, key), 'utf8'),
      ) as ObjectMeta;
      if (meta.size === info.size) return meta;
    } catch {
      // fall through: a file dropped into the folder by hand still reads as an object
    }
    const body = await readFile(path);
    return {
      key,
      size: body.length,
      etag: createHash('md5').update(body).digest('hex'),
      contentType: 'binary/octet-stream',
      lastModified: info.mtime.toISOString(),
      userMetadata: {},
      checksums: {},
    };
  }

  dataPath(bucket: string, key: string): string {
    return objectPath(this.root, bucket, key);
  }

  async deleteObject(bucket: string, key: string): Promise<void> {
    const path = objectPath(this.root, bucket, key);
    await rm(path, { force: true });
    await rm(metaPath(this.root, bucket, key), { force: true });
    // Empty folders left behind would block a later key equal to the folder's name.
    const root = bucketDir(this.root, bucket);
    for (let dir = dirname(path); dir.startsWith(root + '/'); dir = dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        break;
      }
    }
  }

  /** Every key in the bucket, in S3's order: UTF-8 byte order. */
  async listKeys(bucket: string): Promise<string[]> {
    const root = bucketDir(this.root, bucket);
    const files = await readdir(root, { recursive: true, withFileTypes: true });
    const keys = files
      .filter((entry) => entry.isFile())
      .map((entry) => keyOfRelativePath(relative(root, join(entry.parentPath, entry.name))));
    return keys.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  }
}
