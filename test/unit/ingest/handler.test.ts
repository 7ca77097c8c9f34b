import { gzipSync } from 'node:zlib';
import { makeHandler } from '../../../functions/ingest/handler.ts';
import { WriteKeys } from '../../../shared/ingest/write-keys.ts';
import { apiRequest, lambdaContext } from '../../support/api-events.ts';
import { MemoryStream } from '../../support/memory-stream.ts';

function setup() {
  const stream = new MemoryStream();
  let n = 0;
  const handler = makeHandler({
    writer: stream,
    writeKeys: new WriteKeys(['test-key', 'second-key']),
    retry: { budgetMs: 100, baseDelayMs: 1, maxDelayMs: 1 },
    newMessageId: () => `generated-${++n}`,
  });
  const call = async (...args: Parameters<typeof apiRequest>) => {
    const response = await handler(apiRequest(...args), lambdaContext);
    return {
      status: response.statusCode,
      body: JSON.parse(response.body) as Record<string, unknown>,
      headers: response.headers,
    };
  };
  return { stream, call };
}

describe('ingest handler routes', () => {
  test('/v1/track forces type track, keeps the client messageId and partitions by anonymousId', async () => {
    const { stream, call } = setup();
    const answer = await call('/v1/track', {
      type: 'page',
      event: 'Cart Viewed',
      anonymousId: 'a-1',
      messageId: 'm-1',
    });
    expect(answer).toMatchObject({ status: 200, body: { success: true } });
    expect(stream.records()).toEqual([
      expect.objectContaining({ type: 'track', event: 'Cart Viewed', messageId: 'm-1' }),
    ]);
    expect(stream.entries[0]?.partitionKey).toBe('a-1');
  });

  test('/v1/identify with only a userId partitions by userId and keeps traits', async () => {
    const { stream, call } = setup();
    const answer = await call('/v1/identify', { userId: 42, traits: { plan: 'gold' } });
    expect(answer.status).toBe(200);
    expect(stream.records()[0]).toMatchObject({
      type: 'identify',
      userId: '42',
      traits: { plan: 'gold' },
      messageId: 'generated-1',
    });
    expect(stream.entries[0]?.partitionKey).toBe('42');
  });

  test('/v1/page keeps the page name and category', async () => {
    const { stream, call } = setup();
    await call('/v1/page', {
      anonymousId: 'a',
      name: 'Shoes',
      category: 'Catalog',
      properties: { url: 'https://s.example/shoes' },
    });
    expect(stream.records()[0]).toMatchObject({ type: 'page', name: 'Shoes', category: 'Catalog' });
  });

  test('/v1/batch applies batch-level context and sentAt to events without their own', async () => {
    const { stream, call } = setup();
    const answer = await call('/v1/batch', {
      sentAt: '2026-11-25T10:00:10.000Z',
      context: { library: { name: 'analytics.js' }, locale: 'de-DE' },
      batch: [
        {
          type: 'track',
          event: 'Product Viewed',
          anonymousId: 'a',
          timestamp: '2026-11-25T10:00:00.000Z',
          properties: { product_id: 'p' },
        },
        { type: 'page', anonymousId: 'a', context: { locale: 'fr-FR' } },
      ],
    });
    expect(answer.status).toBe(200);
    const [first, second] = stream.records();
    expect(first?.context).toEqual({
      library: { name: 'analytics.js' },
      locale: 'de-DE',
      ip: '203.0.113.7',
    });
    expect(second?.context).toMatchObject({ locale: 'fr-FR' });
    expect(first?.sentAt).toBe('2026-11-25T10:00:10.000Z');
    // Ten seconds between the event and its sending, whatever the client's clock said.
    expect(Date.parse(String(first?.receivedAt)) - Date.parse(String(first?.timestamp))).toBe(
      10_000,
    );
  });

  test('/events takes one event or an array, a missing type meaning track', async () => {
    const { stream, call } = setup();
    expect((await call('/events', { event: 'Signed Up', userId: 'u' })).status).toBe(200);
    expect(
      (
        await call('/events', [
          { event: 'A', userId: 'u' },
          { type: 'page', userId: 'u' },
        ])
      ).status,
    ).toBe(200);
    expect(stream.records().map((r) => r.type)).toEqual(['track', 'track', 'page']);
  });

  test('the write key may come in the body, and any configured key is accepted', async () => {
    const { call } = setup();
    expect(
      (
        await call(
          '/v1/batch',
          { writeKey: 'second-key', batch: [{ type: 'page', userId: 'u' }] },
          { writeKey: null },
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await call(
          '/v1/batch',
          { writeKey: 'nope', batch: [{ type: 'page', userId: 'u' }] },
          { writeKey: null },
        )
      ).status,
    ).toBe(401);
    expect(
      (await call('/v1/batch', { batch: [{ type: 'page', userId: 'u' }] }, { writeKey: null }))
        .status,
    ).toBe(401);
  });

  test.each([
    ['/v1/t', 'track'],
    ['/v1/p', 'page'],
    ['/v1/s', 'screen'],
    ['/v1/i', 'identify'],
    ['/v1/g', 'group'],
    ['/v1/a', 'alias'],
  ])("analytics.js's short path %s is the %s route (type set by the route)", async (path, type) => {
    const { stream, call } = setup();
    const answer = await call(path, {
      type: 'track',
      event: 'x',
      anonymousId: 'a-1',
      userId: 'u-1',
      previousId: 'a-1',
      groupId: 'g-1',
    });
    expect(answer).toMatchObject({ status: 200, body: { success: true } });
    expect(stream.records()).toEqual([expect.objectContaining({ type })]);
  });

  test("analytics.js's /v1/b and RudderStack's /beacon/v1/batch take a batch with its limit", async () => {
    const { stream, call } = setup();
    for (const path of ['/v1/b', '/beacon/v1/batch']) {
      const answer = await call(path, {
        batch: [{ type: 'page', anonymousId: 'a', name: 'Home' }],
      });
      expect(answer).toMatchObject({ status: 200, body: { success: true } });
    }
    expect(stream.records().map((r) => r.type)).toEqual(['page', 'page']);
    // 40 KB of body: the batch route's 500 KB applies (a 32 KB route would answer 413).
    const page = { type: 'page', anonymousId: 'a', properties: { note: 'x'.repeat(20_000) } };
    const answer = await call('/v1/b', { batch: [page, page] });
    expect(answer).toMatchObject({ status: 200, body: { success: true } });
  });

  test('a beacon carries the write key in the query string, checked like the header', async () => {
    const { stream } = setup();
    const beacon = (query: string) => {
      const request = apiRequest(
        '/beacon/v1/batch',
        { batch: [{ type: 'track', event: 'Page Unloaded', anonymousId: 'a' }] },
        { writeKey: null, contentType: 'text/plain;charset=UTF-8' },
      );
      request.rawQueryString = query;
      return handler(request, lambdaContext);
    };
    const handler = makeHandler({
      writer: stream,
      writeKeys: new WriteKeys(['test-key']),
      retry: { budgetMs: 100, baseDelayMs: 1, maxDelayMs: 1 },
    });
    expect((await beacon('writeKey=test-key')).statusCode).toBe(200);
    expect((await beacon('writeKey=wrong')).statusCode).toBe(401);
    expect((await beacon('other=1')).statusCode).toBe(401);
    expect(stream.entries).toHaveLength(1);
  });

  test('a wrong key in the header is refused even when the body has a right one', async () => {
    const { stream, call } = setup();
    const answer = await call(
      '/v1/batch',
      { writeKey: 'test-key', batch: [{ type: 'page', userId: 'u' }] },
      { writeKey: 'bad' },
    );
    expect(answer.status).toBe(401);
    expect(answer.headers?.['www-authenticate']).toMatch(/^Basic/);
    expect(stream.entries).toHaveLength(0);
  });

  test.each([
    ['an unknown route', '/v1/merge', { userId: 'u' }, 404, /no ingest route at \/v1\/merge/],
    [
      'a batch that is not an array',
      '/v1/batch',
      { batch: {} },
      400,
      /takes \{"batch": \[ \.\.\.events \]\}/,
    ],
    ['an empty batch', '/v1/batch', { batch: [] }, 400, /batch is empty/],
    [
      'a bad batch-level sentAt',
      '/v1/batch',
      { sentAt: 'yesterday', batch: [{ type: 'page', userId: 'u' }] },
      400,
      /sentAt must be an ISO-8601 date-time/,
    ],
    [
      'an array on a single-event route',
      '/v1/track',
      [{ event: 'x' }],
      400,
      /\/v1\/track takes one JSON object \(got an array\)/,
    ],
    ['an empty /events array', '/events', [], 400, /the array of events is empty/],
  ])('%s is a %i with a reason', async (_name, path, body, status, reason) => {
    const { stream, call } = setup();
    const answer = await call(path, body);
    expect(answer.status).toBe(status);
    expect(String(answer.body.error)).toMatch(reason);
    expect(stream.entries).toHaveLength(0);
  });

  test('an event over 32 KB inside a batch is a bad row; its neighbours are written', async () => {
    const { stream, call } = setup();
    const big = {
      type: 'track',
      event: 'Big',
      userId: 'u',
      messageId: 'big',
      properties: { blob: 'x'.repeat(40_000) },
    };
    const answer = await call('/v1/batch', { batch: [{ type: 'page', userId: 'u' }, big] });
    expect(answer.status).toBe(200);
    expect(answer.body.rejected).toEqual([
      {
        index: 1,
        messageId: 'big',
        reasons: [
          expect.stringMatching(
            /^event is 40,\d{3} bytes as stored; the limit is 33,792 bytes \(32 KB as sent, plus 1 KB for the fields added on receipt\)$/,
          ),
        ],
      },
    ]);
    const bad = stream.records().find((r) => r.type === 'rejected');
    expect(bad).toMatchObject({ messageId: 'big', payloadTruncated: true });
    expect(String(bad?.payload)).toHaveLength(32 * 1024);
  });

  test('the per-event limit is exact: 33,792 bytes as stored is written, one byte more is a bad row', async () => {
    const eventWithBlob = (n: number) => ({
      type: 'track',
      event: 'Big',
      userId: 'u',
      messageId: 'edge',
      timestamp: '2026-11-25T10:00:00.000Z',
      properties: { blob: 'x'.repeat(n) },
    });
    const probe = setup();
    await probe.call('/v1/batch', { batch: [eventWithBlob(1_000)] });
    const overhead = (probe.stream.entries[0]?.data.byteLength ?? 0) - 1_000;
    const fits = 33 * 1024 - overhead;

    const atLimit = setup();
    const ok = await atLimit.call('/v1/batch', { batch: [eventWithBlob(fits)] });
    expect(ok.body).toEqual({ success: true });
    expect(atLimit.stream.entries[0]?.data.byteLength).toBe(33 * 1024);

    const over = setup();
    const refused = await over.call('/v1/batch', { batch: [eventWithBlob(fits + 1)] });
    expect(refused.status).toBe(400);
    expect(over.stream.records()[0]).toMatchObject({ type: 'rejected', messageId: 'edge' });
  });
});

describe('compressed bodies (API Gateway hands them over base64-encoded)', () => {
  const gzipEvent = (path: string, body: unknown, encoding = 'gzip') => {
    const event = apiRequest(path, body, { headers: { 'Content-Encoding': encoding } });
    event.body = gzipSync(JSON.stringify(body)).toString('base64');
    event.isBase64Encoded = true;
    return event;
  };

  test('a gzipped /v1/batch with a mixed-case Content-Encoding header writes every event once', async () => {
    const { stream } = setup();
    const handler = makeHandler({
      writer: stream,
      writeKeys: new WriteKeys(['test-key']),
      retry: { budgetMs: 100, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const batch = Array.from({ length: 50 }, (_, i) => ({
      type: 'track',
      event: 'Product Viewed',
      properties: { product_id: `p-${i}` },
      anonymousId: `a-${i}`,
      messageId: `m-${i}`,
    }));
    const response = await handler(gzipEvent('/v1/batch', { batch }), lambdaContext);
    expect(response.statusCode).toBe(200);
    expect(stream.records().map((r) => r.messageId)).toEqual(batch.map((m) => m.messageId));
  });

  test('an unknown Content-Encoding is a 415 with the reason, and nothing is written', async () => {
    const { stream } = setup();
    const handler = makeHandler({
      writer: stream,
      writeKeys: new WriteKeys(['test-key']),
      retry: { budgetMs: 100, baseDelayMs: 1, maxDelayMs: 1 },
    });
    const response = await handler(
      gzipEvent('/v1/track', { event: 'x', anonymousId: 'a' }, 'br'),
      lambdaContext,
    );
    expect(response.statusCode).toBe(415);
    expect(response.body).toContain('gzip or deflate');
    expect(stream.entries).toEqual([]);
  });
});
