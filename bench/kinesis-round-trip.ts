/**
 * One emulator's round trip: PutRecords in calls of 500, then every shard read back from
 * TRIM_HORIZON, bounded in calls and in time, with partial figures when cut off.
 */
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  PutRecordsCommand,
  type KinesisClient,
} from '@aws-sdk/client-kinesis';
import { performance } from 'node:perf_hooks';
import { ensureStreams } from '../offline/kinesis-emulator.ts';
import type { FixtureRecord } from './fixtures.ts';
import type { ProcessMemory } from './kinesis-local-process.ts';
import { fmtMs } from './table.ts';

export const PER_CALL = 500;
export const SHARDS = 2;
export const GET_LIMIT = 10_000;
const STREAM = 'clickstream-bench';
/** Far more GetRecords calls than the records need: a bound, not an expectation. */
const MAX_GET_CALLS_PER_SHARD = 50;

export interface Figures {
  label: string;
  written: number;
  failed: number;
  putCalls: number;
  writeMs: number;
  writtenBytes: number;
  callMs: number[];
  read: number;
  readBytes: number;
  getCalls: number;
  readMs: number;
  /** Why the run stopped early, if it did. */
  cutOff?: string;
  memory?: { idle?: ProcessMemory; afterWrite?: ProcessMemory; afterRead?: ProcessMemory };
  diskBytes?: number;
}

export const message = (error: unknown) =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

/** Writes then reads back every record, within `capMs` in all; partial figures if cut off. */
export async function writeThenReadBack(
  label: string,
  client: KinesisClient,
  records: readonly FixtureRecord[],
  capMs: number,
  memory?: () => ProcessMemory | undefined,
): Promise<Figures> {
  const f: Figures = {
    label,
    written: 0,
    failed: 0,
    putCalls: 0,
    writeMs: 0,
    writtenBytes: 0,
    callMs: [],
    read: 0,
    readBytes: 0,
    getCalls: 0,
    readMs: 0,
  };
  await ensureStreams(client, [{ logicalId: 'BenchStream', name: STREAM, shardCount: SHARDS }]);
  f.memory = memory ? { idle: memory() } : undefined;
  // Writing may take at most three quarters of the cap, so that what was written is read back.
  const start = performance.now();
  const writeDeadline = start + capMs * 0.75;
  const deadline = start + capMs;

  const writeStart = performance.now();
  try {
    for (let i = 0; i < records.length; i += PER_CALL) {
      if (performance.now() > writeDeadline)
        throw new Error(`cut off after ${fmtMs(capMs * 0.75)} of writing`);
      const chunk = records.slice(i, i + PER_CALL);
      const callStart = performance.now();
      const answer = await client.send(
        new PutRecordsCommand({
          StreamName: STREAM,
          Records: chunk.map((r) => ({ PartitionKey: r.partitionKey, Data: r.data })),
        }),
      );
      f.callMs.push(performance.now() - callStart);
      f.putCalls += 1;
      chunk.forEach((record, j) => {
        if (answer.Records?.[j]?.SequenceNumber) {
          f.written += 1;
          f.writtenBytes += record.data.byteLength;
        } else f.failed += 1;
      });
    }
  } catch (error) {
    f.cutOff = `PutRecords: ${message(error)}`;
  }
  f.writeMs = performance.now() - writeStart;
  if (f.memory) f.memory.afterWrite = memory?.();

  let readStart = performance.now();
  try {
    const { Shards: shards = [] } = await client.send(
      new ListShardsCommand({ StreamName: STREAM }),
    );
    readStart = performance.now();
    for (const shard of shards) {
      const { ShardIterator } = await client.send(
        new GetShardIteratorCommand({
          StreamName: STREAM,
          ShardId: shard.ShardId,
          ShardIteratorType: 'TRIM_HORIZON',
        }),
      );
      let iterator = ShardIterator;
      for (
        let calls = 0;
        iterator && calls < MAX_GET_CALLS_PER_SHARD && f.read < f.written;
        calls++
      ) {
        if (performance.now() > deadline)
          throw new Error(`cut off ${fmtMs(capMs)} after the start`);
        const answer = await client.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: GET_LIMIT }),
        );
        f.getCalls += 1;
        const got = answer.Records ?? [];
        f.read += got.length;
        for (const record of got) f.readBytes += record.Data?.byteLength ?? 0;
        if (got.length === 0 && (answer.MillisBehindLatest ?? 0) === 0) break;
        iterator = answer.NextShardIterator;
      }
    }
  } catch (error) {
    f.cutOff = `${f.cutOff ? `${f.cutOff}; ` : ''}GetRecords: ${message(error)}`;
  }
  f.readMs = performance.now() - readStart;
  if (f.memory) f.memory.afterRead = memory?.();
  return f;
}
