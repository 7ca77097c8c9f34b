import {
  isBotUserAgent,
  isTestTraffic,
  TEST_ANONYMOUS_ID_PREFIX,
} from '../../../shared/transform/bots.ts';
import { productViewed, UA } from './factories.ts';

describe('isBotUserAgent', () => {
  it.each([
    ['Googlebot', UA.googlebot],
    ['bingbot', 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)'],
    ['HeadlessChrome', UA.headlessChrome],
    ['AhrefsBot', 'Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)'],
    [
      'GPTBot',
      'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)',
    ],
    [
      'facebookexternalhit',
      'facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)',
    ],
    [
      'Baiduspider',
      'Mozilla/5.0 (compatible; Baiduspider/2.0; +http://www.baidu.com/search/spider.html)',
    ],
    ['a generic crawler', 'SiteAuditCrawler/1.0'],
    [
      'Lighthouse',
      'Mozilla/5.0 (Linux; Android 11) Chrome/131.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse',
    ],
    ['curl', 'curl/8.5.0'],
    ['python-requests', 'python-requests/2.32.3'],
  ])('%s is a bot', (_name, userAgent) => {
    expect(isBotUserAgent(userAgent)).toBe(true);
  });

  it.each([
    ['Chrome on Windows', UA.chromeWindows],
    ['Safari on iPhone', UA.safariIphone],
    ['Firefox on Linux', UA.firefoxLinux],
    [
      'a CUBOT phone (a brand, not a bot)',
      'Mozilla/5.0 (Linux; Android 13; CUBOT KINGKONG 9) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
    ],
    ['no user agent (server-side SDKs)', undefined],
  ])('%s is not a bot', (_name, userAgent) => {
    expect(isBotUserAgent(userAgent)).toBe(false);
  });
});

describe('isTestTraffic', () => {
  it.each([
    ['properties.test', productViewed({ properties: { product_id: 'p', test: true } })],
    ['context.traits.test', productViewed({ context: { traits: { test: true } } })],
    ['context.test', productViewed({ context: { test: true } })],
    ['identify traits.test', productViewed({ type: 'identify', traits: { test: true } })],
    [
      'the anonymousId prefix',
      productViewed({ anonymousId: `${TEST_ANONYMOUS_ID_PREFIX}checkout-42` }),
    ],
  ])('%s marks test traffic', (_name, event) => {
    expect(isTestTraffic(event)).toBe(true);
  });

  it.each([
    ['a plain event', productViewed()],
    ['test: "true" (a string, not the flag)', productViewed({ properties: { test: 'true' } })],
    ['test: false', productViewed({ properties: { test: false } })],
    [
      'a user id that looks like the prefix',
      productViewed({ userId: 'test-1', anonymousId: 'a-1' }),
    ],
  ])('%s is not test traffic', (_name, event) => {
    expect(isTestTraffic(event)).toBe(false);
  });
});
