import type { Keyed } from './keyed.ts';
import { recentIdsJsonBytes } from './recent-ids.ts';

/**
 * The state a tumbling window carries from one invocation to the next, per shard. Lambda
 * keeps it as JSON and caps it at 1 MB, so it holds plain objects, arrays and numbers
 * only; money sums are decimal strings of micro-units (money.ts), never floats.
 *
 * A window may be cut into parts: when the state grows too large the caller emits the
 * part's rows and continues with `nextPartState`, which keeps only what the next part
 * needs to stay exact (the users already counted and the recent messageIds) and starts
 * the counters again from zero. Every figure of a part is a count or a sum, so the parts
 * of a window, and the windows of all shards, add up.
 */
export interface WindowState {
  version: 1;
  limits: WindowLimits;
  /** 1, 2, ...: the row key with the window and shard, so re-emitting a part replaces it. */
  part: number;
  /** Dedup memory, oldest first, carried across parts; bounded by limits.dedup*. */
  recentMessageIds: string[];
  /** Distinct users (anonymousId, else userId) seen in this window so far, oldest first. */
  users: string[];
  /** How many of `users` earlier parts counted already: this part emits only the rest. */
  usersInEarlierParts: number;
  /** False once the user set outgrew limits.carriedUserBytes and was dropped at a part. */
  usersExact: boolean;
  tally: PartTally;
}

/** The additive figures of the current part. */
export interface PartTally {
  /** Valid events counted once each (duplicates and rejected records excluded). */
  events: number;
  /** Records marked type "rejected" (bad rows the ingest API kept), counted once each. */
  rejected: number;
  /** Records skipped because their messageId was seen recently (resends, retried batches). */
  duplicates: number;
  /** track / page / screen / identify / group / alias. */
  byType: Keyed<number>;
  /** Valid events by platform (web / ios / android / server: event-contract/platform.ts). */
  byPlatform: Keyed<number>;
  /** Views of either kind, pages (web) and screens (apps), by platform. */
  viewsByPlatform: Keyed<number>;
  /** Order Completed events by platform. */
  ordersByPlatform: Keyed<number>;
  /** track events by their `event` name, e-commerce or not. */
  byName: Keyed<number>;
  productViews: number;
  cartAdds: number;
  cartRemoves: number;
  checkoutsStarted: number;
  orders: number;
  refunds: number;
  /** Order Completed: `revenue`, else `total`, by currency, in micro-units. */
  revenue: Keyed<string>;
  /** Order Refunded: `total`, else `revenue`, by currency, in micro-units. */
  refundAmount: Keyed<string>;
  products: Keyed<ProductTally>;
}

/**
 * One product's figures. Keys are one letter and zero counts are left out because a window
 * can see tens of thousands of products and every byte counts against the 1 MB cap.
 */
export interface ProductTally {
  /** Product Viewed events. */
  v?: number;
  /** Product Added events. */
  a?: number;
  /** Product Removed events. */
  r?: number;
  /** Units ordered: quantity (default 1) in Order Completed products[]. */
  q?: number;
  /** Ordered value, price * quantity, by currency, in micro-units. */
  m?: Keyed<string>;
}

export interface WindowLimits {
  /** Stop and emit a part once JSON.stringify(state) passes this many UTF-8 bytes. */
  maxStateBytes: number;
  /** Remember at least this many of the most recent messageIds, unless dedupBytes is hit. */
  dedupIds: number;
  /** ... and at most this many bytes of them, so long ids cannot crowd out the rest. */
  dedupBytes: number;
  /** Carry the distinct users into the next part only while they take at most this. */
  carriedUserBytes: number;
}

/**
 * Defaults, in bytes of JSON:
 * - 900,000 for the state stays under Lambda's 1 MB whether that means 10^6 or 2^20 bytes.
 * - 10,000 messageIds is the largest Kinesis BatchSize, so a whole batch delivered again
 *   (a retry after a partial failure) is recognised; 400,000 bytes fits 10,000 UUIDs.
 * - 300,000 bytes of carried users is about 7,500 UUIDs; with the dedup memory that leaves
 *   200 KB for each further part's own figures.
 */
export const DEFAULT_WINDOW_LIMITS: Readonly<WindowLimits> = {
  maxStateBytes: 900_000,
  dedupIds: 10_000,
  dedupBytes: 400_000,
  carriedUserBytes: 300_000,
};

export function emptyTally(): PartTally {
  return {
    events: 0,
    rejected: 0,
    duplicates: 0,
    byType: {},
    byPlatform: {},
    viewsByPlatform: {},
    ordersByPlatform: {},
    byName: {},
    productViews: 0,
    cartAdds: 0,
    cartRemoves: 0,
    checkoutsStarted: 0,
    orders: 0,
    refunds: 0,
    revenue: {},
    refundAmount: {},
    products: {},
  };
}

export function emptyState(limits: Partial<WindowLimits> = {}): WindowState {
  const chosen = { ...DEFAULT_WINDOW_LIMITS, ...limits };
  for (const [name, value] of Object.entries(chosen)) {
    if (!Number.isSafeInteger(value) || value <= 0) {
      throw new RangeError(`window limit ${name} must be a positive integer (got ${value})`);
    }
  }
  // What a part carries must leave room for the next part, or it would end at once, forever.
  if (chosen.dedupBytes + chosen.carriedUserBytes >= chosen.maxStateBytes) {
    throw new RangeError('dedupBytes + carriedUserBytes must be less than maxStateBytes');
  }
  return {
    version: 1,
    limits: chosen,
    part: 1,
    recentMessageIds: [],
    users: [],
    usersInEarlierParts: 0,
    usersExact: true,
    tally: emptyTally(),
  };
}

/**
 * The state Lambda handed over, or a new one: the first invocation of a window gets `{}`
 * (or nothing), and a state from another version of this code is not trusted.
 */
export function restoreState(raw: unknown, limits: Partial<WindowLimits> = {}): WindowState {
  const candidate = raw as Partial<WindowState> | null | undefined;
  return candidate?.version === 1 && typeof candidate.tally === 'object'
    ? (candidate as WindowState)
    : emptyState(limits);
}

/** What the state costs against Lambda's cap: UTF-8 bytes of its JSON. */
export function jsonBytes(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value), 'utf8');
}

export function stateBytes(state: WindowState): number {
  // The dedup ids are most of the state and keepRecent has counted them already: the rest is
  // serialised with an empty list in their place ("[]", 2 bytes), and their size added.
  const rest = jsonBytes({ ...state, recentMessageIds: [] });
  return rest - 2 + recentIdsJsonBytes(state.recentMessageIds);
}

/**
 * True when the caller must end the part now: emit its rows and return
 * `nextPartState(state)` instead of this state. Check after every accumulate, before
 * returning the state to Lambda; then no batch, however large, can hand over a state
 * above the limit, since the next part starts from the carried sets only.
 */
export function isStateTooLarge(state: WindowState): boolean {
  return stateBytes(state) > state.limits.maxStateBytes;
}

/**
 * The state for the next part of the same window after an early end. Counters restart,
 * so each part's rows hold only what happened in that part. The recent messageIds carry
 * over, so a resend across the cut is still seen as one. The users carry over, so the next
 * part emits only users not counted before; if they no longer fit, they are dropped and
 * the rows of this window say `activeUsersExact: false` from then on.
 */
export function nextPartState(state: WindowState): WindowState {
  const usersFit = jsonBytes(state.users) <= state.limits.carriedUserBytes;
  return {
    version: 1,
    limits: { ...state.limits },
    part: state.part + 1,
    recentMessageIds: [...state.recentMessageIds],
    users: usersFit ? [...state.users] : [],
    usersInEarlierParts: usersFit ? state.users.length : 0,
    usersExact: state.usersExact && usersFit,
    tally: emptyTally(),
  };
}
