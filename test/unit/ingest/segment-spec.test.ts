import { ingestOverMemory } from '../../support/memory-stream.ts';

/**
 * The Segment Spec's six calls at the API: screen, group and alias beside track, page and
 * identify, on their own routes, inside /v1/batch, /v1/import and /events.
 */
const screen = {
  anonymousId: 'anon-1',
  name: 'Product Detail',
  properties: { product_id: 'p-1' },
  context: {
    app: { name: 'Shop', version: '3.2.1', build: '321', namespace: 'com.example.shop' },
    device: { id: 'dev-1', manufacturer: 'Apple', model: 'iPhone15,2', type: 'ios' },
    os: { name: 'iOS', version: '17.1' },
    library: { name: 'analytics-swift', version: '1.5.0' },
  },
};
const group = { userId: 'u-1', groupId: 'acct-7', traits: { name: 'Initech', employees: 420 } };
const alias = { previousId: 'anon-1', userId: 'u-1' };

describe('the Segment Spec calls beyond track, page and identify', () => {
  test('POST /v1/screen writes a screen with its name, properties and app/device/os context', async () => {
    const { stream, call } = ingestOverMemory();
    expect(await call('/v1/screen', screen)).toMatchObject({ status: 200 });
    expect(stream.records()).toEqual([
      expect.objectContaining({
        type: 'screen',
        name: 'Product Detail',
        properties: { product_id: 'p-1' },
        context: expect.objectContaining({ app: screen.context.app, os: screen.context.os }),
      }),
    ]);
  });

  test('POST /v1/group writes groupId and the group traits', async () => {
    const { stream, call } = ingestOverMemory();
    expect(await call('/v1/group', group)).toMatchObject({ status: 200 });
    expect(stream.records()).toEqual([
      expect.objectContaining({ type: 'group', groupId: 'acct-7', traits: group.traits }),
    ]);
    expect(stream.entries[0]?.partitionKey).toBe('u-1');
  });

  test('POST /v1/alias writes previousId and userId', async () => {
    const { stream, call } = ingestOverMemory();
    expect(await call('/v1/alias', alias)).toMatchObject({ status: 200 });
    expect(stream.records()).toEqual([
      expect.objectContaining({ type: 'alias', previousId: 'anon-1', userId: 'u-1' }),
    ]);
  });

  test.each([
    ['/v1/alias', { userId: 'u-1' }, 'previousId is required'],
    ['/v1/alias', { previousId: 'anon-1', anonymousId: 'anon-1' }, 'userId is required'],
    ['/v1/group', { userId: 'u-1' }, 'groupId is required'],
    ['/v1/screen', { name: 'Home' }, 'anonymousId or userId is required'],
  ])('%s %j is a 400 with the reason', async (path, body, reason) => {
    const { stream, call } = ingestOverMemory();
    const answer = await call(path, body);
    expect(answer.status).toBe(400);
    expect(answer.body.rejected).toEqual([expect.objectContaining({ reasons: [reason] })]);
    // The refused event is kept as a bad row, as for every other call.
    expect(stream.records()).toEqual([expect.objectContaining({ type: 'rejected' })]);
  });

  test('a /v1/batch holds every call of the Spec, each written once; a bad one does not sink the rest', async () => {
    const { stream, call } = ingestOverMemory();
    const answer = await call('/v1/batch', {
      batch: [
        { type: 'track', event: 'Signed Up', userId: 'u-1' },
        { type: 'page', anonymousId: 'anon-1', name: 'Home' },
        { type: 'screen', ...screen },
        { type: 'identify', userId: 'u-1', anonymousId: 'anon-1', traits: { plan: 'pro' } },
        { type: 'group', ...group },
        { type: 'alias', ...alias },
        { type: 'alias', userId: 'u-2' },
      ],
    });
    expect(answer).toMatchObject({
      status: 200,
      body: { accepted: 6, rejected: [{ index: 6, reasons: ['previousId is required'] }] },
    });
    expect(stream.records().map((r) => r.type)).toEqual([
      'track',
      'page',
      'screen',
      'identify',
      'group',
      'alias',
      'rejected',
    ]);
  });

  test('/events takes the new types too (a missing type still means track)', async () => {
    const { stream, call } = ingestOverMemory();
    const answer = await call('/events', [
      { type: 'screen', anonymousId: 'a', name: 'Cart' },
      { type: 'alias', previousId: 'a', userId: 'u' },
      { event: 'Cart Viewed', anonymousId: 'a' },
    ]);
    expect(answer.status).toBe(200);
    expect(stream.records().map((r) => r.type)).toEqual(['screen', 'alias', 'track']);
  });
});

describe('/v1/import: historical data, as Segment documents it', () => {
  test('takes the batch body and keeps past timestamps as they are, however old', async () => {
    const { stream, call } = ingestOverMemory();
    const answer = await call('/v1/import', {
      batch: [
        {
          type: 'identify',
          userId: 'u-1',
          traits: { plan: 'pro' },
          timestamp: '2012-12-02T00:30:08.276Z',
        },
        { type: 'track', userId: 'u-1', event: 'Signed Up', timestamp: '2015-02-02T00:30:12.984Z' },
      ],
    });
    expect(answer.status).toBe(200);
    expect(stream.records().map((r) => r.timestamp)).toEqual([
      '2012-12-02T00:30:08.276Z',
      '2015-02-02T00:30:12.984Z',
    ]);
  });

  test("has /v1/batch's shape and refusals", async () => {
    const { call } = ingestOverMemory();
    expect(await call('/v1/import', { batch: {} })).toMatchObject({
      status: 400,
      body: { error: expect.stringMatching(/\/v1\/import takes \{"batch": \[ \.\.\.events \]\}/) },
    });
    expect(await call('/v1/import', { batch: [] })).toMatchObject({ status: 400 });
  });

  test("has /v1/batch's 500 KB limit, not the 32 KB of a single call", async () => {
    const { stream, call } = ingestOverMemory();
    const events = Array.from({ length: 30 }, (_, i) => ({
      type: 'track',
      event: 'Imported',
      userId: `u-${i}`,
      properties: { note: 'x'.repeat(2_000) },
    }));
    expect((await call('/v1/import', { batch: events })).status).toBe(200);
    expect(stream.entries).toHaveLength(30);
    const tooBig = Array.from({ length: 260 }, () => events[0]);
    expect((await call('/v1/import', { batch: tooBig })).status).toBe(413);
  });
});
