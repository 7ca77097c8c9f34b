import { createHash } from 'node:crypto';
import { mulberry32 } from '../tools/random.ts';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';

/**
 * Sits in front of the Kinesis emulator and throttles a share of PutRecords entries the way
 * Kinesis does when a shard is over its limits: the call answers 200 with FailedRecordCount
 * > 0, and each refused entry carries ProvisionedThroughputExceededException. Refused entries
 * are never forwarded, so they are really not written; everything else passes unchanged.
 * kinesalite enforces no throughput limits, so this is how producers' retries get exercised.
 * It can also hold PutRecords calls unanswered, as an endpoint that stops answering mid-call
 * does: held calls are never forwarded (nothing of them is written) and never answered.
 */
export interface FaultProxyOptions {
  /** Where the emulator listens, e.g. http://127.0.0.1:45678. */
  target: string;
  port: number;
  host?: string;
  /** Share of PutRecords entries to refuse, 0..1. */
  throttleRate: number;
  /** Seed of the deterministic choice of refused entries. */
  seed?: number;
}

export interface FaultProxy {
  endpoint: string;
  stats: {
    putRecordsCalls: number;
    entriesForwarded: number;
    entriesThrottled: number;
    callsHeld: number;
  };
  setThrottleRate(rate: number): void;
  /** The next `calls` PutRecords calls get no answer at all (until the proxy closes). */
  holdPutRecords(calls: number): void;
  close(): Promise<void>;
}

interface PutRecordsBody {
  StreamName?: string;
  StreamARN?: string;
  Records?: Array<{ PartitionKey?: string; ExplicitHashKey?: string }>;
}

interface ShardRange {
  shardId: string;
  start: bigint;
  end: bigint;
}

/** The shard Kinesis puts a record in: MD5 of the partition key (or the explicit hash key). */
function shardOf(
  ranges: readonly ShardRange[],
  record: { PartitionKey?: string; ExplicitHashKey?: string },
) {
  const hash =
    record.ExplicitHashKey !== undefined
      ? BigInt(record.ExplicitHashKey)
      : BigInt(
          `0x${createHash('md5')
            .update(record.PartitionKey ?? '', 'utf8')
            .digest('hex')}`,
        );
  return ranges.find((r) => hash >= r.start && hash <= r.end)?.shardId;
}

interface PutRecordsResult {
  FailedRecordCount?: number;
  Records?: Array<Record<string, unknown>>;
  EncryptionType?: string;
}

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const host = options.host ?? '127.0.0.1';
  let rate = options.throttleRate;
  const random = mulberry32(options.seed ?? 1);
  const stats = { putRecordsCalls: 0, entriesForwarded: 0, entriesThrottled: 0, callsHeld: 0 };
  let toHold = 0;

  const forward = (
    req: IncomingMessage,
    body: Buffer,
    amzTarget?: string,
  ): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const headers = {
        ...req.headers,
        ...(amzTarget ? { 'x-amz-target': amzTarget } : {}),
        host: target.host,
        'content-length': String(body.length),
      };
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const outHeaders: Record<string, string> = {};
            for (const [k, v] of Object.entries(res.headers))
              if (typeof v === 'string') outHeaders[k] = v;
            resolve({
              status: res.statusCode ?? 502,
              headers: outHeaders,
              body: Buffer.concat(chunks),
            });
          });
          res.on('error', reject);
        },
      );
      upstream.on('error', reject);
      upstream.end(body);
    });

  /**
   * A call the proxy has nothing to do with (not a PutRecords, or no fault on) is piped through
   * as it streams, without buffering: the proxy can then sit in front of the emulator for the
   * whole life of a stack, so faults can be switched on at run time, at the cost of one
   * loopback hop (docs/reliability.md has the measurement).
   */
  const pipeThrough = (req: IncomingMessage, res: ServerResponse) => {
    const upstream = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, host: target.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      if (res.headersSent) {
        res.destroy(error);
        return;
      }
      res.writeHead(502, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(JSON.stringify({ __type: 'InternalFailure', message: String(error) }));
    });
    req.pipe(upstream);
  };

  const server: Server = createServer((req, res) => {
    const putRecords = String(req.headers['x-amz-target'] ?? '').endsWith('.PutRecords');
    if (!putRecords || (rate <= 0 && toHold <= 0)) {
      pipeThrough(req, res);
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      try {
        const body = Buffer.concat(chunks);
        const isPutRecords = String(req.headers['x-amz-target'] ?? '').endsWith('.PutRecords');
        if (isPutRecords && toHold > 0) {
          toHold -= 1;
          stats.callsHeld += 1;
          return; // no answer: the caller's own timeout must end the call
        }
        const answer =
          isPutRecords && rate > 0 ? await throttled(req, body) : await forward(req, body);
        delete answer.headers['content-length'];
        res.writeHead(answer.status, {
          ...answer.headers,
          'content-length': String(answer.body.length),
        });
        res.end(answer.body);
      } catch (error) {
        res.writeHead(502, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify({ __type: 'InternalFailure', message: String(error) }));
      }
    });
  });

  const shardRanges = new Map<string, Promise<ShardRange[]>>();
  /** The stream's open shards, asked once of the emulator (ListShards). */
  const rangesOf = (req: IncomingMessage, streamName: string) => {
    let ranges = shardRanges.get(streamName);
    if (!ranges) {
      const body = Buffer.from(JSON.stringify({ StreamName: streamName }));
      ranges = forward(req, body, 'Kinesis_20131202.ListShards')
        .then((answer) => {
          const shards =
            (
              JSON.parse(answer.body.toString('utf8')) as {
                Shards?: Array<{
                  ShardId: string;
                  HashKeyRange: { StartingHashKey: string; EndingHashKey: string };
                  SequenceNumberRange?: { EndingSequenceNumber?: string };
                }>;
              }
            ).Shards ?? [];
          return shards
            .filter((shard) => !shard.SequenceNumberRange?.EndingSequenceNumber)
            .map((shard) => ({
              shardId: shard.ShardId,
              start: BigInt(shard.HashKeyRange.StartingHashKey),
              end: BigInt(shard.HashKeyRange.EndingHashKey),
            }));
        })
        .catch(() => []);
      shardRanges.set(streamName, ranges);
    }
    return ranges;
  };

  async function throttled(req: IncomingMessage, body: Buffer) {
    const parsed = JSON.parse(body.toString('utf8')) as PutRecordsBody;
    const records = parsed.Records ?? [];
    const refused = records.map(() => random() < rate);
    const kept = records.filter((_, i) => !refused[i]);
    stats.putRecordsCalls += 1;
    stats.entriesThrottled += records.length - kept.length;
    stats.entriesForwarded += kept.length;

    let upstream: PutRecordsResult = { FailedRecordCount: 0, Records: [] };
    let status = 200;
    let headers: Record<string, string> = { 'content-type': 'application/x-amz-json-1.1' };
    if (kept.length > 0) {
      const answer = await forward(req, Buffer.from(JSON.stringify({ ...parsed, Records: kept })));
      if (answer.status !== 200) return answer; // a whole-call error passes through as it is
      upstream = JSON.parse(answer.body.toString('utf8')) as PutRecordsResult;
      status = answer.status;
      headers = answer.headers;
    }
    const results = upstream.Records ?? [];
    let next = 0;
    const stream =
      parsed.StreamName ?? parsed.StreamARN?.slice(parsed.StreamARN.indexOf(':stream/') + 8) ?? '';
    const ranges = refused.some(Boolean) ? await rangesOf(req, stream) : [];
    // Kinesis's words (PutRecords' documented example): "Rate exceeded for shard
    // shardId-000000000001 in stream exampleStreamName under account 111111111111."
    const merged = refused.map((isRefused, i) =>
      isRefused
        ? {
            ErrorCode: 'ProvisionedThroughputExceededException',
            ErrorMessage: `Rate exceeded for shard ${shardOf(ranges, records[i] ?? {}) ?? 'unknown'} in stream ${stream} under account 000000000000.`,
          }
        : (results[next++] ?? { ErrorCode: 'InternalFailure', ErrorMessage: 'missing result' }),
    );
    const failed = merged.filter((r) => 'ErrorCode' in r).length;
    const out: PutRecordsResult = { ...upstream, FailedRecordCount: failed, Records: merged };
    return { status, headers, body: Buffer.from(JSON.stringify(out)) };
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    endpoint: `http://${host}:${port}`,
    stats,
    setThrottleRate: (value) => {
      rate = value;
    },
    holdPutRecords: (calls) => {
      toHold = calls;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
