import { makeHandler } from '../../functions/ingest/handler.ts';
import type {
  EntryOutcome,
  StreamEntry,
  StreamWriter,
} from '../../shared/adapters/stream-writer/stream-writer.ts';
import { WriteKeys } from '../../shared/ingest/write-keys.ts';
import { apiRequest, lambdaContext } from './api-events.ts';

/** A stream that takes every entry, for tests of what the ingest handler writes. */
export class MemoryStream implements StreamWriter {
  readonly entries: StreamEntry[] = [];
  async putRecords(entries: readonly StreamEntry[]): Promise<EntryOutcome[]> {
    this.entries.push(...entries);
    return entries.map(() => ({ ok: true }));
  }
  records(): Array<Record<string, unknown>> {
    return this.entries.map(
      (e) => JSON.parse(Buffer.from(e.data).toString('utf8')) as Record<string, unknown>,
    );
  }
}

/** The ingest handler over a MemoryStream, with the write key `test-key` and counted ids. */
export function ingestOverMemory() {
  const stream = new MemoryStream();
  let n = 0;
  const handler = makeHandler({
    writer: stream,
    writeKeys: new WriteKeys(['test-key']),
    retry: { budgetMs: 100, baseDelayMs: 1, maxDelayMs: 1 },
    newMessageId: () => `generated-${++n}`,
  });
  const call = async (...args: Parameters<typeof apiRequest>) => {
    const response = await handler(apiRequest(...args), lambdaContext);
    return {
      status: response.statusCode,
      body: JSON.parse(response.body) as Record<string, unknown>,
    };
  };
  return { stream, call };
}
