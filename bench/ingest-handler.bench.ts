/**
 * Ingest handler throughput against the floor of what any handler must do with the same
 * requests: parse the body, serialise each event, make bytes of it. The writer is an
 * in-memory StreamWriter that acknowledges every entry, so only our code is measured.
 */
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { performance } from 'node:perf_hooks';
import { gzipSync } from 'node:zlib';
import { WriteKeys } from '#shared/ingest/write-keys';
import type {
  EntryOutcome,
  StreamEntry,
  StreamWriter,
} from '#shared/adapters/stream-writer/stream-writer';
import { generateEvents, recordedBatches } from './fixtures.ts';
import {
  fmtFixed,
  fmtInt,
  fmtMs,
  fmtRate,
  fmtRatio,
  printNotes,
  printTable,
  quantile,
} from './table.ts';

const WRITE_KEY = 'local-write-key';
const WARM_UP_MS = 1_000;
const ROUND_MS = 1_000;
const ROUNDS = 5;
const TARGET_RATIO = 0.5;
const PLAIN_BATCH = 'POST /v1/batch (100 events)';
const GZIPPED_BATCH = 'POST /v1/batch gzip (100 events)';

/** Acknowledges every entry, as a healthy stream would, and counts what it was given. */
class AcknowledgingStreamWriter implements StreamWriter {
  entries = 0;
  bytes = 0;
  private sequence = 0;

  async putRecords(entries: readonly StreamEntry[]): Promise<EntryOutcome[]> {
    return entries.map((entry) => {
      this.entries += 1;
      this.bytes += entry.data.byteLength;
      this.sequence += 1;
      return { ok: true, shardId: 'shardId-000000000000', sequenceNumber: String(this.sequence) };
    });
  }
}

interface Request {
  event: APIGatewayProxyEventV2;
  /** The JSON as sent, before any Content-Encoding: what the floor parses. */
  body: string;
  events: number;
}

function apiEvent(routePath: string, body: string, index: number): APIGatewayProxyEventV2 {
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: `POST ${routePath}`,
    rawPath: routePath,
    rawQueryString: '',
    headers: {
      authorization: `Basic ${Buffer.from(`${WRITE_KEY}:`).toString('base64')}`,
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(body)),
      host: '127.0.0.1:3000',
      'user-agent': 'analytics-node-next/latest',
    },
    requestContext: {
      accountId: 'offlineContext_accountId',
      apiId: 'offlineContext_apiId',
      domainName: '127.0.0.1',
      domainPrefix: '127',
      http: {
        method: 'POST',
        path: routePath,
        protocol: 'HTTP/1.1',
        sourceIp: `203.0.113.${(index % 250) + 1}`,
        userAgent: 'analytics-node-next/latest',
      },
      requestId: `bench-${index}`,
      routeKey: `POST ${routePath}`,
      stage: '$default',
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
    body,
    isBase64Encoded: false,
  };
}

const lambdaContext: Context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: 'clickstream-local-ingest',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:clickstream-local-ingest',
  memoryLimitInMB: '512',
  awsRequestId: '6f1b8c2e-0d4a-4a8e-9a51-3c2f6a1d7b90',
  logGroupName: '/aws/lambda/clickstream-local-ingest',
  logStreamName: '2026/11/25/[$LATEST]bench',
  getRemainingTimeInMillis: () => 10_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

/** What no ingest handler can avoid: parse the body, serialise each event to bytes. */
function floor(body: string): { events: number; bytes: number } {
  const parsed = JSON.parse(body) as { batch?: unknown[] };
  const messages = Array.isArray(parsed.batch) ? parsed.batch : [parsed];
  let bytes = 0;
  for (const message of messages) bytes += Buffer.from(JSON.stringify(message), 'utf8').length;
  return { events: messages.length, bytes };
}

interface Tally {
  events: number;
  ms: number;
  roundRates: number[];
}

const newTally = (): Tally => ({ events: 0, ms: 0, roundRates: [] });

function addRound(tally: Tally, events: number, ms: number): void {
  tally.events += events;
  tally.ms += ms;
  tally.roundRates.push((events / ms) * 1000);
}

interface Scenario {
  label: string;
  requests: Request[];
}

function scenarios(): Scenario[] {
  const batch = recordedBatches(1, 200, 100).map((b, i) => ({
    event: apiEvent('/v1/batch', b.body, i),
    body: b.body,
    events: b.events,
  }));
  // The same batches gzipped, as rudder-sdk-node sends them and API Gateway hands them to
  // Lambda: base64 with isBase64Encoded (docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-integrations-lambda.html).
  const gzipped = batch.map((request, i) => {
    const event = apiEvent('/v1/batch', gzipSync(request.body).toString('base64'), i);
    event.headers['content-encoding'] = 'gzip';
    event.headers['content-length'] = String(Buffer.byteLength(event.body ?? '', 'base64'));
    return { ...request, event: { ...event, isBase64Encoded: true } };
  });
  const singles = generateEvents(2, 2_000)
    .filter((e) => e.type === 'track')
    .map((e, i) => {
      const body = JSON.stringify(e);
      return { event: apiEvent('/v1/track', body, i), body, events: 1 };
    });
  return [
    { label: PLAIN_BATCH, requests: batch },
    { label: GZIPPED_BATCH, requests: gzipped },
    { label: 'POST /v1/track (1 event)', requests: singles },
  ];
}

type Handler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<{ statusCode: number; body: string }>;

export async function run(): Promise<void> {
  // The handler module parses its configuration when it is loaded: set it first.
  process.env.STREAM_NAME ??= 'clickstream-bench';
  process.env.INGEST_WRITE_KEYS ??= WRITE_KEY;
  const { makeHandler } = await import('../functions/ingest/handler.ts');
  const writer = new AcknowledgingStreamWriter();
  const handler: Handler = makeHandler({
    writer,
    writeKeys: new WriteKeys([WRITE_KEY]),
    retry: { budgetMs: 3_000, baseDelayMs: 50, maxDelayMs: 1_000 },
  });

  const rows: string[][] = [];
  const latencyRows: string[][] = [];
  const notes: string[] = [];
  const vsFloor = new Map<string, number>();
  for (const scenario of scenarios()) {
    const { requests } = scenario;
    let next = 0;
    const latencies: number[] = [];

    const handlerRound = async (ms: number, record: boolean) => {
      let events = 0;
      const start = performance.now();
      let now = start;
      while (now - start < ms) {
        const request = requests[next++ % requests.length] as Request;
        const response = await handler(request.event, lambdaContext);
        const after = performance.now();
        if (response.statusCode !== 200)
          throw new Error(`handler answered ${response.statusCode}: ${response.body}`);
        if (record) latencies.push(after - now);
        events += request.events;
        now = after;
      }
      return { events, ms: now - start };
    };
    const floorRound = (ms: number) => {
      let events = 0;
      let sink = 0;
      const start = performance.now();
      let now = start;
      for (let i = 0; now - start < ms; i++) {
        const request = requests[i % requests.length] as Request;
        const out = floor(request.body);
        events += out.events;
        sink += out.bytes;
        if ((i & 7) === 7) now = performance.now();
      }
      now = performance.now();
      if (sink === 0) throw new Error('floor serialised nothing');
      return { events, ms: now - start };
    };

    await handlerRound(WARM_UP_MS, false);
    floorRound(WARM_UP_MS);
    const entriesBefore = writer.entries;
    const bytesBefore = writer.bytes;
    const onHandler = newTally();
    const onFloor = newTally();
    for (let round = 0; round < ROUNDS; round++) {
      const h = await handlerRound(ROUND_MS, true);
      addRound(onHandler, h.events, h.ms);
      const f = floorRound(ROUND_MS);
      addRound(onFloor, f.events, f.ms);
    }
    const written = writer.entries - entriesBefore;
    if (written !== onHandler.events)
      throw new Error(`${onHandler.events} events accepted but ${written} written`);

    const floorBytes = requests.reduce((sum, r) => sum + floor(r.body).bytes, 0);
    const floorEvents = requests.reduce((sum, r) => sum + r.events, 0);
    const handlerRate = (onHandler.events / onHandler.ms) * 1000;
    const floorRate = (onFloor.events / onFloor.ms) * 1000;
    const spread = (t: Tally) =>
      `${fmtRate(Math.min(...t.roundRates))}–${fmtRate(Math.max(...t.roundRates))}`;
    rows.push(
      [
        scenario.label,
        'handler',
        fmtInt(onHandler.events),
        fmtRate(handlerRate),
        spread(onHandler),
        fmtInt((writer.bytes - bytesBefore) / written),
        fmtRatio(handlerRate, floorRate),
      ],
      [
        '',
        'floor (baseline)',
        fmtInt(onFloor.events),
        fmtRate(floorRate),
        spread(onFloor),
        fmtInt(floorBytes / floorEvents),
        '1.00×',
      ],
    );
    latencies.sort((a, b) => a - b);
    latencyRows.push([
      scenario.label,
      fmtInt(latencies.length),
      fmtMs(quantile(latencies, 0.5)),
      fmtMs(quantile(latencies, 0.99)),
      fmtMs(latencies[latencies.length - 1] ?? Number.NaN),
    ]);
    const ratio = handlerRate / floorRate;
    vsFloor.set(scenario.label, ratio);
    // Each round pairs a handler second with the floor second after it: the median of those
    // ratios shrugs off a noisy neighbour that slowed one round down.
    const pairRatios = onHandler.roundRates
      .map((rate, i) => rate / (onFloor.roundRates[i] ?? Number.NaN))
      .sort((a, b) => a - b);
    notes.push(
      `${scenario.label}: handler/floor = ${fmtFixed(ratio, 2)} overall, ${fmtFixed(quantile(pairRatios, 0.5), 2)} median of rounds (range ${fmtFixed(pairRatios[0] ?? Number.NaN, 2)}–${fmtFixed(pairRatios[pairRatios.length - 1] ?? Number.NaN, 2)}); target >= ${TARGET_RATIO}: ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'}`,
    );
  }

  // Both batch scenarios are measured against the same floor (parse the plain JSON), so the
  // ratio of their floor ratios is the inflate cost, with each one's noise paired away.
  const gzipVsPlain = (vsFloor.get(GZIPPED_BATCH) ?? Number.NaN) / (vsFloor.get(PLAIN_BATCH) ?? 1);
  notes.push(
    `inflate cost: gzipped /v1/batch runs at ${fmtFixed(gzipVsPlain, 2)}× the plain one's events/s (each against the same plain-JSON floor)`,
  );
  printTable(
    `Ingest handler throughput (${ROUNDS} interleaved rounds of ${ROUND_MS / 1000} s each after ${WARM_UP_MS / 1000} s warm-up, one request at a time)`,
    [
      { header: 'request' },
      { header: 'code path', align: 'left' },
      { header: 'events' },
      { header: 'events/s' },
      { header: 'per-round range' },
      { header: 'bytes/event out' },
      { header: 'vs floor' },
    ],
    rows,
  );
  printTable(
    'Ingest handler latency per request (measured rounds)',
    [
      { header: 'request' },
      { header: 'requests' },
      { header: 'p50' },
      { header: 'p99' },
      { header: 'max' },
    ],
    latencyRows,
  );
  printNotes([
    ...notes,
    'floor = JSON.parse(body) + JSON.stringify(event) + Buffer.from per event, on the same bodies',
    'handler = middy + Powertools context + auth + zod validation + normalisation + retry wrapper, writer acknowledges in memory',
    'bytes/event out: the handler adds receivedAt, corrected timestamp, sentAt and context.ip to each event',
  ]);
}
