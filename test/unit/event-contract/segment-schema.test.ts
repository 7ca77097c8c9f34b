import type { z } from 'zod';
import {
  ECOMMERCE_EVENTS,
  ecommercePropertySchemas,
  isEcommerceEvent,
  type EcommerceEventName,
} from '../../../shared/event-contract/ecommerce.ts';
import { describeIssues } from '../../../shared/event-contract/reasons.ts';
import {
  batchEnvelopeSchema,
  messageSchema,
} from '../../../shared/event-contract/segment-schema.ts';

/** The human reasons a schema gives for an input; [] when it is valid. */
function reasonsOf(schema: z.ZodType, input: unknown, prefix = ''): string[] {
  const parsed = schema.safeParse(input, { reportInput: true });
  return parsed.success ? [] : describeIssues(parsed.error.issues, prefix);
}

const long = (n: number) => 'x'.repeat(n);

describe('message shapes', () => {
  const valid = {
    track: { type: 'track', event: 'Signed Up', anonymousId: 'a1', properties: { plan: 'pro' } },
    page: { type: 'page', name: 'Home', category: 'Docs', userId: 'u1', properties: {} },
    identify: { type: 'identify', userId: 'u42', traits: { email: 'a@example.com' } },
  };

  it.each(Object.entries(valid))('a minimal %s is valid and keeps unknown fields', (_, message) => {
    const parsed = messageSchema.parse({ ...message, custom: { nested: true } });
    expect(parsed).toMatchObject({ ...message, custom: { nested: true } });
  });

  it('numeric identifiers become their string form', () => {
    expect(messageSchema.parse({ ...valid.identify, userId: 42 }).userId).toBe('42');
    expect(messageSchema.parse({ ...valid.track, anonymousId: 7.5 }).anonymousId).toBe('7.5');
  });

  const envelopeCases: Array<[string, Record<string, unknown>, string]> = [
    ['messageId number', { messageId: 5 }, 'messageId must be a string (got number 5)'],
    ['messageId empty', { messageId: '' }, 'messageId must not be empty'],
    ['messageId long', { messageId: long(129) }, 'messageId must be at most 128 characters long'],
    [
      'anonymousId bool',
      { anonymousId: true },
      'anonymousId must be a string or a number (got boolean)',
    ],
    ['anonymousId empty', { anonymousId: '' }, 'anonymousId must not be empty'],
    [
      'anonymousId long',
      { anonymousId: long(257) },
      'anonymousId must be at most 256 characters long',
    ],
    ['userId object', { userId: {} }, 'userId must be a string or a number (got an object)'],
    ['userId null', { userId: null }, 'userId must be a string or a number (got null)'],
    ['context array', { context: [] }, 'context must be an object (got an array)'],
    ['context.ip number', { context: { ip: 1 } }, 'context.ip must be a string (got number 1)'],
    [
      'context.userAgent',
      { context: { userAgent: long(2049) } },
      'context.userAgent must be at most 2048 characters long',
    ],
    [
      'context.page.url',
      { context: { page: { url: 3 } } },
      'context.page.url must be a string (got number 3)',
    ],
    ['integrations', { integrations: 'all' }, 'integrations must be an object (got string "all")'],
    [
      'timestamp date only',
      { timestamp: '2026-11-25' },
      'timestamp must be an ISO-8601 date-time such as "2026-11-25T10:00:00.000Z"',
    ],
    [
      'sentAt locale',
      { sentAt: '11/25/2026 10:00' },
      'sentAt must be an ISO-8601 date-time such as "2026-11-25T10:00:00.000Z"',
    ],
    [
      'timestamp number',
      { timestamp: 1764064800000 },
      'timestamp must be a string (got number 1764064800000)',
    ],
  ];

  describe.each(Object.keys(valid) as Array<keyof typeof valid>)('%s envelope', (type) => {
    it.each(envelopeCases)('%s', (_, fields, reason) => {
      expect(reasonsOf(messageSchema, { ...valid[type], ...fields })).toEqual([reason]);
    });
  });

  it.each([
    [{ type: 'track', anonymousId: 'a' }, 'event is required'],
    [{ type: 'track', event: '', anonymousId: 'a' }, 'event must not be empty'],
    [
      { type: 'track', event: long(201), anonymousId: 'a' },
      'event must be at most 200 characters long',
    ],
    [{ type: 'track', event: 7, anonymousId: 'a' }, 'event must be a string (got number 7)'],
    [
      { type: 'track', event: 'E', anonymousId: 'a', properties: [] },
      'properties must be an object (got an array)',
    ],
    [{ type: 'page', anonymousId: 'a', name: 5 }, 'name must be a string (got number 5)'],
    [
      { type: 'page', anonymousId: 'a', category: long(201) },
      'category must be at most 200 characters long',
    ],
    [
      { type: 'page', anonymousId: 'a', properties: 'x' },
      'properties must be an object (got string "x")',
    ],
    [{ type: 'identify', anonymousId: 'a', traits: null }, 'traits must be an object (got null)'],
  ])('type-specific field %j -> %s', (message, reason) => {
    expect(reasonsOf(messageSchema, message)).toEqual([reason]);
  });
});

describe('batch envelope', () => {
  it('keeps sentAt, context and writeKey, and unknown fields', () => {
    const batch = {
      batch: [],
      sentAt: '2026-11-25T10:00:00Z',
      context: { ip: '1.2.3.4' },
      writeKey: 'k',
    };
    expect(batchEnvelopeSchema.parse(batch)).toEqual(batch);
  });

  it.each([
    [{ writeKey: 5 }, 'writeKey must be a string (got number 5)'],
    [
      { sentAt: 'yesterday' },
      'sentAt must be an ISO-8601 date-time such as "2026-11-25T10:00:00.000Z"',
    ],
    [{ context: { locale: 1 } }, 'context.locale must be a string (got number 1)'],
  ])('%j -> %s', (body, reason) => {
    expect(reasonsOf(batchEnvelopeSchema, body)).toEqual([reason]);
  });
});

describe('e-commerce events', () => {
  /** For every spec event: properties that pass, and properties that fail with their reason. */
  const perEvent: Record<EcommerceEventName, { ok: object; bad: object; reason: string }> = {
    'Products Searched': {
      ok: { query: 'shoes' },
      bad: { query: 5 },
      reason: 'properties.query must be a string (got number 5)',
    },
    'Product List Viewed': {
      ok: { list_id: 7, category: 'Deals', products: [{ product_id: 'p1' }] },
      bad: { list_id: true },
      reason: 'properties.list_id must be a string or a number (got boolean)',
    },
    'Product Clicked': {
      ok: { product_id: 'p1', position: 3 },
      bad: {},
      reason: 'properties.product_id is required',
    },
    'Product Viewed': {
      ok: { product_id: 'p1', price: 9.5 },
      bad: { sku: 'S1' },
      reason: 'properties.product_id is required',
    },
    'Product Added': {
      ok: { product_id: 'p1', cart_id: 'c1', quantity: 2 },
      bad: { product_id: 'p1', cart_id: {} },
      reason: 'properties.cart_id must be a string or a number (got an object)',
    },
    'Product Removed': {
      ok: { product_id: 9, cart_id: 'c1' },
      bad: { cart_id: 'c1' },
      reason: 'properties.product_id is required',
    },
    'Cart Viewed': {
      ok: { cart_id: 'c1', products: [] },
      bad: { products: [{ price: -1 }] },
      reason: 'properties.products[0].price must be 0 or more',
    },
    'Checkout Started': {
      ok: {},
      bad: { revenue: '10' },
      reason: 'properties.revenue must be a number (got string "10")',
    },
    'Checkout Step Completed': {
      ok: { checkout_id: 'k1', step: 2, shipping_method: 'UPS' },
      bad: { step: 1.5 },
      reason: 'properties.step must be an integer (got number 1.5)',
    },
    'Payment Info Entered': {
      ok: { step: 3, payment_method: 'card' },
      bad: { payment_method: 5 },
      reason: 'properties.payment_method must be a string (got number 5)',
    },
    'Order Completed': {
      ok: { order_id: 'o1', total: 10 },
      bad: { total: 10 },
      reason: 'properties.order_id is required',
    },
    'Order Refunded': {
      ok: { order_id: 'o1' },
      bad: { order_id: '' },
      reason: 'properties.order_id must not be empty',
    },
    'Order Cancelled': {
      ok: { order_id: 'o1' },
      bad: { order_id: null },
      reason: 'properties.order_id must be a string or a number (got null)',
    },
    'Coupon Applied': {
      ok: { coupon_id: 1, coupon_name: 'X', discount: 5 },
      bad: { discount: -5 },
      reason: 'properties.discount must be 0 or more',
    },
  };

  it('the table covers every event of the spec, and only those are e-commerce events', () => {
    expect(Object.keys(perEvent).sort()).toEqual([...ECOMMERCE_EVENTS].sort());
    expect(ECOMMERCE_EVENTS).toHaveLength(14);
    expect(ECOMMERCE_EVENTS.every(isEcommerceEvent)).toBe(true);
    expect(['Signed Up', 'product viewed', 'Order Updated'].some(isEcommerceEvent)).toBe(false);
  });

  it.each(Object.entries(perEvent))(
    '%s: valid properties pass, invalid give the reason',
    (name, c) => {
      const schema = ecommercePropertySchemas[name as EcommerceEventName];
      expect(reasonsOf(schema, { ...c.ok, extra: 'kept' }, 'properties')).toEqual([]);
      expect(schema.parse({ ...c.ok, extra: 'kept' })).toMatchObject({ extra: 'kept' });
      expect(reasonsOf(schema, c.bad, 'properties')).toEqual([c.reason]);
    },
  );

  const idField = (field: string): Array<[string, unknown, string]> => [
    [field, true, `${field} must be a string or a number (got boolean)`],
    [field, '', `${field} must not be empty`],
    [field, long(257), `${field} must be at most 256 characters long`],
  ];
  const textField = (field: string): Array<[string, unknown, string]> => [
    [field, 5, `${field} must be a string (got number 5)`],
    [field, long(2049), `${field} must be at most 2048 characters long`],
  ];
  const amountField = (field: string): Array<[string, unknown, string]> => [
    [field, '9.5', `${field} must be a number (got string "9.5")`],
    [field, -0.01, `${field} must be 0 or more`],
    [field, null, `${field} must be a number (got null)`],
  ];
  const countField = (field: string): Array<[string, unknown, string]> => [
    [field, 1.5, `${field} must be an integer (got number 1.5)`],
    [field, -1, `${field} must be 0 or more`],
    [field, '2', `${field} must be a number (got string "2")`],
  ];
  const productFieldCases = [
    ...idField('product_id'),
    ...['sku', 'category', 'name', 'brand', 'variant', 'coupon'].flatMap(textField),
    ...amountField('price'),
    ...countField('quantity'),
    ...countField('position'),
  ];

  it.each(productFieldCases)('Product Viewed: %s = %j -> properties.%s', (field, value, reason) => {
    const properties = { product_id: 'p1', [field]: value };
    expect(reasonsOf(ecommercePropertySchemas['Product Viewed'], properties, 'properties')).toEqual(
      [`properties.${reason}`],
    );
  });

  it.each(productFieldCases)('Order Completed products[1]: %s = %j', (field, value, reason) => {
    const properties = { order_id: 'o1', products: [{ product_id: 'p0' }, { [field]: value }] };
    expect(
      reasonsOf(ecommercePropertySchemas['Order Completed'], properties, 'properties'),
    ).toEqual([`properties.products[1].${reason}`]);
  });

  it.each([
    ...idField('order_id'),
    ...['total', 'revenue', 'shipping', 'tax', 'discount'].flatMap(amountField),
    ...textField('coupon'),
    ['currency', 'US', 'currency must be a 3-letter ISO 4217 code such as "USD"'],
    ['currency', 'US$', 'currency must be a 3-letter ISO 4217 code such as "USD"'],
    ['currency', 840, 'currency must be a string (got number 840)'],
    ['products', {}, 'products must be an array (got an object)'],
    ['products', ['p1'], 'products[0] must be an object (got string "p1")'],
    [
      'products',
      Array.from({ length: 1001 }, () => ({})),
      'products must be at most 1000 items long',
    ],
  ])('Order Completed: %s = %j -> properties.%s', (field, value, reason) => {
    const properties = { order_id: 'o1', [field]: value };
    expect(
      reasonsOf(ecommercePropertySchemas['Order Completed'], properties, 'properties'),
    ).toEqual([`properties.${reason}`]);
  });

  it('normalises: ids to strings, currency upper-cased, zero amounts and counts allowed', () => {
    const parsed = ecommercePropertySchemas['Order Completed'].parse({
      order_id: 1001,
      currency: 'eur',
      total: 0,
      products: [{ product_id: 7, quantity: 0, position: 0, price: 0, custom: [1] }],
    });
    expect(parsed).toEqual({
      order_id: '1001',
      currency: 'EUR',
      total: 0,
      products: [{ product_id: '7', quantity: 0, position: 0, price: 0, custom: [1] }],
    });
  });
});

describe('timestamps must be dates that exist', () => {
  test.each(['2026-02-30T00:00:00Z', '2026-13-01T00:00:00Z', '2025-02-29T10:00:00Z'])(
    '%s is refused rather than rolled over to another day',
    (timestamp) => {
      expect(reasonsOf(messageSchema, { type: 'page', userId: 'u', timestamp })).toEqual([
        'timestamp must be an ISO-8601 date-time such as "2026-11-25T10:00:00.000Z"',
      ]);
    },
  );

  test('29 February of a leap year is a real date', () => {
    expect(
      reasonsOf(messageSchema, { type: 'page', userId: 'u', timestamp: '2028-02-29T10:00:00Z' }),
    ).toEqual([]);
  });
});
