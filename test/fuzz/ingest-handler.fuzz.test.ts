import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { makeHandler } from '../../functions/ingest/handler.ts';
import { ECOMMERCE_EVENTS } from '../../shared/event-contract/ecommerce.ts';
import { WriteKeys } from '../../shared/ingest/write-keys.ts';
import { mulberry32 } from '../../tools/random.ts';
import type {
  EntryOutcome,
  StreamEntry,
  StreamWriter,
} from '../../shared/adapters/stream-writer/stream-writer.ts';
import { apiRequest, lambdaContext } from '../support/api-events.ts';

/** Acknowledges or refuses entries as told, and keeps what it acknowledged. */
class MemoryStream implements StreamWriter {
  readonly written: StreamEntry[] = [];
  constructor(private readonly refuse: () => boolean = () => false) {}
  async putRecords(entries: readonly StreamEntry[]): Promise<EntryOutcome[]> {
    return entries.map((entry) => {
      if (this.refuse())
        return {
          ok: false,
          errorCode: 'ProvisionedThroughputExceededException',
          errorMessage: 'slow down',
        };
      this.written.push(entry);
      return { ok: true };
    });
  }
}

const ALLOWED = new Set([200, 400, 401, 404, 413, 415, 503]);
const ROUTES = [
  '/v1/batch',
  '/v1/import',
  '/v1/track',
  '/v1/page',
  '/v1/screen',
  '/v1/identify',
  '/v1/group',
  '/v1/alias',
  '/events',
  '/v1/merge',
  '/',
];
const CONTENT_TYPES = [
  'application/json',
  'text/plain;charset=UTF-8',
  'application/x-www-form-urlencoded',
  '',
  'application/vnd.api+json',
];

const protoKeys = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString');
const jsonish = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.jsonValue(),
    fc.string({ maxLength: 2_000, unit: 'binary' }),
    fc.dictionary(fc.oneof(fc.string(), protoKeys), tie('value'), { maxKeys: 6 }),
    fc.array(tie('value'), { maxLength: 6 }),
  ),
})).value;

const eventLike = fc.record(
  {
    type: fc.oneof(
      fc.constantFrom('track', 'page', 'screen', 'identify', 'group', 'alias', 'rejected'),
      jsonish,
    ),
    event: fc.oneof(fc.constantFrom(...ECOMMERCE_EVENTS), fc.string(), jsonish),
    messageId: fc.oneof(fc.uuid(), fc.string({ maxLength: 300 }), jsonish),
    anonymousId: fc.oneof(fc.string({ maxLength: 300 }), fc.integer(), jsonish),
    userId: fc.oneof(fc.string({ maxLength: 20 }), jsonish),
    previousId: fc.oneof(fc.string({ maxLength: 300 }), fc.integer(), jsonish),
    groupId: fc.oneof(fc.string({ maxLength: 300 }), jsonish),
    timestamp: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      fc.string(),
      jsonish,
    ),
    sentAt: fc.oneof(
      fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
      jsonish,
    ),
    properties: fc.oneof(
      fc.record(
        {
          product_id: fc.oneof(fc.string(), fc.integer(), jsonish),
          price: fc.oneof(fc.double(), fc.string(), jsonish),
          quantity: fc.oneof(fc.integer(), fc.double(), jsonish),
          currency: fc.oneof(fc.constantFrom('USD', 'eur', 'dollars'), jsonish),
          products: fc.oneof(
            fc.array(fc.record({ product_id: fc.string(), price: fc.double() })),
            jsonish,
          ),
          __proto__: jsonish,
        },
        { requiredKeys: [] },
      ),
      jsonish,
    ),
    context: fc.oneof(
      fc.record({ ip: fc.ipV4(), userAgent: fc.string() }),
      fc.record(
        {
          app: fc.oneof(fc.record({ version: fc.string(), build: fc.integer() }), jsonish),
          device: fc.oneof(fc.record({ model: fc.string(), type: fc.string() }), jsonish),
          os: fc.oneof(fc.record({ name: fc.string(), version: jsonish }), jsonish),
          network: fc.oneof(fc.record({ wifi: fc.boolean(), carrier: fc.string() }), jsonish),
          screen: fc.oneof(fc.record({ width: fc.double(), density: jsonish }), jsonish),
        },
        { requiredKeys: [] },
      ),
      jsonish,
    ),
  },
  { requiredKeys: [] },
);

/** Events the API accepts, so the write path (and its throttled 503) is exercised, not only refusals. */
const wellFormed = fc.record({
  type: fc.constant('track'),
  event: fc.constantFrom('Product Viewed', 'Signed Up', 'Video Played'),
  messageId: fc.uuid(),
  anonymousId: fc.string({ minLength: 1, maxLength: 64 }),
  properties: fc.record({
    product_id: fc.string({ minLength: 1, maxLength: 20 }),
    price: fc.integer({ min: 0, max: 100_000 }).map((cents) => cents / 100),
  }),
});

const body = fc.oneof(
  {
    arbitrary: fc
      .array(wellFormed, { minLength: 1, maxLength: 20 })
      .map((batch) => JSON.stringify({ batch })),
    weight: 3,
  },
  fc
    .array(fc.oneof(wellFormed, eventLike), { maxLength: 20 })
    .map((batch) => JSON.stringify({ batch })),
  wellFormed.map((e) => JSON.stringify(e)),
  eventLike.map((e) => JSON.stringify(e)),
  fc.array(eventLike, { maxLength: 30 }).map((batch) => JSON.stringify({ batch })),
  fc.array(eventLike, { maxLength: 30 }).map((events) => JSON.stringify(events)),
  jsonish.map((value) => JSON.stringify(value) ?? 'null'),
  fc.string({ maxLength: 3_000, unit: 'binary' }),
  fc
    .integer({ min: 1, max: 60_000 })
    .map((depth) => `{"batch":[${'['.repeat(depth)}${']'.repeat(depth)}]}`),
  fc
    .integer({ min: 1, max: 20_000 })
    .map(
      (depth) =>
        `{"event":"e","anonymousId":"a","properties":{"p":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}}`,
    ),
  fc.integer({ min: 0, max: 700_000 }).map((n) =>
    JSON.stringify({
      batch: [{ type: 'track', event: 'x', anonymousId: 'a', properties: { s: 'x'.repeat(n) } }],
    }),
  ),
);

/** How many messages a request carries, as the API reads them. */
function messageCount(path: string, raw: string): number {
  const value = JSON.parse(raw) as unknown;
  if (path === '/v1/batch' || path === '/v1/import')
    return (value as { batch: unknown[] }).batch.length;
  if (path === '/events' && Array.isArray(value)) return value.length;
  return 1;
}

describe('fuzz: no input crashes the ingest handler', () => {
  afterAll(() => {
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  test('every request gets 200, a 4xx with a reason, or 503; 200 means every accepted event and bad row was written', async () => {
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(
        // Weighted toward requests that get past the route, content-type and key checks,
        // so the deeper paths (writes, partial refusals, 503) are reached often.
        fc.oneof({ arbitrary: fc.constant('/v1/batch'), weight: 4 }, fc.constantFrom(...ROUTES)),
        body,
        fc.oneof(
          { arbitrary: fc.constant('application/json'), weight: 3 },
          fc.constantFrom(...CONTENT_TYPES),
        ),
        fc.oneof(
          { arbitrary: fc.constant('test-key'), weight: 3 },
          fc.constantFrom<string | null>('wrong', null),
        ),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer(),
        async (path, raw, contentType, writeKey, refuseRate, refusalSeed) => {
          // Refusals come from a generated seed, so a counterexample replays exactly.
          const random = mulberry32(refusalSeed);
          const stream = new MemoryStream(() => random() < refuseRate * 0.5);
          const handler = makeHandler({
            writer: stream,
            writeKeys: new WriteKeys(['test-key']),
            retry: { budgetMs: 0, baseDelayMs: 1, maxDelayMs: 1 },
          });
          const response = await handler(
            apiRequest(path, raw, { writeKey, contentType, raw: true }),
            lambdaContext,
          );
          expect(ALLOWED.has(response.statusCode)).toBe(true);
          const answer = JSON.parse(response.body) as {
            success: boolean;
            error?: string;
            accepted?: number;
            rejected?: unknown[];
          };
          expect(typeof answer.success).toBe('boolean');
          if (response.statusCode >= 400) expect(answer.error).toEqual(expect.any(String));
          seen.add(response.statusCode);
          if (response.statusCode === 200) {
            // Every message of the request is on the stream exactly once: as an event or a bad row.
            expect(stream.written).toHaveLength(messageCount(path, raw));
            expect(stream.written.length).toBe(
              (answer.accepted ?? stream.written.length) + (answer.rejected?.length ?? 0),
            );
            for (const entry of stream.written) {
              const record = JSON.parse(Buffer.from(entry.data).toString('utf8')) as {
                messageId: unknown;
              };
              expect(typeof record.messageId).toBe('string');
              expect(entry.partitionKey.length).toBeGreaterThan(0);
              expect(entry.partitionKey.length).toBeLessThanOrEqual(256);
            }
          }
        },
      ),
      { numRuns: 400 },
    );
    // The generator reaches every kind of answer, or this test proves less than it claims.
    for (const status of [200, 400, 401, 404, 413, 415, 503]) expect(seen).toContain(status);
  }, 120_000);

  test('arbitrary bytes, base64-encoded as API Gateway sends binary bodies, never crash the handler', async () => {
    const handler = makeHandler({
      writer: new MemoryStream(),
      writeKeys: new WriteKeys(['test-key']),
      retry: { budgetMs: 0, baseDelayMs: 1, maxDelayMs: 1 },
    });
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ maxLength: 4_000 }),
        fc.constantFrom(...ROUTES),
        async (bytes, path) => {
          const request = apiRequest(path, Buffer.from(bytes).toString('base64'), { raw: true });
          request.isBase64Encoded = true;
          const response = await handler(request, lambdaContext);
          expect(ALLOWED.has(response.statusCode)).toBe(true);
          expect(() => JSON.parse(response.body)).not.toThrow();
        },
      ),
      { numRuns: 300 },
    );
  });

  test('compressed bodies: arbitrary, truncated or bit-flipped gzip/deflate streams get a 2xx/4xx with a reason, never a 500', async () => {
    const handler = makeHandler({
      writer: new MemoryStream(),
      writeKeys: new WriteKeys(['test-key']),
      retry: { budgetMs: 0, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const seen = new Set<number>();
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 2_000 }).map((bytes) => Buffer.from(bytes)),
          fc
            .tuple(fc.array(eventLike, { maxLength: 5 }), fc.nat(), fc.nat(255))
            .map(([batch, cut, flip]) => {
              const whole = gzipSync(JSON.stringify({ batch }));
              const damaged = Buffer.from(whole.subarray(0, 1 + (cut % whole.length)));
              const at = cut % damaged.length;
              damaged[at] = (damaged[at] ?? 0) ^ flip;
              return damaged;
            }),
          fc.array(eventLike, { maxLength: 5 }).map((batch) => gzipSync(JSON.stringify({ batch }))),
          // A bomb: a few hundred bytes that inflate far past every route's limit.
          fc.nat(4).map((n) => gzipSync(Buffer.alloc((n + 1) * 1024 * 1024, 0x20))),
        ),
        fc.constantFrom('gzip', 'deflate', 'gzip, deflate', 'br', 'identity'),
        fc.constantFrom(...ROUTES),
        async (bytes, encoding, path) => {
          const request = apiRequest(path, bytes.toString('base64'), {
            raw: true,
            headers: { 'content-encoding': encoding },
          });
          request.isBase64Encoded = true;
          const response = await handler(request, lambdaContext);
          seen.add(response.statusCode);
          expect(ALLOWED.has(response.statusCode)).toBe(true);
          const body = JSON.parse(response.body) as { error?: string };
          if (response.statusCode >= 400) expect(body.error).toEqual(expect.any(String));
        },
      ),
      { numRuns: 400 },
    );
    for (const status of [400, 413, 415]) expect(seen).toContain(status);
  }, 120_000);
});
