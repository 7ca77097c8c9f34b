import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { correctedEventTime, parseTimestamp } from '../../../shared/event-contract/event-time.ts';
import { describeIssues } from '../../../shared/event-contract/reasons.ts';
import { isoDateTime } from '../../../shared/event-contract/segment-schema.ts';
import { validateMessage } from '../../../shared/event-contract/validate.ts';

const RECEIVED = '2026-11-25T10:00:00.000Z';
const receivedAtMs = Date.parse(RECEIVED);
const ROOT = resolve(__dirname, '../../..');
const VALIDATE_PATH = resolve(ROOT, 'shared/event-contract/validate.ts');
const iso = (ms: number) => new Date(ms).toISOString();

describe('correctedEventTime', () => {
  it.each([
    {
      why: 'client clock 1 h behind: keeps the 5 s between event and send',
      timestamp: '2026-11-25T08:59:50.000Z',
      sentAt: '2026-11-25T08:59:55.000Z',
      expected: '2026-11-25T09:59:55.000Z',
    },
    {
      why: 'client clock 1 day ahead: the event is not placed in the future',
      timestamp: '2026-11-26T10:00:00.000Z',
      sentAt: '2026-11-26T10:00:30.000Z',
      expected: '2026-11-25T09:59:30.000Z',
    },
    {
      why: 'offline queue: sent 2 h after it happened',
      timestamp: '2026-11-25T07:00:00.000Z',
      sentAt: '2026-11-25T09:00:00.000Z',
      expected: '2026-11-25T08:00:00.000Z',
    },
    {
      why: 'offsets are honoured on both clocks',
      timestamp: '2026-11-25T11:00:00+02:00',
      sentAt: '2026-11-25T09:00:10.000Z',
      expected: '2026-11-25T09:59:50.000Z',
    },
    {
      why: 'sent at the very moment it happened',
      timestamp: '2026-11-25T03:00:00.000Z',
      sentAt: '2026-11-25T03:00:00.000Z',
      expected: RECEIVED,
    },
    {
      why: 'timestamp after sentAt (impossible on one clock): clamped to receivedAt',
      timestamp: '2026-11-25T09:00:01.000Z',
      sentAt: '2026-11-25T09:00:00.000Z',
      expected: RECEIVED,
    },
  ])('with sentAt, $why', ({ timestamp, sentAt, expected }) => {
    expect(iso(correctedEventTime(receivedAtMs, timestamp, sentAt))).toBe(expected);
  });

  it.each([
    {
      why: 'a past timestamp is taken as sent',
      timestamp: '2026-11-24T10:00:00.000Z',
      expected: '2026-11-24T10:00:00.000Z',
    },
    {
      why: 'a future timestamp is clamped to receivedAt',
      timestamp: '2026-11-25T10:00:00.001Z',
      expected: RECEIVED,
    },
    { why: 'a timestamp equal to receivedAt is kept', timestamp: RECEIVED, expected: RECEIVED },
  ])('without sentAt, $why', ({ timestamp, expected }) => {
    expect(iso(correctedEventTime(receivedAtMs, timestamp, undefined))).toBe(expected);
  });

  it.each([undefined, '2026-11-25T08:00:00.000Z'])(
    'without timestamp the event happened when received (sentAt %s)',
    (sentAt) => {
      expect(correctedEventTime(receivedAtMs, undefined, sentAt)).toBe(receivedAtMs);
    },
  );
});

describe('timestamps without a zone are UTC, whatever the server zone', () => {
  it.each([
    ['2026-01-01T00:00:00', '2026-01-01T00:00:00.000Z'],
    ['2026-01-01 00:00', '2026-01-01T00:00:00.000Z'],
    ['2026-01-01T00:00:00.250', '2026-01-01T00:00:00.250Z'],
    ['2026-01-01T00:00:00Z', '2026-01-01T00:00:00.000Z'],
    ['2026-01-01t00:00:00z', '2026-01-01T00:00:00.000Z'],
    ['2026-01-01T00:00:00-05:00', '2026-01-01T05:00:00.000Z'],
    ['2026-01-01T00:00:00+0130', '2025-12-31T22:30:00.000Z'],
  ])('parseTimestamp(%j) is %s', (text, expected) => {
    expect(iso(parseTimestamp(text))).toBe(expected);
  });

  // Jest gives each test file a copy of process.env, so the zone can only change in a child.
  it('a validated event gets the UTC reading of a zoneless timestamp on a New York host', () => {
    const script = `
      const { validateMessage } = require(${JSON.stringify(VALIDATE_PATH)});
      const result = validateMessage(
        { type: 'track', event: 'Cart Viewed', anonymousId: 'a1', timestamp: '2026-01-01T00:00:00' },
        { receivedAtMs: Date.parse('2026-01-02T00:00:00Z') },
        () => 'generated',
      );
      process.stdout.write(JSON.stringify([new Date(2026, 0, 1).getTimezoneOffset(), result]));`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], {
      cwd: ROOT,
      env: { ...process.env, TZ: 'America/New_York' },
      encoding: 'utf8',
    });
    expect(child.stderr).toBe('');
    const [offsetMinutes, result] = JSON.parse(child.stdout) as [number, unknown];
    expect(offsetMinutes).toBe(300);
    expect(result).toMatchObject({
      ok: true,
      event: { timestamp: '2026-01-01T00:00:00.000Z', originalTimestamp: '2026-01-01T00:00:00' },
    });
  });
});

describe('event time through validateMessage', () => {
  const validate = (fields: Record<string, unknown>, batchSentAt?: string) =>
    validateMessage(
      { type: 'track', event: 'Cart Viewed', anonymousId: 'a1', ...fields },
      { receivedAtMs, ...(batchSentAt ? { batch: { sentAt: batchSentAt } } : {}) },
      () => 'generated',
    );

  it('corrects skew with the message sentAt and keeps the client times as sent', () => {
    const result = validate({
      timestamp: '2026-11-25T05:00:00.000Z',
      sentAt: '2026-11-25T05:00:02.000Z',
    });
    expect(result).toMatchObject({
      ok: true,
      event: {
        timestamp: '2026-11-25T09:59:58.000Z',
        originalTimestamp: '2026-11-25T05:00:00.000Z',
        sentAt: '2026-11-25T05:00:02.000Z',
        receivedAt: RECEIVED,
      },
    });
  });

  it('uses the batch sentAt when the message has none, and its own sentAt over the batch one', () => {
    const fromBatch = validate(
      { timestamp: '2026-11-25T05:00:00.000Z' },
      '2026-11-25T05:00:10.000Z',
    );
    expect(fromBatch).toMatchObject({
      event: { timestamp: '2026-11-25T09:59:50.000Z', sentAt: '2026-11-25T05:00:10.000Z' },
    });
    const own = validate(
      { timestamp: '2026-11-25T05:00:00.000Z', sentAt: '2026-11-25T05:00:01.000Z' },
      '2026-11-25T05:00:10.000Z',
    );
    expect(own).toMatchObject({
      event: { timestamp: '2026-11-25T09:59:59.000Z', sentAt: '2026-11-25T05:00:01.000Z' },
    });
  });

  it('with no timestamp the event time is receivedAt and no originalTimestamp is invented', () => {
    const result = validate({});
    expect(result.ok && result.event.timestamp).toBe(RECEIVED);
    expect(result.ok && 'originalTimestamp' in result.event).toBe(false);
    expect(result.ok && 'sentAt' in result.event).toBe(false);
  });
});

describe('isoDateTime', () => {
  it.each([
    '2026-11-25T10:00:00.000Z',
    '2026-11-25T10:00:00Z',
    '2026-11-25T10:00Z',
    '2026-11-25 10:00:00Z',
    '2026-11-25T10:00:00.123456789Z',
    '2026-11-25T10:00:00+01:00',
    '2026-11-25T10:00:00-0330',
    '2026-11-25t10:00:00z',
    '2026-11-25T10:00:00',
  ])('accepts %j', (value) => {
    expect(isoDateTime.safeParse(value).success).toBe(true);
  });

  it.each([
    '2026-11-25',
    '2026-13-01T10:00:00Z',
    '2026-11-25T25:00:00Z',
    '2026-11-25T10:00:60Z',
    '25/11/2026 10:00',
    'Wed Nov 25 2026 10:00:00 GMT+0000',
    '2026-11-25T10:00:00+01',
    '',
  ])('rejects %j', (value) => {
    const parsed = isoDateTime.safeParse(value, { reportInput: true });
    expect(parsed.success ? [] : describeIssues(parsed.error.issues, 'sentAt')).toEqual([
      'sentAt must be an ISO-8601 date-time such as "2026-11-25T10:00:00.000Z"',
    ]);
  });
});
