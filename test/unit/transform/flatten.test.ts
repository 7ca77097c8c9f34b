import {
  fromInvalidEvent,
  fromRejectedEvent,
  toEventRow,
} from '../../../shared/transform/flatten.ts';
import {
  BAD_EVENT_COLUMNS,
  EVENT_COLUMNS,
  toNdjson,
} from '../../../shared/transform/event-rows.ts';
import { productViewed, rejected, UA } from './factories.ts';

describe('toEventRow', () => {
  it('flattens a Product Viewed into every events column, in column order', () => {
    const row = toEventRow(productViewed());
    expect(Object.keys(row)).toEqual(EVENT_COLUMNS);
    expect(row).toEqual({
      row_kind: 'event',
      event_id: 'm-1',
      event_type: 'track',
      event_name: 'Product Viewed',
      anonymous_id: 'a-1',
      user_id: null,
      event_time: '2026-11-25T09:59:58.000Z',
      received_at: '2026-11-25T10:00:00.000Z',
      sent_at: null,
      product_id: 'p-7',
      sku: 'SKU-7',
      category: null,
      product_name: 'Yoga Mat',
      brand: null,
      variant: null,
      price: '19.99',
      quantity: 1,
      order_id: null,
      revenue: null,
      total: null,
      currency: null,
      url: 'https://shop.example.com/p/7',
      path: '/p/7',
      referrer: null,
      page_title: 'Yoga Mat',
      browser: 'Chrome',
      browser_version: '131.0.0.0',
      os: 'Windows',
      os_version: '10',
      device_type: 'desktop',
      ip_anonymised: '203.0.113.0',
      user_agent: UA.chromeWindows,
      properties: { product_id: 'p-7', sku: 'SKU-7', name: 'Yoga Mat', price: 19.99, quantity: 1 },
      traits: null,
      context: {
        ip: '203.0.113.0',
        userAgent: UA.chromeWindows,
        page: { url: 'https://shop.example.com/p/7', path: '/p/7', title: 'Yoga Mat' },
      },
      platform: 'web',
      screen_name: null,
      app_version: null,
      device_model: null,
      group_id: null,
      previous_id: null,
    });
  });

  it('a screen from an iOS app: screen name, app version, device model, OS from context.os', () => {
    const row = toEventRow({
      messageId: 'm-s',
      type: 'screen',
      name: 'Cart',
      anonymousId: 'a-1',
      context: {
        app: { name: 'Shop', version: '3.2.1', build: '321' },
        device: { model: 'iPhone15,2', type: 'ios', manufacturer: 'Apple' },
        os: { name: 'iOS', version: '17.1' },
        library: { name: 'analytics-swift', version: '1.5.0' },
      },
      timestamp: '2026-11-25T10:00:00.000Z',
      receivedAt: '2026-11-25T10:00:00.000Z',
    });
    expect(row).toMatchObject({
      event_type: 'screen',
      event_name: 'Cart',
      screen_name: 'Cart',
      app_version: '3.2.1',
      device_model: 'iPhone15,2',
      os: 'iOS',
      os_version: '17.1',
      device_type: 'ios',
      platform: 'ios',
      browser: null,
    });
  });

  it('group and alias keep groupId and previousId in their columns', () => {
    const base = {
      context: {},
      timestamp: '2026-11-25T10:00:00.000Z',
      receivedAt: '2026-11-25T10:00:00.000Z',
    };
    expect(
      toEventRow({
        ...base,
        messageId: 'g',
        type: 'group',
        userId: 'u',
        groupId: 'acct',
        traits: { n: 1 },
      }),
    ).toMatchObject({ group_id: 'acct', traits: { n: 1 }, previous_id: null, platform: 'server' });
    expect(
      toEventRow({ ...base, messageId: 'a', type: 'alias', userId: 'u', previousId: 'anon' }),
    ).toMatchObject({ previous_id: 'anon', user_id: 'u', group_id: null });
  });

  it("writes an order's amounts as exact decimal strings", () => {
    const row = toEventRow(
      productViewed({
        event: 'Order Completed',
        properties: { order_id: 50314, total: 0.3, revenue: 0.1, shipping: 0.2, currency: 'EUR' },
      }),
    );
    expect(row).toMatchObject({ order_id: '50314', total: '0.3', revenue: '0.1', currency: 'EUR' });
    expect(JSON.stringify(row)).toContain('"total":"0.3","currency":"EUR"');
  });

  it("takes a page's url, title and category from the page, never as a product", () => {
    const row = toEventRow(
      productViewed({
        type: 'page',
        event: undefined,
        name: 'Home',
        category: 'Landing',
        properties: {
          url: 'https://shop.example.com/',
          title: 'Shop',
          name: 'Home',
          referrer: 'https://duckduckgo.com/',
        },
        context: { page: { url: 'https://ignored.example.com/', path: '/' } },
      }),
    );
    expect(row).toMatchObject({
      event_type: 'page',
      event_name: 'Home',
      category: 'Landing',
      product_name: null,
      url: 'https://shop.example.com/',
      path: '/',
      referrer: 'https://duckduckgo.com/',
      page_title: 'Shop',
    });
  });

  it("keeps an identify's traits and has no event name", () => {
    const row = toEventRow(
      productViewed({
        type: 'identify',
        event: undefined,
        properties: undefined,
        traits: { plan: 'pro' },
        userId: 'u-1',
      }),
    );
    expect(row).toMatchObject({
      event_type: 'identify',
      event_name: null,
      traits: { plan: 'pro' },
      user_id: 'u-1',
      properties: null,
    });
  });

  it('stores no raw IP anywhere: an invalid address is removed from the context', () => {
    const row = toEventRow(
      productViewed({ context: { ip: 'not-an-ip', userAgent: UA.firefoxLinux } }),
    );
    expect(row.ip_anonymised).toBeNull();
    expect(row.context).toEqual({ userAgent: UA.firefoxLinux });
  });

  it('normalises times to ISO-8601 UTC and keeps sentAt', () => {
    const row = toEventRow(
      productViewed({ timestamp: '2026-11-25T11:59:58+02:00', sentAt: '2026-11-25T10:00:00Z' }),
    );
    expect(row).toMatchObject({
      event_time: '2026-11-25T09:59:58.000Z',
      sent_at: '2026-11-25T10:00:00.000Z',
    });
  });
});

describe('bad event rows', () => {
  it("keep the ingest API's bad row, IP anonymised, in column order", () => {
    const payload = {
      type: 'track',
      context: { ip: '2001:db8:1:2::7' },
      properties: { price: '9.5' },
    };
    const row = fromRejectedEvent(rejected({ payload }));
    expect(Object.keys(row)).toEqual(BAD_EVENT_COLUMNS);
    expect(row).toEqual({
      row_kind: 'bad_event',
      event_id: 'bad-1',
      source: 'ingest',
      anonymous_id: 'a-1',
      received_at: '2026-11-25T10:00:00.000Z',
      reasons: ['properties.price must be a number (got string "9.5")'],
      payload: { type: 'track', context: { ip: '2001:db8:1::' }, properties: { price: '9.5' } },
      payload_truncated: false,
    });
  });

  it('anonymise the IP inside a truncated payload too', () => {
    const truncated =
      '{"type":"track","context":{"ip":"203.0.113.77","userAgent":"x"},"properties":{"blob":"aaaa';
    const row = fromRejectedEvent(rejected({ payload: truncated, payloadTruncated: true }));
    expect(row.payload).toBe(truncated.replace('203.0.113.77', '203.0.113.0'));
    expect(row.payload_truncated).toBe(true);
  });

  it('bound what an invalid event keeps to 32 KB', () => {
    const row = fromInvalidEvent({
      eventId: 'sha256:00',
      reasons: ['x'],
      payload: { blob: 'x'.repeat(40_000) },
      receivedAt: '2026-11-25T10:00:00.000Z',
    });
    expect(row).toMatchObject({ source: 'transform', payload_truncated: true, anonymous_id: null });
    expect((row.payload as string).length).toBe(32 * 1024);
  });
});

it('toNdjson ends every line, the last included, with a newline', () => {
  expect(
    toNdjson([fromRejectedEvent(rejected()), fromRejectedEvent(rejected())]).split('\n'),
  ).toHaveLength(3);
  expect(toNdjson([])).toBe('');
});
