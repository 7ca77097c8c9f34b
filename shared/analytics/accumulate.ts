import { platformOf } from '../event-contract/platform.ts';
import {
  isRejected,
  type ClickstreamEvent,
  type StreamRecord,
} from '../event-contract/clickstream-event.ts';
import { addCount, addMicros, ownValue, setOwn } from './keyed.ts';
import {
  readAmount,
  readCurrency,
  readId,
  readProperties,
  readQuantity,
  readUser,
} from './read-properties.ts';
import { dedupKey, keepRecent } from './recent-ids.ts';
import type { PartTally, ProductTally, WindowState } from './window-state.ts';

/**
 * Adds a batch of stream records to the window. Pure: the state given is left untouched
 * and a new one is returned, so a caller that fails half way still holds the state from
 * before the batch (as Lambda does when it retries an invocation). Only what the batch
 * changes is copied (arrays, small maps, the products it touches): a deep copy of a state
 * near the cap took longer than counting the batch.
 *
 * Each messageId is counted once while it is in the dedup memory (`recentMessageIds`),
 * which outlives batches and parts, so resends and re-delivered batches do not count twice.
 */
export function accumulate(state: WindowState, records: readonly StreamRecord[]): WindowState {
  const tally = copyTally(state.tally);
  const next: WindowState = {
    ...state,
    limits: { ...state.limits },
    // slice, not spread: the same copy without the iteration protocol.
    recentMessageIds: state.recentMessageIds.slice(),
    users: state.users.slice(),
    tally,
  };
  const counter: Counter = { tally, copiedProducts: new Set() };
  const seenIds = idsSeenBefore(state.recentMessageIds, records);
  const seenUsers = new Set(next.users);

  for (const record of records) {
    const key = dedupKey(record);
    if (key !== undefined) {
      if (seenIds.has(key)) {
        tally.duplicates += 1;
        continue;
      }
      seenIds.add(key);
      next.recentMessageIds.push(key);
    }
    if (isRejected(record)) {
      tally.rejected += 1;
      continue;
    }
    countEvent(counter, record);
    const user = readUser(record);
    if (user !== undefined && !seenUsers.has(user)) {
      seenUsers.add(user);
      next.users.push(user);
    }
  }

  const { dedupIds, dedupBytes } = next.limits;
  next.recentMessageIds = keepRecent(next.recentMessageIds, dedupIds, dedupBytes);
  return next;
}

/**
 * The remembered ids a batch has to be checked against. The dedup memory holds up to 10,000
 * ids and a batch can be 100 records, so rather than indexing the whole memory on every
 * invocation, only the remembered ids that the batch names are collected (a pass of lookups
 * in a batch-sized set is about twice as fast as building a memory-sized one). Either way
 * the answer is the same set for the batch's keys; ids found in the batch are added later.
 */
function idsSeenBefore(
  recentIds: readonly string[],
  records: readonly StreamRecord[],
): Set<string> {
  if (recentIds.length <= records.length) return new Set(recentIds);
  const batchKeys = new Set<string>();
  for (const record of records) {
    const key = dedupKey(record);
    if (key !== undefined) batchKeys.add(key);
  }
  const seen = new Set<string>();
  if (batchKeys.size === 0) return seen;
  for (const id of recentIds) if (batchKeys.has(id)) seen.add(id);
  return seen;
}

/** The tally being written, and the products already copied from the caller's state. */
interface Counter {
  tally: PartTally;
  copiedProducts: Set<string>;
}

// Spread keeps own "__proto__" keys: it defines properties, it does not assign them.
function copyTally(tally: PartTally): PartTally {
  return {
    ...tally,
    byType: { ...tally.byType },
    // A state from before these figures existed has none: spreading undefined gives {}.
    byPlatform: { ...tally.byPlatform },
    viewsByPlatform: { ...tally.viewsByPlatform },
    ordersByPlatform: { ...tally.ordersByPlatform },
    byName: { ...tally.byName },
    revenue: { ...tally.revenue },
    refundAmount: { ...tally.refundAmount },
    products: { ...tally.products },
  };
}

function countEvent(counter: Counter, event: ClickstreamEvent): void {
  const tally = counter.tally;
  tally.events += 1;
  addCount(tally.byType, event.type);
  const platform = platformOf(event.context);
  addCount(tally.byPlatform, platform);
  if (event.type === 'page' || event.type === 'screen') addCount(tally.viewsByPlatform, platform);
  if (event.type !== 'track' || typeof event.event !== 'string') return;
  addCount(tally.byName, event.event);

  const properties = readProperties(event.properties);
  switch (event.event) {
    case 'Product Viewed':
      tally.productViews += 1;
      addToProduct(counter, properties.product_id, 'v', 1);
      break;
    case 'Product Added':
      tally.cartAdds += 1;
      addToProduct(counter, properties.product_id, 'a', 1);
      break;
    case 'Product Removed':
      tally.cartRemoves += 1;
      addToProduct(counter, properties.product_id, 'r', 1);
      break;
    case 'Checkout Started':
      tally.checkoutsStarted += 1;
      break;
    case 'Order Completed':
      tally.orders += 1;
      addCount(tally.ordersByPlatform, platform);
      countOrder(counter, properties);
      break;
    case 'Order Refunded': {
      tally.refunds += 1;
      // The spec's Order Refunded carries `total`; `revenue` is the fallback, as for orders.
      const amount = readAmount(properties.total) ?? readAmount(properties.revenue);
      if (amount !== undefined) {
        addMicros(tally.refundAmount, readCurrency(properties.currency), amount);
      }
      break;
    }
  }
}

function countOrder(counter: Counter, order: Record<string, unknown>): void {
  const tally = counter.tally;
  const currency = readCurrency(order.currency);
  const revenue = readAmount(order.revenue) ?? readAmount(order.total);
  if (revenue !== undefined) addMicros(tally.revenue, currency, revenue);
  if (!Array.isArray(order.products)) return;

  for (const item of order.products) {
    const line = readProperties(item);
    const product = addToProduct(counter, line.product_id, 'q', readQuantity(line.quantity));
    const price = readAmount(line.price);
    if (product === undefined || price === undefined) continue;
    product.m ??= {}; // already a copy: addToProduct copied the product and its sums
    addMicros(product.m, currency, price * BigInt(readQuantity(line.quantity)));
  }
}

/** Lines without a usable product_id count in the order's figures, not per product. */
function addToProduct(
  counter: Counter,
  rawId: unknown,
  field: 'v' | 'a' | 'r' | 'q',
  by: number,
): ProductTally | undefined {
  const id = readId(rawId);
  if (id === undefined) return undefined;
  const product = productToWrite(counter, id);
  product[field] = (product[field] ?? 0) + by;
  return product;
}

/** The product's tally, copied on first write in this call so the caller's state stays as it was. */
function productToWrite({ tally, copiedProducts }: Counter, id: string): ProductTally {
  const current = ownValue(tally.products, id);
  if (current !== undefined && copiedProducts.has(id)) return current;
  const copy: ProductTally = { ...current };
  if (current?.m) copy.m = { ...current.m };
  setOwn(tally.products, id, copy);
  copiedProducts.add(id);
  return copy;
}
