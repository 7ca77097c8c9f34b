/**
 * The two Kinesis emulators the local mode can use, on the same records through the same
 * SDK client configuration: PutRecords in calls of 500, then a read back from TRIM_HORIZON.
 * kinesalite in memory is the baseline; every other figure is a ratio to it.
 */
import { KinesisClient } from '@aws-sdk/client-kinesis';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localClientConfig } from '../offline/local-client-config.ts';
import { startKinesisEmulator } from '../offline/kinesis-emulator.ts';
import { streamRecords, type FixtureRecord } from './fixtures.ts';
import { freePortPair, startKinesisLocal, type ProcessMemory } from './kinesis-local-process.ts';
import {
  GET_LIMIT,
  message,
  PER_CALL,
  SHARDS,
  writeThenReadBack,
  type Figures,
} from './kinesis-round-trip.ts';
import {
  fmtFixed,
  fmtInt,
  fmtMiB,
  fmtMs,
  fmtRate,
  fmtRatio,
  printNotes,
  printTable,
} from './table.ts';

const RECORDS = 20_000;
const KINESALITE_CAP_MS = 60_000;
const KINESIS_LOCAL_CAP_MS = 120_000;
const KINESIS_LOCAL_PORT = 4591;

async function kinesalite(records: readonly FixtureRecord[], persistent: boolean) {
  const dir = persistent ? await mkdtemp(join(tmpdir(), 'kinesalite-bench-')) : undefined;
  // Port 0: the system picks a free loopback port.
  const emulator = await startKinesisEmulator({
    port: 0,
    host: '127.0.0.1',
    ...(dir ? { path: dir } : {}),
  });
  try {
    const label = persistent ? 'kinesalite (LevelDB)' : 'kinesalite (memory)';
    const figures = await writeThenReadBack(label, emulator.client, records, KINESALITE_CAP_MS);
    if (dir) figures.diskBytes = await folderBytes(dir);
    return figures;
  } finally {
    await emulator.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

async function kinesisLocal(records: readonly FixtureRecord[]) {
  const [plainPort, tlsPort] = await freePortPair(KINESIS_LOCAL_PORT);
  const server = await startKinesisLocal({ plainPort, tlsPort });
  const client = new KinesisClient(localClientConfig('us-east-1', server.endpoint));
  try {
    const label = `kinesis-local ${server.version}`;
    return await writeThenReadBack(label, client, records, KINESIS_LOCAL_CAP_MS, server.memory);
  } catch (error) {
    throw new Error(`${message(error)}\nkinesis-local said:\n${server.output()}`);
  } finally {
    client.destroy();
    await server.stop();
  }
}

export async function run(): Promise<void> {
  const records = streamRecords(7, RECORDS);
  const bytes = records.reduce((sum, r) => sum + r.data.byteLength, 0);
  console.log(
    `\n${fmtInt(RECORDS)} records, mean ${fmtInt(bytes / RECORDS)} bytes (${fmtMiB(bytes)} in all), stream of ${SHARDS} shards, PutRecords calls of ${PER_CALL} one at a time`,
  );

  // Unmeasured: the SDK client, kinesalite and this process's JIT see the code paths once, so
  // that the baseline, measured first, does not pay for the warm-up alone.
  await kinesalite(records.slice(0, 2 * PER_CALL), false);

  const runs: Figures[] = [];
  const failures: string[] = [];
  const attempt = async (what: string, go: () => Promise<Figures>) => {
    try {
      runs.push(await go());
    } catch (error) {
      failures.push(`${what} FAILED: ${message(error)}`);
    }
  };
  await attempt('kinesalite (memory)', () => kinesalite(records, false));
  await attempt('kinesalite (LevelDB)', () => kinesalite(records, true));
  await attempt('kinesis-local', () => kinesisLocal(records));

  const base = runs.find((r) => r.label === 'kinesalite (memory)');
  const writeRate = (r: Figures) => (r.written / r.writeMs) * 1000;
  const readRate = (r: Figures) => (r.read / r.readMs) * 1000;
  printTable(
    'PutRecords (write)',
    [
      { header: 'emulator' },
      { header: 'written' },
      { header: 'failed' },
      { header: 'calls' },
      { header: 'time' },
      { header: 'records/s' },
      { header: 'MiB/s' },
      { header: 'first call' },
      { header: 'last call' },
      { header: 'vs kinesalite (memory)' },
    ],
    runs.map((r) => [
      r.label,
      fmtInt(r.written),
      fmtInt(r.failed),
      fmtInt(r.putCalls),
      fmtMs(r.writeMs),
      fmtRate(writeRate(r)),
      fmtFixed(r.writtenBytes / 1048576 / (r.writeMs / 1000), 2),
      fmtMs(r.callMs[0] ?? Number.NaN),
      fmtMs(r.callMs[r.callMs.length - 1] ?? Number.NaN),
      base ? fmtRatio(writeRate(r), writeRate(base)) : 'n/a',
    ]),
  );
  printTable(
    `Read back (ListShards, then per shard GetShardIterator TRIM_HORIZON + GetRecords Limit ${fmtInt(GET_LIMIT)})`,
    [
      { header: 'emulator' },
      { header: 'read' },
      { header: 'calls' },
      { header: 'time' },
      { header: 'records/s' },
      { header: 'same bytes as written' },
      { header: 'vs kinesalite (memory)' },
    ],
    runs.map((r) => [
      r.label,
      fmtInt(r.read),
      fmtInt(r.getCalls),
      fmtMs(r.readMs),
      fmtRate(readRate(r)),
      r.read === r.written && r.readBytes === r.writtenBytes
        ? 'yes'
        : `NO (${fmtInt(r.readBytes)} of ${fmtInt(r.writtenBytes)})`,
      base ? fmtRatio(readRate(r), readRate(base)) : 'n/a',
    ]),
  );

  const local = runs.find((r) => r.label.startsWith('kinesis-local'));
  const leveldb = runs.find((r) => r.label === 'kinesalite (LevelDB)');
  const ratioRows: string[][] = [];
  if (base && local) {
    ratioRows.push([
      `kinesalite (memory) / ${local.label}`,
      fmtRatio(writeRate(base), writeRate(local)),
      fmtRatio(readRate(base), readRate(local)),
    ]);
  }
  if (base && leveldb) {
    ratioRows.push([
      'kinesalite (LevelDB) / kinesalite (memory)',
      fmtRatio(writeRate(leveldb), writeRate(base)),
      fmtRatio(readRate(leveldb), readRate(base)),
    ]);
  }
  printTable(
    'Ratios (records/s over records/s, same run)',
    [{ header: 'ratio' }, { header: 'write' }, { header: 'read' }],
    ratioRows,
  );

  if (local?.memory) {
    const mem = (m: ProcessMemory | undefined) => (m ? fmtMiB(m.rss) : 'n/a');
    printTable(
      `${local.label} child process memory (/proc/<pid>/status)`,
      [
        { header: 'idle, stream created', align: 'right' },
        { header: 'after PutRecords' },
        { header: 'after GetRecords' },
        { header: 'peak (VmHWM)' },
      ],
      [
        [
          mem(local.memory.idle),
          mem(local.memory.afterWrite),
          mem(local.memory.afterRead),
          local.memory.afterRead ? fmtMiB(local.memory.afterRead.peak) : 'n/a',
        ],
      ],
    );
  }
  printNotes([
    ...runs
      .filter((r) => r.cutOff)
      .map(
        (r) =>
          `${r.label} stopped early, figures are partial (rates over what it did before the cut; its calls get slower as the stream fills): ${r.cutOff}`,
      ),
    ...failures,
    'kinesalite runs inside this process (client and server share one event loop); kinesis-local is a child process on its own CPU',
    ...(leveldb?.diskBytes !== undefined
      ? [`kinesalite LevelDB folder after the run: ${fmtMiB(leveldb.diskBytes)}`]
      : []),
    `caps: kinesalite ${fmtMs(KINESALITE_CAP_MS)} per run, kinesis-local ${fmtMs(KINESIS_LOCAL_CAP_MS)} (write + read)`,
  ]);
}
