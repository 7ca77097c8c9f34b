import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { createHash } from 'node:crypto';
import { localClientConfig } from '../../../offline/local-client-config.ts';
import { KPL_MAGIC } from '../../../shared/kpl/deaggregate.ts';
import type { ChaosFault } from '../fault.ts';
import { countSince, sleep } from './wait.ts';

/** Kinesis's record limit: data plus partition key, 1 MiB (the stream's default MaxRecordSize). */
const MAX_RECORD_BYTES = 1024 * 1024;

export interface PoisonRecord {
  kind: string;
  partitionKey: string;
  data: Buffer;
}

/**
 * Four records no ingest would write, each put straight onto the stream with the Kinesis SDK:
 * not JSON; a truncated KPL aggregate (the magic bytes, then junk); a 1 MiB record (JSON, but
 * not an event); valid JSON of the wrong shape. Unique per run (the seed and the time are in
 * each), so a run never meets an earlier run's rows.
 */
export function poisonRecords(seed: number, now = Date.now()): PoisonRecord[] {
  const tag = `${seed}-${now}`;
  const key = (kind: string) => `chaos-poison-${kind}-${tag}`;
  const bigKey = key('1mib');
  const bigHead = `{"poison":"a 1 MiB record","tag":"${tag}","filler":"`;
  const bigFill = MAX_RECORD_BYTES - Buffer.byteLength(bigKey) - bigHead.length - 2;
  return [
    { kind: 'not JSON', partitionKey: key('text'), data: Buffer.from(`not JSON at all ${tag} {`) },
    {
      kind: 'truncated KPL',
      partitionKey: key('kpl'),
      data: Buffer.concat([Buffer.from(KPL_MAGIC), Buffer.from(`\x1a\x05junk ${tag}`)]),
    },
    {
      kind: '1 MiB record',
      partitionKey: bigKey,
      data: Buffer.from(`${bigHead}${'x'.repeat(bigFill)}"}`),
    },
    {
      kind: 'wrong shape',
      partitionKey: key('shape'),
      data: Buffer.from(JSON.stringify({ order: 'Completed', revenue: 'lots', tag })),
    },
  ];
}

/**
 * The bad_events id of a whole record the transform answered ProcessingFailed: the load's
 * `firehose:` + sha256 of the record's base64 text (shared/load/parse-object.ts).
 */
export const processingFailedId = (data: Buffer) =>
  `firehose:${createHash('sha256').update(data.toString('base64')).digest('hex')}`;

/**
 * Poison records on the stream. Each must become one bad row with its reason (the transform
 * answers ProcessingFailed, Firehose writes processing-failed/, the load stores it), and
 * neither consumer may stall its shard behind it: the aggregate counts each as a rejected
 * record of its window and goes on.
 */
export function poisonFault(): ChaosFault {
  let ids: string[] = [];
  return {
    name: 'poison',
    description:
      'four poison records put straight onto the stream (not JSON, truncated KPL, 1 MiB, wrong shape)',
    poisonIds: () => ids,
    async run({ stack, seed, log }) {
      const startedAt = new Date();
      const from = stack.output().length;
      const records = poisonRecords(seed);
      ids = records.map((r) => processingFailedId(r.data));
      const client = new KinesisClient(localClientConfig('us-east-1', stack.kinesisEndpoint));
      const shards: string[] = [];
      try {
        let pending = records;
        // The stream may be throttling (another fault): resend what it refused, as a producer must.
        for (let attempt = 0; pending.length > 0; attempt += 1) {
          if (attempt > 50) throw new Error('the stream refused the poison records 50 times');
          const answer = await client.send(
            new PutRecordsCommand({
              StreamName: stack.streamName,
              Records: pending.map((r) => ({ PartitionKey: r.partitionKey, Data: r.data })),
            }),
          );
          const results = answer.Records ?? [];
          shards.push(...results.flatMap((r) => (r.ShardId ? [r.ShardId] : [])));
          pending = pending.filter((_, i) => results[i]?.ErrorCode !== undefined);
          if (pending.length > 0) await sleep(200);
        }
      } finally {
        client.destroy();
      }
      log(
        `poison: ${records.map((r) => r.kind).join(', ')} put on ${[...new Set(shards)].join(', ')}`,
      );
      // The aggregate logs each poison record as it counts it and moves on: wait for all four.
      const deadline = Date.now() + 60_000;
      let counted = 0;
      while (Date.now() < deadline) {
        counted = countSince(stack.output(), from, /poison record/);
        if (counted >= records.length) break;
        await sleep(500);
      }
      return {
        fault: 'poison',
        startedAt,
        durationMs: Date.now() - startedAt.getTime(),
        didWhat: `${records.length} records put (${records.map((r) => r.kind).join(', ')}); the aggregate counted ${counted} as rejected and went on; each must end as one bad row (transform ProcessingFailed)`,
      };
    },
  };
}
