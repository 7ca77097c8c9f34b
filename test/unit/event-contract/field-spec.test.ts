import fc from 'fast-check';
import {
  ECOMMERCE_EVENTS,
  ecommercePropertySchemas,
  isCanonicalProperties,
} from '../../../shared/event-contract/ecommerce.ts';
import {
  isCanonicalMessage,
  messageSchema,
} from '../../../shared/event-contract/segment-schema.ts';
import { parseJson } from '../../../shared/ingest/request-body.ts';

/** Values on both sides of every rule the specs declare, mostly valid so the fast path is reached. */
const mostly = <T>(valid: fc.Arbitrary<T>, ...invalid: Array<fc.Arbitrary<unknown>>) =>
  fc.oneof(
    { arbitrary: valid as fc.Arbitrary<unknown>, weight: 12 },
    ...invalid.map((arbitrary) => ({ arbitrary, weight: 1 })),
  );
const text = (max: number) =>
  mostly(
    fc.oneof(fc.string({ maxLength: 4 }), fc.constant('x'.repeat(max))),
    fc.constant('x'.repeat(max + 1)),
    fc.integer(),
  );
const id = mostly(
  fc.string({ minLength: 1, maxLength: 8 }),
  fc.constant(''),
  fc.integer(),
  fc.double(),
  fc.constant(null),
  fc.constant('x'.repeat(257)),
);
const amount = mostly(
  fc.oneof(fc.constant(19.99), fc.nat(), fc.double({ min: 0, max: 1e6, noNaN: true })),
  fc.double(),
  fc.integer({ min: -5, max: -1 }),
  fc.string({ maxLength: 3 }),
);
const count = mostly(
  fc.nat(100),
  fc.integer({ min: -3, max: -1 }),
  fc.double({ min: 0.1, max: 0.9 }),
  fc.constant(2 ** 53),
  fc.constant('2'),
);
const datetime = mostly(
  fc
    .date({ noInvalidDate: true, min: new Date('1990-01-01'), max: new Date('2090-01-01') })
    .map((d) => d.toISOString()),
  fc.constantFrom('2026-02-29T00:00:00Z', '2026-11-25', 'yesterday', '2026-13-01T00:00:00Z'),
  fc.constantFrom('2028-02-29T00:00:00Z', '2026-11-25 10:00', '2026-11-25T10:00:00+05:30'),
);
const currency = mostly(
  fc.constantFrom('USD', 'EUR', 'GBP'),
  fc.constantFrom('usd', 'Eur', 'EURO', '', 'GB1'),
);
const anything = fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.constant(undefined));

const product = fc.record(
  {
    product_id: id,
    sku: text(2048),
    name: text(2048),
    price: amount,
    quantity: count,
    position: count,
    extra: anything,
  },
  { requiredKeys: [] },
);
const properties = fc.record(
  {
    product_id: id,
    order_id: id,
    cart_id: id,
    price: amount,
    quantity: count,
    total: amount,
    revenue: amount,
    currency,
    step: count,
    query: text(2048),
    products: mostly(fc.array(product, { maxLength: 3 }), anything),
    custom: anything,
  },
  { requiredKeys: [] },
);
const context = mostly(
  fc.record(
    {
      ip: text(64),
      userAgent: text(2048),
      page: fc.oneof(fc.record({ url: text(4096), title: text(1024) }), anything),
      app: fc.oneof(fc.record({ name: text(256), version: text(256), build: id }), anything),
      os: fc.oneof(fc.record({ name: text(256), version: text(256) }), anything),
      network: fc.oneof(
        fc.record(
          { wifi: mostly(fc.boolean(), anything), carrier: text(256) },
          { requiredKeys: [] },
        ),
        anything,
      ),
      screen: fc.oneof(
        fc.record(
          {
            width: mostly(fc.nat(4000), fc.string()),
            density: mostly(fc.double({ noNaN: true, noDefaultInfinity: true }), anything),
          },
          { requiredKeys: [] },
        ),
        anything,
      ),
    },
    { requiredKeys: [] },
  ),
  anything,
);
const message = fc.record(
  {
    type: mostly(
      fc.constantFrom('track', 'page', 'screen', 'identify', 'group', 'alias'),
      fc.constantFrom('Screen', 'rejected', 'toString'),
    ),
    event: fc.oneof(fc.constantFrom(...ECOMMERCE_EVENTS), text(200)),
    name: text(200),
    messageId: text(128),
    anonymousId: id,
    userId: id,
    groupId: id,
    previousId: id,
    timestamp: datetime,
    sentAt: datetime,
    context,
    properties: mostly(properties, anything),
    traits: mostly(fc.dictionary(fc.string(), fc.string()), anything),
    integrations: mostly(fc.dictionary(fc.string(), fc.boolean()), anything),
  },
  { requiredKeys: ['type'] },
);

/**
 * What the fast path is ever given: a request body as the ingest parses it (parseJson), so
 * no undefined values and no own "__proto__" keys (which zod would drop from its copy).
 */
const asJson = <T>(value: T): T => parseJson(JSON.stringify(value)) as T;

describe('the fast path agrees with the zod contract', () => {
  test('a message the fast path accepts is accepted by messageSchema and returned unchanged', () => {
    let fast = 0;
    fc.assert(
      fc.property(message.map(asJson), (candidate) => {
        if (!isCanonicalMessage(candidate)) return;
        fast += 1;
        const parsed = messageSchema.safeParse(candidate);
        expect(parsed.success).toBe(true);
        expect(parsed.data).toEqual(candidate);
      }),
      { numRuns: 3_000 },
    );
    expect(fast).toBeGreaterThan(100); // the generator reaches the fast path, so the check means something
  });

  test.each(ECOMMERCE_EVENTS)(
    '%s properties the fast path accepts are accepted and returned unchanged',
    (name) => {
      let fast = 0;
      fc.assert(
        fc.property(properties.map(asJson), (candidate) => {
          if (!isCanonicalProperties(name, candidate)) return;
          fast += 1;
          const parsed = ecommercePropertySchemas[name].safeParse(candidate);
          expect(parsed.success).toBe(true);
          expect(parsed.data).toEqual(candidate);
        }),
        { numRuns: 1_500 },
      );
      expect(fast).toBeGreaterThan(10);
    },
  );

  test('non-canonical but valid input is left to zod, which normalises it', () => {
    const candidate = {
      type: 'track',
      event: 'Order Completed',
      anonymousId: 7,
      properties: { order_id: 12, currency: 'eur' },
    };
    expect(isCanonicalMessage(candidate)).toBe(false);
    expect(messageSchema.safeParse(candidate).data).toMatchObject({ anonymousId: '7' });
    expect(isCanonicalProperties('Order Completed', candidate.properties)).toBe(false);
    expect(
      ecommercePropertySchemas['Order Completed'].safeParse(candidate.properties).data,
    ).toEqual({
      order_id: '12',
      currency: 'EUR',
    });
  });
});
