import * as z from 'zod';

/**
 * Segment E-commerce Spec v2: the events we analyse and the shape of their properties.
 * Unknown properties pass through unchanged; known ones must have the documented type.
 */
export const ECOMMERCE_EVENTS = [
  'Products Searched',
  'Product List Viewed',
  'Product Clicked',
  'Product Viewed',
  'Product Added',
  'Product Removed',
  'Cart Viewed',
  'Checkout Started',
  'Checkout Step Completed',
  'Payment Info Entered',
  'Order Completed',
  'Order Refunded',
  'Order Cancelled',
  'Coupon Applied',
] as const;

export type EcommerceEventName = (typeof ECOMMERCE_EVENTS)[number];

/** Ids are strings in the spec; many shops send numbers, which we keep as their string form. */
const idString = z
  .union([z.string().min(1).max(256), z.number().finite()])
  .transform((value) => String(value));
const text = z.string().max(2048);
const amount = z.number().finite().nonnegative();
const count = z.number().int().nonnegative();
const currency = z
  .string()
  .regex(/^[A-Za-z]{3}$/, { error: 'must be a 3-letter ISO 4217 code such as "USD"' })
  .transform((code) => code.toUpperCase());

const productFields = {
  product_id: idString.optional(),
  sku: text.optional(),
  category: text.optional(),
  name: text.optional(),
  brand: text.optional(),
  variant: text.optional(),
  price: amount.optional(),
  quantity: count.optional(),
  coupon: text.optional(),
  position: count.optional(),
  url: text.optional(),
  image_url: text.optional(),
};

export const productSchema = z.looseObject(productFields);
const products = z.array(productSchema).max(1000);

const orderFields = {
  order_id: idString.optional(),
  checkout_id: idString.optional(),
  affiliation: text.optional(),
  total: amount.optional(),
  subtotal: amount.optional(),
  revenue: amount.optional(),
  shipping: amount.optional(),
  tax: amount.optional(),
  discount: amount.optional(),
  value: amount.optional(),
  coupon: text.optional(),
  currency: currency.optional(),
  products: products.optional(),
};

const productEvent = z.looseObject({ ...productFields, product_id: idString });
const orderEvent = z.looseObject(orderFields);
const orderWithId = z.looseObject({ ...orderFields, order_id: idString });
const checkoutStep = z.looseObject({
  checkout_id: idString.optional(),
  step: count.optional(),
  shipping_method: text.optional(),
  payment_method: text.optional(),
  order_id: idString.optional(),
});

export const ecommercePropertySchemas: Record<EcommerceEventName, z.ZodType> = {
  'Products Searched': z.looseObject({ query: text.optional() }),
  'Product List Viewed': z.looseObject({
    list_id: idString.optional(),
    category: text.optional(),
    products: products.optional(),
  }),
  'Product Clicked': productEvent,
  'Product Viewed': productEvent,
  'Product Added': z.looseObject({
    ...productFields,
    product_id: idString,
    cart_id: idString.optional(),
  }),
  'Product Removed': z.looseObject({
    ...productFields,
    product_id: idString,
    cart_id: idString.optional(),
  }),
  'Cart Viewed': z.looseObject({ cart_id: idString.optional(), products: products.optional() }),
  'Checkout Started': orderEvent,
  'Checkout Step Completed': checkoutStep,
  'Payment Info Entered': checkoutStep,
  'Order Completed': orderWithId,
  'Order Refunded': orderWithId,
  'Order Cancelled': orderWithId,
  'Coupon Applied': z.looseObject({
    order_id: idString.optional(),
    cart_id: idString.optional(),
    coupon_id: idString.optional(),
    coupon_name: text.optional(),
    discount: amount.optional(),
  }),
};

const ecommerceNames: ReadonlySet<string> = new Set(ECOMMERCE_EVENTS);

export function isEcommerceEvent(name: string): name is EcommerceEventName {
  return ecommerceNames.has(name);
}
