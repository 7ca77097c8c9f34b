import { KinesisClient } from '@aws-sdk/client-kinesis';
import { localClientConfig } from '../../offline/local-client-config.ts';
import { isAggregated } from '../../shared/kpl/deaggregate.ts';
import { referenceDeaggregate } from './kpl-reference.ts';
import { readStreamRecords, type RawStreamRecord } from './read-stream-records.ts';

/**
 * What the real-time figures must be, worked out from what is on the stream, not from the
 * aggregator's code: Lambda's tumbling windows follow each record's arrival time on its
 * shard, so the stream (read back in full) says exactly which records fell in which
 * (window, shard). Within one, a messageId counts once (bad rows apart from good events);
 * the same messageId in two windows counts in both, which is the documented behaviour of
 * the real-time figures and the one place they may exceed the warehouse's `events`.
 * Written for the simulator's events: amounts in whole cents, a currency on every order.
 */
export interface ArrivedRecord {
  shardId: string;
  arrivalMs: number;
  json: Record<string, unknown>;
}

/**
 * Every event on the stream, KPL aggregated records unpacked by aws-kinesis-agg (the published
 * KPL-format library, not our code): each user record arrives with its Kinesis record.
 * A Kinesis record that does not read as clickstream records (not JSON, a broken aggregate,
 * another shape) is a poison record: it arrives as one rejected record with the id
 * `poison:<sequence number>`, which is how the aggregate function counts it.
 */
export async function readStream(endpoint: string, streamName: string): Promise<ArrivedRecord[]> {
  const client = new KinesisClient(localClientConfig('us-east-1', endpoint));
  try {
    return (await readStreamRecords(client, streamName)).flatMap((record) =>
      userRecordsOf(record).map((json) => ({
        shardId: record.shardId,
        arrivalMs: record.arrivalMs,
        json,
      })),
    );
  } finally {
    client.destroy();
  }
}

export const POISON_PREFIX = 'poison:';

function userRecordsOf(record: RawStreamRecord): Array<Record<string, unknown>> {
  try {
    const users = isAggregated(record.data)
      ? referenceDeaggregate(record).map((user) => user.data)
      : [Buffer.from(record.data)];
    return users.map((data) => {
      const value: unknown = JSON.parse(data.toString('utf8'));
      const fields = (value ?? {}) as { messageId?: unknown; type?: unknown };
      if (
        typeof value !== 'object' ||
        Array.isArray(value) ||
        typeof fields.messageId !== 'string' ||
        typeof fields.type !== 'string'
      )
        throw new Error('not a clickstream record');
      return value as Record<string, unknown>;
    });
  } catch {
    return [{ type: 'rejected', messageId: `${POISON_PREFIX}${record.sequenceNumber}` }];
  }
}

/** One (window, shard): the figures of the metrics table, summed over the window's parts. */
export interface WindowFigures {
  events: number;
  rejected: number;
  duplicates: number;
  views: number;
  adds: number;
  removes: number;
  checkouts: number;
  orders: number;
  activeUsers: number;
  /** Order revenue by currency, in micro-units as decimal strings (exact). */
  revenue: Record<string, string>;
}

export interface ProductFigures {
  views: number;
  adds: number;
  removes: number;
  purchases: number;
  revenue: Record<string, string>;
}

export interface StreamExpectations {
  /** Keyed `${windowStartIso} ${shardId}`. */
  windows: Record<string, WindowFigures>;
  /** Keyed `${windowStartIso} ${productId}`, summed over shards. */
  products: Record<string, ProductFigures>;
  /** Distinct valid and rejected messageIds on the whole stream. */
  validIds: Set<string>;
  rejectedIds: Set<string>;
  /** Copies a valid messageId has in windows after its first: counted again by design. */
  laterWindowCopies: {
    events: number;
    byName: Record<string, number>;
    revenue: Record<string, string>;
  };
}

const CENT_MICROS = 10_000n;
const cents = (amount: unknown) => BigInt(Math.round(Number(amount) * 100)) * CENT_MICROS;
const add = (sums: Record<string, string>, key: string, micros: bigint) => {
  sums[key] = String(BigInt(sums[key] ?? '0') + micros);
};

export function expectedFromStream(
  records: readonly ArrivedRecord[],
  windowSeconds: number,
): StreamExpectations {
  const lengthMs = windowSeconds * 1000;
  const windows: Record<string, WindowFigures> = {};
  const products: Record<string, ProductFigures> = {};
  const seen = new Map<string, Set<string>>();
  const users = new Map<string, Set<string>>();
  const validIds = new Set<string>();
  const rejectedIds = new Set<string>();
  const laterWindowCopies = { events: 0, byName: {} as Record<string, number>, revenue: {} };

  for (const { shardId, arrivalMs, json } of records) {
    const startIso = new Date(Math.floor(arrivalMs / lengthMs) * lengthMs).toISOString();
    const key = `${startIso} ${shardId}`;
    const window = (windows[key] ??= {
      ...{ events: 0, rejected: 0, duplicates: 0, views: 0, adds: 0, removes: 0 },
      ...{ checkouts: 0, orders: 0, activeUsers: 0, revenue: {} },
    });
    const rejected = json.type === 'rejected';
    const id = `${rejected ? 'rejected:' : ''}${String(json.messageId)}`;
    const ids = seen.get(key) ?? new Set<string>();
    seen.set(key, ids);
    if (ids.has(id)) {
      window.duplicates += 1;
      continue;
    }
    ids.add(id);
    if (rejected) {
      window.rejected += 1;
      rejectedIds.add(String(json.messageId));
      continue;
    }
    const name = typeof json.event === 'string' ? json.event : `(${String(json.type)})`;
    const properties = (json.properties ?? {}) as Record<string, unknown>;
    const later = validIds.has(id);
    validIds.add(id);
    if (later) {
      laterWindowCopies.events += 1;
      laterWindowCopies.byName[name] = (laterWindowCopies.byName[name] ?? 0) + 1;
      if (name === 'Order Completed') {
        add(laterWindowCopies.revenue, String(properties.currency), cents(properties.revenue));
      }
    }
    window.events += 1;
    const user = [json.anonymousId, json.userId].find((u) => typeof u === 'string' && u !== '');
    const windowUsers = users.get(key) ?? new Set<string>();
    users.set(key, windowUsers);
    if (typeof user === 'string' && !windowUsers.has(user)) {
      windowUsers.add(user);
      window.activeUsers += 1;
    }
    const product = (productId: unknown) =>
      (products[`${startIso} ${String(productId)}`] ??= {
        ...{ views: 0, adds: 0, removes: 0, purchases: 0, revenue: {} },
      });
    if (name === 'Product Viewed') {
      window.views += 1;
      product(properties.product_id).views += 1;
    } else if (name === 'Product Added') {
      window.adds += 1;
      product(properties.product_id).adds += 1;
    } else if (name === 'Product Removed') {
      window.removes += 1;
      product(properties.product_id).removes += 1;
    } else if (name === 'Checkout Started') window.checkouts += 1;
    else if (name === 'Order Completed') {
      window.orders += 1;
      const currency = String(properties.currency);
      add(window.revenue, currency, cents(properties.revenue));
      for (const line of (properties.products ?? []) as Array<Record<string, unknown>>) {
        const quantity = typeof line.quantity === 'number' ? line.quantity : 1;
        const figures = product(line.product_id);
        figures.purchases += quantity;
        add(figures.revenue, currency, cents(line.price) * BigInt(quantity));
      }
    }
  }
  return { windows, products, validIds, rejectedIds, laterWindowCopies };
}

/** "123.450000" (a DECIMAL as text or a JSON string) as micro-units; throws on anything inexact. */
export function decimalToMicros(text: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{1,6}))?$/.exec(text);
  if (!match) throw new Error(`not a decimal with at most 6 places: ${JSON.stringify(text)}`);
  const micros = BigInt(match[2] ?? '0') * 1_000_000n + BigInt((match[3] ?? '').padEnd(6, '0'));
  return match[1] === '-' ? -micros : micros;
}
