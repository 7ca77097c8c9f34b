import { readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { SavedNotifications } from './replay-ports.ts';

/** The local S3 stand-in's `.failed-notifications/` folder: one JSON file per event. */
export function notificationFiles(dir: string): SavedNotifications {
  return {
    async list() {
      try {
        return (await readdir(dir)).filter((name) => name.endsWith('.json')).sort();
      } catch (error: unknown) {
        // No folder: no notification ever failed.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw error;
      }
    },
    read: (name) => readFile(join(dir, name), 'utf8'),
    remove: (name) => unlink(join(dir, name)),
  };
}
