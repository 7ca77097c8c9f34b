/**
 * Event time corrected for the client's clock, as Segment and Snowplow do it:
 * the client's clock may be wrong, but the interval between `timestamp` (when the event
 * happened) and `sentAt` (when it was sent) is measured on that same clock, so
 *   eventTime = receivedAt - (sentAt - timestamp)
 * With no `sentAt` the client's timestamp is taken as it is; with no timestamp the event
 * happened when it was received. An event cannot have happened after it was received,
 * so a time in the future is clamped to receivedAt.
 */
export function correctedEventTime(
  receivedAtMs: number,
  timestamp: string | undefined,
  sentAt: string | undefined,
): number {
  if (timestamp === undefined) return receivedAtMs;
  const happened = parseTimestamp(timestamp);
  if (sentAt === undefined) return Math.min(happened, receivedAtMs);
  const delay = parseSentAt(sentAt) - happened;
  return delay < 0 ? receivedAtMs : receivedAtMs - delay;
}

const HAS_ZONE = /(Z|[+-]\d{2}(:?\d{2})?)$/i;

/**
 * Segment timestamps are UTC. Date.parse would read a date-time without a zone in the
 * server's own zone, so the same event would get another time on a laptop than in Lambda.
 */
export function parseTimestamp(value: string): number {
  // Nearly every client sends UTC ("...Z"): that needs no zone check.
  const last = value.charCodeAt(value.length - 1);
  if (last === 90 /* Z */ || last === 122 /* z */) return Date.parse(value);
  return Date.parse(HAS_ZONE.test(value) ? value : `${value}Z`);
}

/** A batch's events share one sentAt: parse it once, not once per event. */
let lastSentAt = '';
let lastSentAtMs = Number.NaN;
function parseSentAt(value: string): number {
  if (value !== lastSentAt) {
    lastSentAt = value;
    lastSentAtMs = parseTimestamp(value);
  }
  return lastSentAtMs;
}

const digit = (value: string, at: number) => value.charCodeAt(at) - 48;
const isDigit = (value: string, at: number) => digit(value, at) >= 0 && digit(value, at) <= 9;
const number2 = (value: string, at: number) => digit(value, at) * 10 + digit(value, at + 1);
/** Where "YYYY-MM-DDTHH:MM:SS.sssZ" has its digits. */
const MILLIS_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22];

/**
 * toISOString's spelling ("2026-11-25T10:00:00.000Z", what the ingest writes and the
 * transform stores), read without a regex. True only for a time of day that exists on days
 * 1-28 of a month, which exist in every year, so every stricter check (the warehouse's
 * isIsoTime, the contract's isIsoDateTime, isoUtc's canonical test) holds for it too; other
 * days and spellings are left to those checks. Property tests hold each pair together.
 */
export function isPlainUtcMillis(value: string): boolean {
  if (value.length !== 24 || value.charCodeAt(23) !== 90 /* Z */) return false;
  if (value[4] !== '-' || value[7] !== '-' || value[10] !== 'T') return false;
  if (value[13] !== ':' || value[16] !== ':' || value[19] !== '.') return false;
  for (const at of MILLIS_DIGITS) if (!isDigit(value, at)) return false;
  const month = number2(value, 5);
  const day = number2(value, 8);
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= 28 &&
    number2(value, 11) < 24 &&
    number2(value, 14) < 60 &&
    number2(value, 17) < 60
  );
}
