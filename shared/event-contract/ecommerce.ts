import type * as z from 'zod';
import { isCanonical, toZod, type Field, type Spec } from './field-spec.ts';

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
const id: Field = { kind: 'id' };
const text: Field = { kind: 'string', max: 2048 };
const amount: Field = { kind: 'amount' };
const count: Field = { kind: 'count' };

const productFields: Record<string, Field> = {
  product_id: id,
  sku: text,
  category: text,
  name: text,
  brand: text,
  variant: text,
  price: amount,
  quantity: count,
  coupon: text,
  position: count,
  url: text,
  image_url: text,
};

const productSpec: Spec = { fields: productFields };
const products: Field = { kind: 'list', max: 1000, item: productSpec };

const orderFields: Record<string, Field> = {
  order_id: id,
  checkout_id: id,
  affiliation: text,
  total: amount,
  subtotal: amount,
  revenue: amount,
  shipping: amount,
  tax: amount,
  discount: amount,
  value: amount,
  coupon: text,
  currency: { kind: 'currency' },
  products,
};

const productEvent: Spec = { fields: productFields, required: ['product_id'] };
const cartProductEvent: Spec = {
  fields: { ...productFields, cart_id: id },
  required: ['product_id'],
};
const orderWithId: Spec = { fields: orderFields, required: ['order_id'] };
const checkoutStep: Spec = {
  fields: {
    checkout_id: id,
    step: count,
    shipping_method: text,
    payment_method: text,
    order_id: id,
  },
};

export const ECOMMERCE_PROPERTY_SPECS: Record<EcommerceEventName, Spec> = {
  'Products Searched': { fields: { query: text } },
  'Product List Viewed': { fields: { list_id: id, category: text, products } },
  'Product Clicked': productEvent,
  'Product Viewed': productEvent,
  'Product Added': cartProductEvent,
  'Product Removed': cartProductEvent,
  'Cart Viewed': { fields: { cart_id: id, products } },
  'Checkout Started': { fields: orderFields },
  'Checkout Step Completed': checkoutStep,
  'Payment Info Entered': checkoutStep,
  'Order Completed': orderWithId,
  'Order Refunded': orderWithId,
  'Order Cancelled': orderWithId,
  'Coupon Applied': {
    fields: { order_id: id, cart_id: id, coupon_id: id, coupon_name: text, discount: amount },
  },
};

export const productSchema = toZod(productSpec);

export const ecommercePropertySchemas = Object.fromEntries(
  ECOMMERCE_EVENTS.map((name) => [name, toZod(ECOMMERCE_PROPERTY_SPECS[name])]),
) as unknown as Record<EcommerceEventName, z.ZodType>;

/** True when the event's property schema accepts the properties and returns them unchanged. */
export function isCanonicalProperties(name: EcommerceEventName, properties: unknown): boolean {
  return isCanonical(properties, ECOMMERCE_PROPERTY_SPECS[name]);
}

const ecommerceNames: ReadonlySet<string> = new Set(ECOMMERCE_EVENTS);

export function isEcommerceEvent(name: string): name is EcommerceEventName {
  return ecommerceNames.has(name);
}
