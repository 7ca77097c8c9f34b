import { makeHandler } from '../../../functions/load/handler.ts';
import type { S3Notification } from '../../../shared/load/s3-notification.ts';
import { logger } from '../../../shared/runtime/logger.ts';
import {
  stagingLoader,
  type LoadResult,
  type LoadTransaction,
  type ObjectLoader,
  type S3Object,
  type StagingWarehouse,
} from '../../../shared/load/load-object.ts';
import { lambdaContext } from '../../support/api-events.ts';

/** An S3 ObjectCreated notification, keys as S3 sends them (URL-encoded, '+' for a space). */
function notification(...keys: string[]): S3Notification {
  return {
    Records: keys.map((key) => ({
      s3: { bucket: { name: 'clickstream-test' }, object: { key } },
    })),
  };
}

/** An ObjectLoader that records what it was asked to load; `fail` scripts a broken load. */
class FakeLoader implements ObjectLoader {
  readonly buckets: string[] = [];
  readonly loaded: Pick<S3Object, 'key' | 'kind'>[] = [];
  fail?: string;

  forBucket(bucket: string): ObjectLoader {
    this.buckets.push(bucket);
    return this;
  }
  async load(object: S3Object): Promise<LoadResult> {
    if (object.key === this.fail) throw new Error(`warehouse unavailable loading ${object.key}`);
    this.loaded.push({ key: object.key, kind: object.kind });
    const counts = { lines: 1, events: 1, bad_events: 0, metrics: 0, product_metrics: 0 };
    return { key: object.key, kind: object.kind, status: 'loaded', counts };
  }
}

function setup(loader: ObjectLoader & { forBucket?(bucket: string): ObjectLoader }) {
  const reads: string[] = [];
  const handler = makeHandler({
    loaderFor: (bucket) => loader.forBucket?.(bucket) ?? loader,
    read: async (bucket, key) => {
      reads.push(`${bucket}/${key}`);
      return new TextEncoder().encode(eventLine);
    },
  });
  return { reads, invoke: (event: S3Notification) => handler(event, lambdaContext) };
}

const eventLine = JSON.stringify({
  row_kind: 'event',
  event_id: 'e-1',
  event_type: 'track',
  event_time: '2026-11-25T10:00:00Z',
  received_at: '2026-11-25T10:00:00Z',
  context: {},
});

describe('load handler', () => {
  afterEach(() => jest.restoreAllMocks());

  test('keys are URL-decoded (a + is a space) and each kind follows from its prefix', async () => {
    const loader = new FakeLoader();
    const { invoke } = setup(loader);

    const answer = await invoke(
      notification(
        'events/2026/11/25/10/events-1+2026%3D11.gz',
        'metrics/2026/11/25/10/metrics-1',
        'processing-failed/2026/11/25/10/failed-1',
      ),
    );

    expect(loader.loaded).toEqual([
      { key: 'events/2026/11/25/10/events-1 2026=11.gz', kind: 'events' },
      { key: 'metrics/2026/11/25/10/metrics-1', kind: 'metrics' },
      { key: 'processing-failed/2026/11/25/10/failed-1', kind: 'processing-failed' },
    ]);
    expect(loader.buckets).toEqual(['clickstream-test', 'clickstream-test', 'clickstream-test']);
    expect(answer.loaded.map((r) => r.status)).toEqual(['loaded', 'loaded', 'loaded']);
  });

  test('objects under unknown prefixes are ignored, and said so', async () => {
    const warn = jest.spyOn(logger, 'warn');
    const loader = new FakeLoader();
    const { invoke } = setup(loader);

    const answer = await invoke(notification('jsonpaths/events.jsonpaths', 'events/e-2'));

    expect(loader.loaded).toEqual([{ key: 'events/e-2', kind: 'events' }]);
    expect(answer.loaded).toHaveLength(1);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('object ignored'), {
      key: 'jsonpaths/events.jsonpaths',
    });
  });

  test('each load is logged with its counts and status', async () => {
    const info = jest.spyOn(logger, 'info');
    const { invoke } = setup(new FakeLoader());

    await invoke(notification('events/e-3'));

    expect(info).toHaveBeenCalledWith('object loaded', {
      lines: 1,
      events: 1,
      bad_events: 0,
      metrics: 0,
      product_metrics: 0,
      key: 'events/e-3',
      kind: 'events',
      status: 'loaded',
    });
  });

  test('a failing load throws, so Lambda retries and the on-failure destination keeps the key', async () => {
    const loader = new FakeLoader();
    loader.fail = 'metrics/m 2';
    const { invoke } = setup(loader);

    await expect(invoke(notification('events/e-4', 'metrics/m+2', 'events/e-5'))).rejects.toThrow(
      'warehouse unavailable loading metrics/m 2',
    );
    // Stops at the failure: the retry loads the whole notification again (loads are idempotent).
    expect(loader.loaded.map((o) => o.key)).toEqual(['events/e-4']);
  });

  test('an empty or malformed notification loads nothing', async () => {
    const loader = new FakeLoader();
    const { invoke } = setup(loader);

    const answer = await invoke({ Records: [{ s3: { bucket: { name: 'b' } } }, {}] });

    expect(answer).toEqual({ loaded: [] });
    expect(loader.loaded).toEqual([]);
  });
});

/** A staging warehouse that knows which keys are loaded and counts the rows it stages. */
class FakeStagingWarehouse implements StagingWarehouse {
  readonly loadedKeys = new Set<string>(['events/already']);
  readonly staged: string[] = [];

  async isLoaded(key: string) {
    return this.loadedKeys.has(key);
  }
  async inTransaction<T>(work: (tx: LoadTransaction) => Promise<T>): Promise<T> {
    const tx: LoadTransaction = {
      claim: async (key) => !this.loadedKeys.has(key),
      stage: async (table, rows) => void this.staged.push(`${table.name} ${rows.length}`),
      upsert: async () => 1,
      resolveIdentities: async () => undefined,
      complete: async (key) => void this.loadedKeys.add(key),
    };
    return work(tx);
  }
}

describe('load handler over the staging loader (Postgres)', () => {
  test('reads an object not loaded yet from its bucket, under its decoded key', async () => {
    const warehouse = new FakeStagingWarehouse();
    const { invoke, reads } = setup(stagingLoader(warehouse));

    const answer = await invoke(notification('events/new+object'));

    expect(reads).toEqual(['clickstream-test/events/new object']);
    expect(warehouse.staged).toEqual(['events 1']);
    expect(answer.loaded[0]).toMatchObject({ status: 'loaded', counts: { lines: 1, events: 1 } });
  });

  test('an object already loaded is skipped without downloading it', async () => {
    const warehouse = new FakeStagingWarehouse();
    const { invoke, reads } = setup(stagingLoader(warehouse));

    const answer = await invoke(notification('events/already'));

    expect(reads).toEqual([]);
    expect(answer.loaded[0]).toMatchObject({ key: 'events/already', status: 'skipped' });
  });
});
