import type { ClickstreamEvent } from '../event-contract/clickstream-event.ts';

/**
 * Traffic that is dropped before the warehouse, so funnels and conversion rates count people.
 *
 * Bots, by user agent: named search and social crawlers, AI crawlers, headless browsers and
 * automation, uptime monitors and HTTP libraries, plus the generic words crawlers use for
 * themselves. "bot" must end a word and not follow "cu", because CUBOT is a phone brand.
 * An event without a user agent is kept: server-side SDKs send none.
 */
const BOT_USER_AGENT = new RegExp(
  [
    'googlebot',
    'bingbot',
    'yandex(bot|images)',
    'duckduckbot',
    'baiduspider',
    'slurp',
    'applebot',
    'ahrefsbot',
    'semrushbot',
    'mj12bot',
    'petalbot',
    'facebookexternalhit',
    'gptbot',
    'claudebot',
    'ccbot',
    'bytespider',
    'headlesschrome',
    'phantomjs',
    'puppeteer',
    'playwright',
    'selenium',
    'chrome-lighthouse',
    'pingdom',
    'uptimerobot',
    '^curl/',
    '^wget/',
    'python-requests',
    '^python-urllib',
    'go-http-client',
    '^java/',
    '^axios/',
    'node-fetch',
    'crawler',
    'spider',
    'scraper',
    '(?<!cu)bot\\b',
  ].join('|'),
  'i',
);

// A visitor's every event carries the same user agent, and the pattern has some forty
// alternatives: answers are remembered, bounded (as enrich.ts's parses) against forged agents.
const CACHE_LIMIT = 1000;
const answers = new Map<string, boolean>();

export function isBotUserAgent(userAgent: string | undefined): boolean {
  if (userAgent === undefined) return false;
  const known = answers.get(userAgent);
  if (known !== undefined) return known;
  const bot = BOT_USER_AGENT.test(userAgent);
  if (answers.size >= CACHE_LIMIT) answers.clear();
  answers.set(userAgent, bot);
  return bot;
}

/**
 * Test traffic: QA runs, synthetic checks and load tests mark themselves so they never reach
 * the numbers. Marked by `test: true` in properties, traits, context.traits or context, or by
 * an anonymousId starting with TEST_ANONYMOUS_ID_PREFIX.
 */
export const TEST_ANONYMOUS_ID_PREFIX = 'test-';

export function isTestTraffic(event: ClickstreamEvent): boolean {
  if (event.anonymousId?.startsWith(TEST_ANONYMOUS_ID_PREFIX)) return true;
  return (
    isMarked(event.properties) ||
    isMarked(event.traits) ||
    isMarked(event.context.traits) ||
    isMarked(event.context)
  );
}

function isMarked(bag: unknown): boolean {
  return typeof bag === 'object' && bag !== null && (bag as { test?: unknown }).test === true;
}
