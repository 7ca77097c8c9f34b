import { DIALECTS } from '../../../shared/warehouse-schema/dialect.ts';
import { loadObject } from '../../../shared/load/load-object.ts';
import { migrate } from '../../../shared/warehouse-schema/migrations.ts';
import { ENGINE_NAMES, startEngine, type Engine } from './engines.ts';
import { badRow, eventRow, eventsObject, object } from './fixtures.ts';

describe.each(ENGINE_NAMES)('loading objects into %s', (engineName) => {
  let engine: Engine;
  beforeAll(async () => {
    engine = await startEngine(engineName);
    await migrate(engine.warehouse, DIALECTS.postgres);
  });
  afterAll(() => engine.close());

  const count = async (sql: string, params: string[] = []) => {
    const { rows } = await engine.warehouse.query(sql, params);
    return Number(rows[0]?.n);
  };

  test('events duplicated across two objects are stored once; bad rows go to bad_events', async () => {
    const at = '2026-11-25T10:00:00.000Z';
    const first = eventsObject('dup/1', [
      eventRow('d-1', at),
      eventRow('d-2', at),
      badRow('d-bad'),
    ]);
    const second = eventsObject('dup/2', [
      eventRow('d-2', at),
      eventRow('d-3', at),
      eventRow('d-3', at),
    ]);

    const a = await loadObject(engine.warehouse, first);
    const b = await loadObject(engine.warehouse, second);

    expect(a.counts).toMatchObject({ lines: 3, events: 2, bad_events: 1 });
    expect(b.counts).toMatchObject({ lines: 3, events: 1 });
    const ids = await engine.warehouse.query(
      `SELECT event_id, price::text AS price FROM events WHERE event_id LIKE 'd-%' ORDER BY event_id`,
    );
    expect(ids.rows).toEqual([
      { event_id: 'd-1', price: '19.990000' },
      { event_id: 'd-2', price: '19.990000' },
      { event_id: 'd-3', price: '19.990000' },
    ]);
    expect(await count(`SELECT count(*) AS n FROM bad_events WHERE event_id = 'd-bad'`)).toBe(1);
  });

  test('the same object twice: loads stops the second load', async () => {
    const twice = eventsObject('twice/1', [eventRow('t-1', '2026-11-25T10:00:00.000Z')]);
    let reads = 0;
    const counting = { ...twice, body: () => ((reads += 1), twice.body()) };

    expect((await loadObject(engine.warehouse, counting)).status).toBe('loaded');
    expect((await loadObject(engine.warehouse, counting)).status).toBe('skipped');

    expect(reads).toBe(1);
    const loads = await engine.warehouse.query(
      `SELECT kind, rows::int AS rows FROM loads WHERE object_key = 'twice/1'`,
    );
    expect(loads.rows).toEqual([{ kind: 'events', rows: 1 }]);
    expect(await count(`SELECT count(*) AS n FROM events WHERE event_id = 't-1'`)).toBe(1);
  });

  test('invalid lines become bad_events rows and the valid lines still load', async () => {
    const good = eventRow('v-1', '2026-11-25T10:00:00.000Z');
    const badTime = {
      ...eventRow('v-2', '2026-11-25T10:00:00.000Z'),
      event_time: '2026-02-30T00:00:00Z',
    };
    const body = [
      JSON.stringify(good),
      '{not json',
      JSON.stringify(badTime),
      JSON.stringify({ row_kind: 'mystery' }),
      '',
    ].join('\n');

    const result = await loadObject(engine.warehouse, object('invalid/1', 'events', body));

    expect(result.counts).toMatchObject({ lines: 4, events: 1, bad_events: 3 });
    const bad = await engine.warehouse.query(
      `SELECT reasons, payload FROM bad_events WHERE object_key = 'invalid/1' AND source = 'load' ORDER BY reasons::text`,
    );
    expect(bad.rows.map((row) => row.reasons)).toEqual([
      ['events.event_time: not an ISO-8601 time'],
      ['line is not JSON'],
      ['row_kind: expected "event" or "bad_event"'],
    ]);
    expect(bad.rows[1]?.payload).toBe('{not json');
    // Reloading under another key (a replay) adds nothing: bad rows are keyed by content.
    await loadObject(engine.warehouse, object('invalid/2', 'events', body));
    expect(await count(`SELECT count(*) AS n FROM bad_events WHERE source = 'load'`)).toBe(3);
  });

  test('a processing-failed object lands in bad_events with the raw record', async () => {
    const raw = Buffer.from('{"type":"track","event":"Product Viewed"}').toString('base64');
    const failed = {
      attemptsMade: 4,
      arrivalTimestamp: Date.parse('2026-11-25T10:00:05.000Z'),
      errorCode: 'Lambda.FunctionError',
      errorMessage: 'The Lambda function was successfully invoked but it returned an error result.',
      attemptEndingTimestamp: Date.parse('2026-11-25T10:01:05.000Z'),
      rawData: raw,
      lambdaArn: 'arn:aws:lambda:us-east-1:123456789012:function:transform:$LATEST',
    };
    const body = `${JSON.stringify(failed)}\n${JSON.stringify(failed)}\n`;

    const result = await loadObject(
      engine.warehouse,
      object('processing-failed/1', 'processing-failed', body),
    );

    expect(result.counts).toMatchObject({ lines: 2, bad_events: 1 });
    const rows = await engine.warehouse.query(
      `SELECT source, error_code, attempts_made, raw_data, payload, received_at
       FROM bad_events WHERE object_key = 'processing-failed/1'`,
    );
    expect(rows.rows).toHaveLength(1);
    expect(rows.rows[0]).toMatchObject({
      source: 'firehose',
      error_code: 'Lambda.FunctionError',
      attempts_made: 4,
      raw_data: raw,
      payload: { type: 'track', event: 'Product Viewed' },
    });
    expect(new Date(String(rows.rows[0]?.received_at)).toISOString()).toBe(
      '2026-11-25T10:00:05.000Z',
    );
  });

  test('concurrent loads of overlapping objects, and of one object twice, each store an event once', async () => {
    const other = engine.second ?? engine.warehouse;
    const at = '2026-11-25T11:00:00.000Z';
    const rows = (from: number) =>
      Array.from({ length: 200 }, (_, i) => eventRow(`c-${from + i}`, at));
    const left = eventsObject('concurrent/left', rows(0));
    const right = eventsObject('concurrent/right', rows(100));

    const results = await Promise.all([
      loadObject(engine.warehouse, left),
      loadObject(other, right),
      loadObject(other, left),
    ]);

    expect(results.map((r) => r.status).sort()).toEqual(['loaded', 'loaded', 'skipped']);
    expect(await count(`SELECT count(*) AS n FROM events WHERE event_id LIKE 'c-%'`)).toBe(300);
  });
});
