import { performance } from 'node:perf_hooks';
import { createGzip, gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { makeHandler } from '../../functions/ingest/handler.ts';
import { WriteKeys } from '../../shared/ingest/write-keys.ts';
import type {
  StreamEntry,
  StreamWriter,
} from '../../shared/adapters/stream-writer/stream-writer.ts';
import { apiRequest, lambdaContext } from '../support/api-events.ts';

/**
 * Compressed bodies at their worst: random bytes that claim a coding, valid streams cut
 * short, and bombs — 1 GiB of zeros gzipped (about 1 MB, well inside API Gateway's 10 MB
 * payload) and gzipped again (under 2 KB, sent as `Content-Encoding: gzip, gzip`). The
 * route's limit applies to what comes out while it comes out, so each is a 400, 413 or 415
 * in bounded time and memory, never a 500: the process's peak RSS (getrusage's maxrss,
 * which only grows) and its heap stay within a few MB of where they were.
 */
const GIB = 1024 ** 3;
const ROUTES = ['/v1/batch', '/v1/track', '/v1/page', '/v1/identify', '/events'];
const REFUSALS = new Set([400, 413, 415]);

const written: StreamEntry[] = [];
const writer: StreamWriter = {
  putRecords: async (entries) => {
    written.push(...entries);
    return entries.map(() => ({ ok: true as const }));
  },
};
const handler = makeHandler({
  writer,
  writeKeys: new WriteKeys(['test-key']),
  retry: { budgetMs: 0, baseDelayMs: 1, maxDelayMs: 1 },
});

async function post(path: string, bytes: Buffer, encoding: string) {
  const request = apiRequest(path, bytes.toString('base64'), {
    raw: true,
    headers: { 'content-encoding': encoding },
  });
  request.isBase64Encoded = true; // as API Gateway hands a compressed body to Lambda
  const start = performance.now();
  const response = await handler(request, lambdaContext);
  const ms = performance.now() - start;
  return { ...response, ms, error: (JSON.parse(response.body) as { error?: string }).error };
}

/** 1 GiB of zeros through gzip in 1 MiB writes, so building the bomb costs no memory either. */
async function gzippedGiB(): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gzip.on('data', (chunk: Buffer) => out.push(chunk));
  const zeros = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < GIB; written += zeros.length)
    if (!gzip.write(zeros)) await new Promise((resolve) => gzip.once('drain', resolve));
  await new Promise((resolve) => gzip.end(resolve));
  return Buffer.concat(out);
}

const peakRssBytes = () => process.resourceUsage().maxRSS * 1024;
const heapBytes = () => {
  const { heapUsed, external } = process.memoryUsage();
  return heapUsed + external;
};

let oneLayer: Buffer;
let twoLayers: Buffer;
beforeAll(async () => {
  oneLayer = await gzippedGiB();
  twoLayers = gzipSync(oneLayer, { level: 9 });
}, 60_000);

describe('decompression bombs: refused while inflating, in bounded time and memory', () => {
  test('the bombs are what they claim: about 1 MB and under 2 KB for 1 GiB inflated', () => {
    expect(oneLayer.length).toBeLessThan(1.1 * 1024 * 1024);
    expect(twoLayers.length).toBeLessThan(2_048);
  });

  test.each(ROUTES)(
    '%s: a ~2 KB body (gzip, gzip) and a ~1 MB body (gzip) that inflate to 1 GiB are 413s, peak RSS +<64 MB',
    async (path) => {
      const rssBefore = peakRssBytes();
      const heapBefore = heapBytes();
      const answers = [
        await post(path, twoLayers, 'gzip, gzip'),
        await post(path, oneLayer, 'gzip'),
        await post(path, oneLayer, 'x-gzip, identity'),
      ];
      for (const answer of answers) {
        expect(answer.statusCode).toBe(413);
        expect(answer.error).toMatch(/inflates to more than [\d,]+ bytes/);
        expect(answer.ms).toBeLessThan(2_000);
      }
      // Inflating the whole GiB would raise the peak by 1 GiB (2 GiB with the copy): the cap
      // stops zlib at the route's limit (500 KB or 32 KB), so the peak barely moves.
      expect(peakRssBytes() - rssBefore).toBeLessThan(64 * 1024 * 1024);
      expect(heapBytes() - heapBefore).toBeLessThan(32 * 1024 * 1024);
    },
  );
});

describe('fuzz: random and truncated compressed streams', () => {
  const event = (i: number) => ({
    type: 'track',
    event: 'Product Viewed',
    anonymousId: `a-${i}`,
    properties: { product_id: `p-${i}`, price: i },
  });

  test('random bytes labelled gzip or deflate are a 400 that says corrupt or truncated (or 413/415), never a 500', async () => {
    const seen = new Set<number>();
    const rssBefore = peakRssBytes();
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 8_000 }),
        fc.constantFrom('gzip', 'x-gzip', 'deflate', 'gzip, gzip', 'deflate, gzip'),
        fc.constantFrom(...ROUTES),
        async (bytes, encoding, path) => {
          const answer = await post(path, Buffer.from(bytes), encoding);
          seen.add(answer.statusCode);
          expect(REFUSALS.has(answer.statusCode) || answer.statusCode === 200).toBe(true);
          if (answer.statusCode === 400) expect(answer.error).toMatch(/corrupt or truncated|JSON/);
          expect(answer.ms).toBeLessThan(1_000);
        },
      ),
      { numRuns: 500 },
    );
    expect(seen).toContain(400);
    expect(peakRssBytes() - rssBefore).toBeLessThan(64 * 1024 * 1024);
  }, 60_000);

  test('every strict prefix of a valid gzip batch is a 400 naming a truncated stream, and nothing is written', async () => {
    const whole = gzipSync(JSON.stringify({ batch: [0, 1, 2, 3, 4].map(event) }));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: whole.length - 1 }), async (cut) => {
        written.length = 0;
        const answer = await post('/v1/batch', whole.subarray(0, Math.max(1, cut)), 'gzip');
        expect(answer.statusCode).toBe(400);
        expect(answer.error).toMatch(/not valid gzip data .*corrupt or truncated/);
        expect(written).toHaveLength(0);
      }),
      { numRuns: 200 },
    );
    // ...while the whole stream is read and written, once per event.
    written.length = 0;
    const answer = await post('/v1/batch', whole, 'gzip');
    expect(answer.statusCode).toBe(200);
    expect(written).toHaveLength(5);
  });

  test('an unknown coding is a 415 that names the ones accepted, before anything is inflated', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('br', 'compress', 'zstd', 'gzip, br', 'x-custom'),
        async (encoding) => {
          const answer = await post('/v1/batch', twoLayers, encoding);
          expect(answer.statusCode).toBe(415);
          expect(answer.error).toMatch(/gzip or deflate/);
        },
      ),
    );
  });
});
