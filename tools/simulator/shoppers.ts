/**
 * Who visits: a browser, a network address, a locale with its currency, and a clock that
 * is sometimes wrong (the server corrects skew from sentAt, so the simulator must exercise it).
 */
import type { Currency } from './cents.ts';
import { cumulativeWeights, type Random } from './seeded-random.ts';

export interface Shopper {
  anonymousId: string;
  /** Set once the shopper signs in at checkout. */
  userId?: string;
  ip: string;
  userAgent: string;
  locale: string;
  timezone: string;
  currency: Currency;
  /** How far the device clock is off; timestamps and sentAt both carry it. */
  clockSkewMs: number;
}

/** Browser mix roughly as shops see it: mobile Safari and Chrome lead. */
const USER_AGENTS: ReadonlyArray<[weight: number, userAgent: string]> = [
  [
    28,
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  ],
  [
    24,
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  ],
  [
    16,
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36',
  ],
  [
    10,
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  ],
  [
    7,
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
  ],
  [
    6,
    'Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36',
  ],
  [5, 'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0'],
  [
    4,
    'Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
  ],
];
const USER_AGENT_WEIGHTS = cumulativeWeights(USER_AGENTS.map(([weight]) => weight));

const LOCALES: ReadonlyArray<[weight: number, locale: string, timezone: string, Currency]> = [
  [30, 'en-US', 'America/New_York', 'USD'],
  [15, 'en-US', 'America/Los_Angeles', 'USD'],
  [12, 'en-GB', 'Europe/London', 'GBP'],
  [12, 'de-DE', 'Europe/Berlin', 'EUR'],
  [8, 'fr-FR', 'Europe/Paris', 'EUR'],
  [8, 'en-CA', 'America/Toronto', 'CAD'],
  [5, 'en-AU', 'Australia/Sydney', 'AUD'],
];
const LOCALE_WEIGHTS = cumulativeWeights(LOCALES.map(([weight]) => weight));

/** Documentation address blocks (RFC 5737, RFC 3849): realistic shapes, nobody's address. */
const IPV4_NETWORKS = ['192.0.2', '198.51.100', '203.0.113'] as const;

function documentationIp(rng: Random): string {
  if (rng.chance(0.2)) return `2001:db8::${rng.int(1, 0xffff).toString(16)}`;
  return `${rng.pick(IPV4_NETWORKS)}.${rng.int(1, 254)}`;
}

/** Most clocks are close; a few are off by minutes or hours (time zones set by hand). */
function clockSkew(rng: Random): number {
  const roll = rng.next();
  if (roll < 0.9) return rng.int(-2_000, 2_000);
  if (roll < 0.97) return rng.int(-300_000, 300_000);
  return rng.pick([-1, 1]) * rng.int(1, 12) * 3_600_000;
}

export function newShopper(rng: Random): Shopper {
  const userAgent = USER_AGENTS[rng.weightedIndex(USER_AGENT_WEIGHTS)]?.[1] ?? '';
  const [, locale, timezone, currency] = LOCALES[rng.weightedIndex(LOCALE_WEIGHTS)] ?? [
    0,
    'en-US',
    'America/New_York',
    'USD',
  ];
  return {
    anonymousId: rng.uuid(),
    ip: documentationIp(rng),
    userAgent,
    locale,
    timezone,
    currency,
    clockSkewMs: clockSkew(rng),
  };
}
