import { ECOMMERCE_EVENTS } from '../../../shared/event-contract/ecommerce.ts';
import type { BatchEnvelope, MessageType } from '../../../shared/event-contract/segment-schema.ts';
import {
  validateMessage,
  type ReceiptContext,
  type Validation,
} from '../../../shared/event-contract/validate.ts';

const RECEIVED = '2026-11-25T10:00:00.000Z';
const ALL = '"track", "page", "screen", "identify", "group", "alias"';

/** Validates with a counting id generator, so tests see whether an id was generated. */
function validate(
  raw: unknown,
  receipt: Partial<ReceiptContext> = {},
  forcedType?: MessageType,
): { result: Validation; generated: number } {
  let generated = 0;
  const newMessageId = () => `generated-${++generated}`;
  const result = validateMessage(
    raw,
    { receivedAtMs: Date.parse(RECEIVED), ...receipt },
    newMessageId,
    forcedType,
  );
  return { result, generated };
}

const reasonsOf = (raw: unknown, forcedType?: MessageType) => {
  const { result } = validate(raw, {}, forcedType);
  return result.ok ? [] : result.reasons;
};

const eventOf = (raw: unknown, receipt: Partial<ReceiptContext> = {}) => {
  const { result } = validate(raw, receipt);
  if (!result.ok) throw new Error(`expected a valid event, got ${result.reasons.join('; ')}`);
  return result.event;
};

describe('each message type is normalised for the stream', () => {
  it("screen: the Spec's Screen call keeps name, category, properties and the mobile context", () => {
    const context = {
      app: { name: 'Shop', version: '3.2.1', build: 321, namespace: 'com.example.shop' },
      device: { id: 'd-1', manufacturer: 'Apple', model: 'iPhone15,2', type: 'ios' },
      os: { name: 'iOS', version: '17.1' },
      network: { wifi: true, cellular: false, carrier: 'T-Mobile' },
      screen: { width: 1179, height: 2556, density: 3 },
      library: { name: 'analytics-swift', version: '1.5.0' },
      locale: 'en-US',
      timezone: 'Europe/Berlin',
    };
    expect(
      eventOf({
        type: 'screen',
        anonymousId: 'a1',
        name: 'Product Detail',
        category: 'Catalog',
        properties: { product_id: 'p1' },
        messageId: 'm-s',
        context,
      }),
    ).toEqual({
      messageId: 'm-s',
      type: 'screen',
      name: 'Product Detail',
      category: 'Catalog',
      anonymousId: 'a1',
      properties: { product_id: 'p1' },
      // A numeric build (a version code) is kept as text, as every id is.
      context: { ...context, app: { ...context.app, build: '321' } },
      timestamp: RECEIVED,
      receivedAt: RECEIVED,
    });
  });

  it("group: groupId (a number kept as text) and the group's traits", () => {
    expect(
      eventOf({
        type: 'group',
        userId: 'u1',
        groupId: 42,
        traits: { name: 'Initech' },
        messageId: 'm-g',
      }),
    ).toEqual({
      messageId: 'm-g',
      type: 'group',
      userId: 'u1',
      groupId: '42',
      traits: { name: 'Initech' },
      context: {},
      timestamp: RECEIVED,
      receivedAt: RECEIVED,
    });
  });

  it('alias: previousId becomes userId; an alias needs no anonymousId', () => {
    expect(
      eventOf({ type: 'alias', previousId: 'anon-1', userId: 'u1', messageId: 'm-a' }),
    ).toEqual({
      messageId: 'm-a',
      type: 'alias',
      previousId: 'anon-1',
      userId: 'u1',
      context: {},
      timestamp: RECEIVED,
      receivedAt: RECEIVED,
    });
  });

  it("properties of a group or alias are not the event's properties", () => {
    const event = eventOf({ type: 'group', userId: 'u', groupId: 'g', properties: { x: 1 } });
    expect(event.properties).toBeUndefined();
  });

  it('track', () => {
    expect(
      eventOf({
        type: 'track',
        event: 'Signed Up',
        userId: 'u1',
        messageId: 'm-1',
        properties: { plan: 'pro' },
        timestamp: '2026-11-25T09:00:00.000Z',
      }),
    ).toEqual({
      messageId: 'm-1',
      type: 'track',
      event: 'Signed Up',
      userId: 'u1',
      properties: { plan: 'pro' },
      context: {},
      timestamp: '2026-11-25T09:00:00.000Z',
      originalTimestamp: '2026-11-25T09:00:00.000Z',
      receivedAt: RECEIVED,
    });
  });

  it('page', () => {
    expect(
      eventOf({
        type: 'page',
        anonymousId: 'a1',
        name: 'Home',
        category: 'Landing',
        messageId: 'm-2',
      }),
    ).toEqual({
      messageId: 'm-2',
      type: 'page',
      name: 'Home',
      category: 'Landing',
      anonymousId: 'a1',
      context: {},
      timestamp: RECEIVED,
      receivedAt: RECEIVED,
    });
  });

  it('identify', () => {
    expect(
      eventOf({ type: 'identify', userId: 12, anonymousId: 'a1', traits: { plan: 'pro' } }),
    ).toEqual({
      messageId: 'generated-1',
      type: 'identify',
      userId: '12',
      anonymousId: 'a1',
      traits: { plan: 'pro' },
      context: {},
      timestamp: RECEIVED,
      receivedAt: RECEIVED,
    });
  });
});

describe('blank ids, as browser SDKs send them for a visitor not yet identified', () => {
  it("an empty userId (RudderStack's JavaScript SDK) beside an anonymousId is no userId", () => {
    const event = eventOf({ type: 'track', event: 'E', anonymousId: 'a1', userId: '' });
    expect('userId' in event).toBe(false);
  });

  it('a null userId beside an anonymousId is no userId (the Segment API reads it so)', () => {
    const event = eventOf({ type: 'page', anonymousId: 'a1', userId: null, messageId: 'm-3' });
    expect(event).toMatchObject({ type: 'page', anonymousId: 'a1' });
    expect('userId' in event).toBe(false);
  });

  it('a null anonymousId beside a userId is no anonymousId', () => {
    const event = eventOf({ type: 'identify', userId: 'u1', anonymousId: null });
    expect(event).toMatchObject({ userId: 'u1' });
    expect('anonymousId' in event).toBe(false);
  });

  it('both blank is no id at all', () => {
    expect(reasonsOf({ type: 'track', event: 'E', userId: null, anonymousId: '' })).toEqual([
      'anonymousId or userId is required',
    ]);
  });
});

describe('rejections carry a reason a person can act on', () => {
  it.each(['track', 'page', 'screen', 'identify'])('%s without anonymousId or userId', (type) => {
    expect(reasonsOf({ type, event: 'E' })).toEqual(['anonymousId or userId is required']);
  });

  it.each([
    [{ type: 'Track', anonymousId: 'a' }, `type "Track" is not supported: send one of ${ALL}`],
    [
      { type: 'rejected', anonymousId: 'a' },
      `type "rejected" is not supported: send one of ${ALL}`,
    ],
    [
      { type: 'toString', anonymousId: 'a' },
      `type "toString" is not supported: send one of ${ALL}`,
    ],
    [{ type: 5, anonymousId: 'a' }, `type 5 is not supported: send one of ${ALL}`],
    [{ anonymousId: 'a', event: 'E' }, `type is required: one of ${ALL}`],
    [{ type: 'alias', anonymousId: 'a' }, 'userId is required', 'previousId is required'],
    [{ type: 'alias', previousId: 'a' }, 'userId is required'],
    [{ type: 'group', userId: 'u', traits: { name: 'Initech' } }, 'groupId is required'],
    [
      { type: 'group', userId: 'u', groupId: {} },
      'groupId must be a string or a number (got an object)',
    ],
    [
      { type: 'screen', anonymousId: 'a', context: { screen: { width: '1170' } } },
      'context.screen.width must be a number (got string "1170")',
    ],
    [
      { type: 'screen', anonymousId: 'a', context: { network: { wifi: 'yes' } } },
      'context.network.wifi must be a boolean (got string "yes")',
    ],
    [
      { type: 'screen', anonymousId: 'a', context: { os: { name: 14 } } },
      'context.os.name must be a string (got number 14)',
    ],
    ['hello', 'each event must be a JSON object (got string "hello")'],
    [null, 'each event must be a JSON object (got null)'],
    [[{ type: 'track' }], 'each event must be a JSON object (got an array)'],
    [42, 'each event must be a JSON object (got number 42)'],
  ])('%j -> %s', (raw, ...reasons) => {
    expect(reasonsOf(raw)).toEqual(reasons);
  });

  it.each([
    [{ product_id: 'p1', price: '9.5' }, 'properties.price must be a number (got string "9.5")'],
    [{ price: 9.5 }, 'properties.product_id is required'],
  ])('Product Viewed %j -> %s', (properties, reason) => {
    expect(
      reasonsOf({ type: 'track', event: 'Product Viewed', anonymousId: 'a', properties }),
    ).toEqual([reason]);
  });

  it('reports every problem of an event, not only the first', () => {
    const properties = { order_id: 'o1', currency: 'dollars', products: [{ quantity: 1.5 }] };
    expect(reasonsOf({ type: 'track', event: 'Order Completed', userId: 'u', properties })).toEqual(
      [
        'properties.currency must be a 3-letter ISO 4217 code such as "USD"',
        'properties.products[0].quantity must be an integer (got number 1.5)',
      ],
    );
  });

  it.each(['Product Viewed', 'Order Completed'])('%s with no properties at all', (event) => {
    const field = event.startsWith('Order') ? 'order_id' : 'product_id';
    expect(reasonsOf({ type: 'track', event, anonymousId: 'a' })).toEqual([
      `properties.${field} is required`,
    ]);
  });

  it('a route type replaces the type the client sent', () => {
    expect(reasonsOf({ type: 'screen', anonymousId: 'a' }, 'page')).toEqual([]);
    expect(reasonsOf({ type: 'page', anonymousId: 'a' }, 'track')).toEqual(['event is required']);
  });
});

describe('e-commerce normalisation', () => {
  /** Which of product_id, order_id and currency each event's schema types (the rest pass through). */
  const typed: Record<(typeof ECOMMERCE_EVENTS)[number], string[]> = {
    'Products Searched': [],
    'Product List Viewed': [],
    'Product Clicked': ['product_id'],
    'Product Viewed': ['product_id'],
    'Product Added': ['product_id'],
    'Product Removed': ['product_id'],
    'Cart Viewed': [],
    'Checkout Started': ['order_id', 'currency'],
    'Checkout Step Completed': ['order_id'],
    'Payment Info Entered': ['order_id'],
    'Order Completed': ['order_id', 'currency'],
    'Order Refunded': ['order_id', 'currency'],
    'Order Cancelled': ['order_id', 'currency'],
    'Coupon Applied': ['order_id'],
  };

  it.each(ECOMMERCE_EVENTS)(
    '%s keeps unknown properties and normalises its typed ones',
    (event) => {
      const properties = { product_id: 11, order_id: 22, currency: 'usd', promo: { code: 'X' } };
      const fields = typed[event];
      expect(eventOf({ type: 'track', event, anonymousId: 'a', properties }).properties).toEqual({
        product_id: fields.includes('product_id') ? '11' : 11,
        order_id: fields.includes('order_id') ? '22' : 22,
        currency: fields.includes('currency') ? 'USD' : 'usd',
        promo: { code: 'X' },
      });
    },
  );

  it('upper-cases currency and stringifies ids inside products[]', () => {
    const event = eventOf({
      type: 'track',
      event: 'Order Completed',
      anonymousId: 'a',
      properties: { order_id: 5, currency: 'eur', products: [{ product_id: 9, extra: true }] },
    });
    expect(event.properties).toEqual({
      order_id: '5',
      currency: 'EUR',
      products: [{ product_id: '9', extra: true }],
    });
  });

  it('a track that is not an e-commerce event keeps its properties untouched', () => {
    const properties = { price: 'free', currency: 'usd', product_id: 3 };
    expect(
      eventOf({ type: 'track', event: 'Wishlist Shared', anonymousId: 'a', properties }).properties,
    ).toEqual(properties);
  });
});

describe('messageId', () => {
  it('is kept when sent, and no id is generated', () => {
    const { result, generated } = validate({
      type: 'page',
      anonymousId: 'a',
      messageId: 'client-1',
    });
    expect(result).toMatchObject({ ok: true, event: { messageId: 'client-1' } });
    expect(generated).toBe(0);
  });

  it('is generated once when absent', () => {
    const { result, generated } = validate({ type: 'page', anonymousId: 'a' });
    expect(result).toMatchObject({ ok: true, event: { messageId: 'generated-1' } });
    expect(generated).toBe(1);
  });

  it("a rejected event keeps the client's messageId", () => {
    expect(validate({ type: 'Screen', anonymousId: 'a', messageId: 'client-2' }).result).toEqual({
      ok: false,
      messageId: 'client-2',
      reasons: [`type "Screen" is not supported: send one of ${ALL}`],
    });
  });

  it.each([5, '', 'm'.repeat(129)])(
    'an unusable messageId %j is replaced in the rejection',
    (messageId) => {
      const { result } = validate({ type: 'page', anonymousId: 'a', messageId });
      expect(result).toMatchObject({ ok: false, messageId: 'generated-1' });
    },
  );
});

describe('context from the receipt and the batch', () => {
  const receipt = { sourceIp: '203.0.113.9' };

  it("fills ip from the request when the client sent none, as Segment does, but never the request's user agent", () => {
    // A server-side SDK's request carries the SDK's user agent, not the shopper's browser.
    expect(eventOf({ type: 'page', anonymousId: 'a' }, receipt).context).toEqual({
      ip: '203.0.113.9',
    });
  });

  it("keeps the client's own ip and userAgent", () => {
    const context = { ip: '198.51.100.1', userAgent: 'Mozilla/5.0', locale: 'de-DE' };
    expect(eventOf({ type: 'page', anonymousId: 'a', context }, receipt).context).toEqual(context);
  });

  it('leaves them out when neither the client nor the request has them', () => {
    expect(eventOf({ type: 'page', anonymousId: 'a' }).context).toEqual({});
  });

  it('applies batch context and sentAt, the message winning field by field', () => {
    const batch: BatchEnvelope = {
      sentAt: '2026-11-25T08:00:10.000Z',
      context: { locale: 'fr-FR', ip: '192.0.2.1', library: { name: 'analytics-node' } },
    };
    const event = eventOf(
      {
        type: 'track',
        event: 'Cart Viewed',
        anonymousId: 'a',
        timestamp: '2026-11-25T08:00:00.000Z',
        context: { locale: 'en-GB' },
      },
      { ...receipt, batch },
    );
    expect(event.context).toEqual({
      locale: 'en-GB',
      ip: '192.0.2.1',
      library: { name: 'analytics-node' },
    });
    expect(event.sentAt).toBe('2026-11-25T08:00:10.000Z');
    expect(event.timestamp).toBe('2026-11-25T09:59:50.000Z');
  });
});
