import type { ClickstreamEvent } from '../events/clickstream-event.ts';

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

export function isBotUserAgent(userAgent: string | undefined): boolean {
  return userAgent !== undefined && BOT_USER_AGENT.test(userAgent);
}

/**
 * Test traffic: QA runs, synthetic checks and load tests mark themselves so they never reach
 * the numbers. Marked by `test: true` in properties, traits, context.traits or context, or by
 * an anonymousId starting with TEST_ANONYMOUS_ID_PREFIX.
 */
export const TEST_ANONYMOUS_ID_PREFIX = 'test-';

export function isTestTraffic(event: ClickstreamEvent): boolean {
  if (event.anonymousId?.startsWith(TEST_ANONYMOUS_ID_PREFIX)) return true;
  const contextTraits = event.context.traits;
  return [event.properties, event.traits, contextTraits, event.context].some(
    (bag) => typeof bag === 'object' && bag !== null && (bag as { test?: unknown }).test === true,
  );
}
