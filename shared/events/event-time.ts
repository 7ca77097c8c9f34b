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
