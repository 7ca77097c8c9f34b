/**
 * Who visits: a browser, a network address, a locale with its currency, and a clock that
 * is sometimes wrong (the server corrects skew from sentAt, so the simulator must exercise it).
 */
import type { Currency } from './cents.ts';
import { cumulativeWeights, type Random } from './seeded-random.ts';

/** A shopper in the shop's app rather than its website: what the mobile SDK puts in context. */
export interface AppInstall {
  platform: 'ios' | 'android';
  /** analytics-swift's / analytics-kotlin's context: app, device, os, screen, network, library. */
  context: Record<string, unknown>;
}

export interface Shopper {
  anonymousId: string;
  /** Set for app shoppers: they send screens, and alias their anonymousId when they sign in. */
  app?: AppInstall;
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

/** Share of visits made in the shop's app (iOS and Android alike) rather than on its website. */
export const APP_SHARE = 0.3;

const IOS_MODELS = ['iPhone15,2', 'iPhone16,1', 'iPhone14,5', 'iPhone17,3'] as const;
const ANDROID_MODELS: ReadonlyArray<[manufacturer: string, model: string, device: string]> = [
  ['Google', 'Pixel 8', 'shiba'],
  ['samsung', 'SM-S921B', 'e1s'],
  ['Xiaomi', '23078PND5G', 'corot'],
];

/** The context each SDK sends, as in events/mobile/ (their Context plugins). */
function appInstall(rng: Random): AppInstall {
  const wifi = rng.chance(0.6);
  const network = { bluetooth: false, cellular: !wifi, wifi };
  const app = { name: 'Shop', version: '4.2.0', namespace: 'com.example.shop' };
  if (rng.chance(0.55)) {
    const os = rng.pick(['17.6.1', '18.1'] as const);
    return {
      platform: 'ios',
      context: {
        app: { ...app, build: '4200' },
        device: {
          manufacturer: 'Apple',
          type: 'ios',
          model: rng.pick(IOS_MODELS),
          name: 'iPhone',
          id: rng.uuid().toUpperCase(),
        },
        os: { name: 'iOS', version: os },
        screen: { width: 393, height: 852 },
        network,
        userAgent: `Mozilla/5.0 (iPhone; CPU iPhone OS ${os.replaceAll('.', '_')} like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148`,
        library: { name: 'analytics-swift', version: '1.6.0' },
      },
    };
  }
  const [manufacturer, model, device] = rng.pick(ANDROID_MODELS);
  return {
    platform: 'android',
    context: {
      app: { ...app, build: '40200' },
      device: {
        id: rng.uuid().replaceAll('-', ''),
        manufacturer,
        model,
        name: device,
        type: 'android',
      },
      os: { name: 'Android', version: '14' },
      screen: { density: 2.625, height: 2400, width: 1080 },
      network,
      userAgent: `Dalvik/2.1.0 (Linux; U; Android 14; ${model} Build/UQ1A.240205.004)`,
      library: { name: 'analytics-kotlin', version: '1.17.0' },
    },
  };
}

export function newShopper(rng: Random): Shopper {
  const userAgent = USER_AGENTS[rng.weightedIndex(USER_AGENT_WEIGHTS)]?.[1] ?? '';
  const [, locale, timezone, currency] = LOCALES[rng.weightedIndex(LOCALE_WEIGHTS)] ?? [
    0,
    'en-US',
    'America/New_York',
    'USD',
  ];
  const shopper: Shopper = {
    anonymousId: rng.uuid(),
    ip: documentationIp(rng),
    userAgent,
    locale,
    timezone,
    currency,
    clockSkewMs: clockSkew(rng),
  };
  if (rng.chance(APP_SHARE)) shopper.app = appInstall(rng);
  return shopper;
}
