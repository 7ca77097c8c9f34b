/**
 * `COPY … FROM STDIN` over the wire, in front of PGlite. pglite-socket hands PGlite one wire
 * message at a time, and PGlite's backend cannot wait across calls for the CopyData that
 * follows a COPY's CopyInResponse ("protocol synchronization was lost"; electric-sql/pglite
 * PR #1028). So the server plays the copy-in sub-protocol itself, as PostgreSQL documents it
 * (https://www.postgresql.org/docs/current/protocol-flow.html#PROTOCOL-COPY): answer the
 * Query with CopyInResponse, gather the CopyData messages (Flush and Sync ignored, as the
 * backend ignores them in copy-in mode), and on CopyDone run the same COPY from PGlite's
 * '/dev/blob' device, whose CommandComplete ("COPY n") and ReadyForQuery go back as they
 * are. CopyFail, or any other message during the copy, ends it with PGlite raising the
 * error inside the session, so the transaction's state (failed, to be rolled back) is
 * PGlite's own and ReadyForQuery tells the client the truth.
 */
import type { PGlite } from '@electric-sql/pglite';

export type RawStreamOptions = NonNullable<Parameters<PGlite['execProtocolRawStream']>[1]>;
type RawStream = (message: Uint8Array, options: RawStreamOptions) => Promise<void>;

const QUERY = 0x51; // 'Q'
const COPY_DATA = 0x64; // 'd'
const COPY_DONE = 0x63; // 'c'
const COPY_FAIL = 0x66; // 'f'
const FLUSH = 0x48; // 'H'
const SYNC = 0x53; // 'S'

/** One COPY statement into a table from STDIN, options after it kept; nothing else. */
const COPY_FROM_STDIN =
  /^\s*COPY\s+((?:"[^"]*"|[\w.])+)\s*(\(([^;()]*)\))?\s+FROM\s+STDIN\b([^;]*);?\s*$/i;

export function queryMessage(sql: string): Uint8Array {
  const text = Buffer.from(sql, 'utf8');
  const message = Buffer.alloc(1 + 4 + text.length + 1);
  message[0] = QUERY;
  message.writeInt32BE(4 + text.length + 1, 1);
  text.copy(message, 5);
  return message;
}

/** CopyInResponse: text format for the whole copy and each of its `columns` columns. */
function copyInResponse(columns: number): Uint8Array {
  const message = Buffer.alloc(1 + 4 + 1 + 2 + 2 * columns);
  message[0] = 'G'.charCodeAt(0);
  message.writeInt32BE(4 + 1 + 2 + 2 * columns, 1);
  message.writeInt16BE(columns, 6);
  return message;
}

const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/** The statement that makes PGlite report a failed copy, as PostgreSQL words it. */
function raiseSql(message: string, sqlState: string): string {
  return `DO $$ BEGIN RAISE EXCEPTION USING MESSAGE = ${literal(message)}, ERRCODE = ${literal(sqlState)}; END $$`;
}

interface Copying {
  /** The same COPY, reading PGlite's blob device. */
  sql: string;
  chunks: Uint8Array[];
}

/**
 * Wraps the raw message stream: answers true while the copy-in sub-protocol holds the
 * connection (so the caller keeps the queue to it), and plays it as described above.
 */
export function copyFromStdin(db: Pick<PGlite, '_handleBlob' | '_cleanupBlob'>, raw: RawStream) {
  let copying: Copying | undefined;

  async function finish(options: RawStreamOptions): Promise<void> {
    const current = copying;
    copying = undefined;
    if (!current) return;
    await db._handleBlob(new Blob(current.chunks as Uint8Array<ArrayBuffer>[]));
    try {
      await raw(queryMessage(current.sql), options);
    } finally {
      await db._cleanupBlob();
    }
  }

  async function fail(message: string, sqlState: string, options: RawStreamOptions) {
    copying = undefined;
    await raw(queryMessage(raiseSql(message, sqlState)), options);
  }

  return {
    get active(): boolean {
      return copying !== undefined;
    },
    /** The client left mid-copy (the server rolls its session back): nothing to finish. */
    abandon(): void {
      copying = undefined;
    },
    /** True when the message was this sub-protocol's (answered here), false to pass it on. */
    async handle(message: Uint8Array, options: RawStreamOptions): Promise<boolean> {
      const type = message[0];
      if (copying) {
        if (type === COPY_DATA) copying.chunks.push(message.subarray(5));
        else if (type === COPY_DONE) await finish(options);
        else if (type === COPY_FAIL) {
          const reason = Buffer.from(message.subarray(5, message.length - 1)).toString('utf8');
          await fail(`COPY from stdin failed: ${reason}`, '57014', options);
        } else if (type !== FLUSH && type !== SYNC) {
          const code = `0x${(type ?? 0).toString(16).padStart(2, '0')}`;
          await fail(`unexpected message type ${code} during COPY from stdin`, '08P01', options);
        }
        return true;
      }
      if (type !== QUERY) return false;
      const sql = Buffer.from(message.subarray(5, message.length - 1)).toString('utf8');
      const match = COPY_FROM_STDIN.exec(sql);
      if (!match) return false;
      const [, table, list = '', columns, rest = ''] = match;
      copying = { sql: `COPY ${table} ${list} FROM '/dev/blob'${rest}`, chunks: [] };
      const count = columns === undefined ? 0 : columns.split(',').length;
      options.onRawData(copyInResponse(count));
      return true;
    },
  };
}
