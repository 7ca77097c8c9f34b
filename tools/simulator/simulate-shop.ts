/**
 * The shopper simulator: shoppers arrive at random (a Poisson process), each walks the
 * funnel in its own time, and their messages are merged into one stream ordered by the
 * moment each browser sends it. Pure and deterministic: the seed fixes everything.
 */
import { CATALOGUE } from './catalogue.ts';
import { corrupt, type WireMessage } from './corrupt.ts';
import { MinHeap } from './heap.ts';
import { resolveOptions, type ResolvedOptions, type SimulatorOptions } from './options.ts';
import { Random } from './seeded-random.ts';
import { walkSession, type SessionEvent } from './session.ts';
import { newShopper } from './shoppers.ts';

export type MessageKind = 'valid' | 'invalid' | 'duplicate';

export interface SimulatedMessage {
  message: WireMessage;
  kind: MessageKind;
  /** When the (simulated) browser sends it, in ms: what a sender paces by. */
  atMs: number;
  /** For invalid messages: what is wrong with it. */
  defect?: string;
}

/**
 * Sessions are started this long before `startMs` and their earlier events dropped, so the
 * stream starts at full rate with visits already under way, as a shop's traffic does.
 * Five minutes covers all but the rare visits of more than ten steps (at most 30 s each),
 * and keeps the warm-up cheap at high rates.
 */
const WARM_UP_MS = 5 * 60_000;
/** How many recent valid messages a duplicate may repeat: resends follow soon after. */
const RESEND_WINDOW = 256;

interface OpenSession {
  id: number;
  events: SessionEvent[];
  cursor: number;
}

const nextAt = (s: OpenSession) => s.events[s.cursor]?.atMs ?? Number.POSITIVE_INFINITY;

/** Average messages per visit for these abandonment rates, from a fixed sample of visits. */
function meanEventsPerSession(options: ResolvedOptions): number {
  const rng = new Random(options.seed ^ 0x5eed);
  const sample = 2_000;
  let events = 0;
  for (let i = 0; i < sample; i += 1) {
    events += walkSession(rng, newShopper(rng), 0, options.abandonment).length;
  }
  return events / sample;
}

export function* simulate(options: SimulatorOptions): Generator<SimulatedMessage, void, undefined> {
  const o = resolveOptions(options);
  const rng = new Random(o.seed);
  // Duplicates come on top of the shoppers' own messages; together they make up `rate`.
  const sessionEventRate = o.rate * (1 - o.duplicateRate);
  const meanArrivalGapMs = (1000 * meanEventsPerSession(o)) / sessionEventRate;
  const invalidShare = o.duplicateRate < 1 ? o.badRate / (1 - o.duplicateRate) : 0;
  const endMs = o.startMs + o.durationMs;

  const open = new MinHeap<OpenSession>((a, b) => {
    const at = nextAt(a) - nextAt(b);
    return at < 0 || (at === 0 && a.id < b.id);
  });
  let sessions = 0;
  let nextArrivalMs = o.startMs - WARM_UP_MS;
  const recent: WireMessage[] = [];
  let emitted = 0;

  while (emitted < o.events) {
    while (open.size === 0 || nextArrivalMs <= nextAt(open.peek() as OpenSession)) {
      const events = walkSession(rng, newShopper(rng), nextArrivalMs, o.abandonment, CATALOGUE);
      open.push({ id: (sessions += 1), events, cursor: 0 });
      nextArrivalMs += rng.exponential(meanArrivalGapMs);
    }
    const session = open.pop() as OpenSession;
    const event = session.events[session.cursor] as SessionEvent;
    session.cursor += 1;
    if (session.cursor < session.events.length) open.push(session);
    if (event.atMs < o.startMs) continue;
    if (event.atMs >= endMs) return;

    // A geometric number of resends before each message makes `duplicateRate` their share.
    while (o.duplicateRate > 0 && recent.length > 0 && rng.chance(o.duplicateRate)) {
      // A copy, so that a consumer that edits one message (say, sentAt) leaves the other alone.
      const again = JSON.parse(JSON.stringify(rng.pick(recent))) as WireMessage;
      yield { message: again, kind: 'duplicate', atMs: event.atMs };
      if ((emitted += 1) >= o.events) return;
    }
    const built = event.message();
    // Only track calls are broken on purpose: the defects are the e-commerce contract's.
    if (built.type === 'track' && rng.chance(invalidShare)) {
      const { message, defect } = corrupt(rng, built);
      yield { message, kind: 'invalid', atMs: event.atMs, defect };
    } else {
      const message: WireMessage = built;
      recent.push(message);
      if (recent.length > RESEND_WINDOW) recent.shift();
      yield { message, kind: 'valid', atMs: event.atMs };
    }
    emitted += 1;
  }
}
