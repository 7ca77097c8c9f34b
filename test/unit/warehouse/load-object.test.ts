import type { StagedRow } from '../../../shared/load/staged-cells.ts';
import {
  loadObject,
  type LoadTransaction,
  type StagingWarehouse,
} from '../../../shared/load/load-object.ts';
import type { TableSpec } from '../../../shared/warehouse-schema/tables.ts';

/** Records the orchestration's calls; `loaded` and `claimable` script the loads table. */
class FakeWarehouse implements StagingWarehouse {
  calls: string[] = [];
  loaded = false;
  claimable = true;
  failUpsertOf?: string;

  async isLoaded(key: string) {
    this.calls.push(`isLoaded ${key}`);
    return this.loaded;
  }
  async inTransaction<T>(work: (tx: LoadTransaction) => Promise<T>): Promise<T> {
    this.calls.push('BEGIN');
    const tx: LoadTransaction = {
      claim: async (key, kind) => (this.calls.push(`claim ${key} ${kind}`), this.claimable),
      stage: async (table: TableSpec, rows: readonly StagedRow[]) => {
        this.calls.push(`stage ${table.name} ${rows.length}`);
      },
      upsert: async (table, onMatch) => {
        this.calls.push(`upsert ${table.name} ${onMatch}`);
        if (table.name === this.failUpsertOf) throw new Error('upsert failed');
        return 7;
      },
      resolveIdentities: async () => {
        this.calls.push('resolve identities');
      },
      complete: async (key, lines) => {
        this.calls.push(`complete ${key} ${lines}`);
      },
    };
    try {
      const result = await work(tx);
      this.calls.push('COMMIT');
      return result;
    } catch (error) {
      this.calls.push('ROLLBACK');
      throw error;
    }
  }
}

const eventLine = JSON.stringify({
  row_kind: 'event',
  event_id: 'e-1',
  event_type: 'track',
  event_time: '2026-11-25T10:00:00Z',
  received_at: '2026-11-25T10:00:00Z',
  context: {},
});
const object = (body: string) => {
  const reads = { count: 0 };
  return {
    reads,
    object: { key: 'k/1', kind: 'events' as const, body: async () => ((reads.count += 1), body) },
  };
};

describe('loadObject', () => {
  test('claims, stages and upserts each non-empty target, records the load, in one transaction', async () => {
    const warehouse = new FakeWarehouse();
    const { object: o } = object(`${eventLine}\nnot json\n`);

    const result = await loadObject(warehouse, o);

    expect(warehouse.calls).toEqual([
      'isLoaded k/1',
      'BEGIN',
      'claim k/1 events',
      'stage events 1',
      'upsert events ignore',
      'resolve identities',
      'stage bad_events 1',
      'upsert bad_events ignore',
      'complete k/1 2',
      'COMMIT',
    ]);
    expect(result).toEqual({
      key: 'k/1',
      kind: 'events',
      status: 'loaded',
      counts: { lines: 2, events: 7, bad_events: 7, metrics: 0, product_metrics: 0 },
    });
  });

  test('an object already in loads is skipped without reading its body', async () => {
    const warehouse = new FakeWarehouse();
    warehouse.loaded = true;
    const { object: o, reads } = object(eventLine);

    expect((await loadObject(warehouse, o)).status).toBe('skipped');
    expect(reads.count).toBe(0);
    expect(warehouse.calls).toEqual(['isLoaded k/1']);
  });

  test('losing the claim to a concurrent load skips without staging anything', async () => {
    const warehouse = new FakeWarehouse();
    warehouse.claimable = false;

    expect((await loadObject(warehouse, object(eventLine).object)).status).toBe('skipped');
    expect(warehouse.calls).toEqual(['isLoaded k/1', 'BEGIN', 'claim k/1 events', 'COMMIT']);
  });

  test('a failure rolls the whole load back, claim included, and surfaces', async () => {
    const warehouse = new FakeWarehouse();
    warehouse.failUpsertOf = 'events';

    await expect(loadObject(warehouse, object(eventLine).object)).rejects.toThrow('upsert failed');
    expect(warehouse.calls.at(-1)).toBe('ROLLBACK');
    expect(warehouse.calls).not.toContain('complete k/1 1');
  });
});
