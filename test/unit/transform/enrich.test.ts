import { anonymiseIp, parseUserAgent } from '../../../shared/transform/enrich.ts';
import { UA } from './factories.ts';

describe('parseUserAgent (ua-parser-js v1)', () => {
  it.each([
    ['Chrome on Windows', UA.chromeWindows, ['Chrome', '131.0.0.0', 'Windows', '10', 'desktop']],
    ['Safari on iPhone', UA.safariIphone, ['Mobile Safari', '17.5', 'iOS', '17.5', 'mobile']],
    ['Firefox on Linux', UA.firefoxLinux, ['Firefox', '133.0', 'Linux', null, 'desktop']],
    [
      'Safari on iPad',
      'Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      ['Mobile Safari', '17.5', 'iOS', '17.5', 'tablet'],
    ],
    // A crawler is no browser: nothing is made up (and the transform drops it before this).
    ['Googlebot', UA.googlebot, [null, null, null, null, null]],
    ['an unknown client', 'shop-backend/2.3', [null, null, null, null, null]],
  ])('%s', (_name, userAgent, [browser, browserVersion, os, osVersion, deviceType]) => {
    expect(parseUserAgent(userAgent)).toEqual({
      browser,
      browser_version: browserVersion,
      os,
      os_version: osVersion,
      device_type: deviceType,
    });
  });

  it.each([[undefined], ['']])('gives all nulls for a missing user agent (%j)', (userAgent) => {
    expect(Object.values(parseUserAgent(userAgent))).toEqual([null, null, null, null, null]);
  });

  it('answers the same from its cache as from a first parse', () => {
    const first = parseUserAgent(UA.safariIphone);
    expect(parseUserAgent(UA.safariIphone)).toEqual(first);
  });
});

describe('anonymiseIp', () => {
  it.each([
    ['IPv4: last octet zeroed', '203.0.113.220', '203.0.113.0'],
    ['IPv4 edge values', '255.255.255.255', '255.255.255.0'],
    ['IPv4 already ending in 0', '10.0.0.0', '10.0.0.0'],
    [
      'IPv6 full: the first 48 bits kept',
      '2001:db8:85a3:8d3:1319:8a2e:370:7348',
      '2001:db8:85a3::',
    ],
    [
      'IPv6 full with leading zeros, upper case',
      '2001:0DB8:0000:0000:0000:0000:0000:0001',
      '2001:db8::',
    ],
    ['IPv6 compressed', '2001:db8::1', '2001:db8::'],
    ['IPv6 compressed at the end', '1:2:3:4:5:6:7::', '1:2:3::'],
    ['IPv6 compressed at the start', '::2:3:4:5:6:7:8', '0:2:3::'],
    ['IPv6 loopback', '::1', '::'],
    ['IPv6 unspecified', '::', '::'],
    ['IPv6 with a NAT64 IPv4 tail', '64:ff9b::192.0.2.33', '64:ff9b::'],
    ['IPv4-mapped IPv6, dotted', '::ffff:203.0.113.7', '203.0.113.0'],
    ['IPv4-mapped IPv6, hex', '::ffff:cb00:7107', '203.0.113.0'],
    ['IPv4-mapped IPv6, written out', '0:0:0:0:0:ffff:192.0.2.1', '192.0.2.0'],
  ])('%s: %s -> %s', (_name, ip, expected) => {
    expect(anonymiseIp(ip)).toBe(expected);
  });

  it.each([
    ['three octets', '1.2.3'],
    ['an octet above 255', '256.1.1.1'],
    ['a leading zero (octal or decimal?)', '010.1.1.1'],
    ['a port', '203.0.113.7:443'],
    ['a list from X-Forwarded-For', '203.0.113.7, 10.0.0.1'],
    ['two "::"', '1::2::3'],
    ['nine groups', '1:2:3:4:5:6:7:8:9'],
    ['seven groups without "::"', '1:2:3:4:5:6:7'],
    ['"::" standing for no group', '1:2:3:4::5:6:7:8'],
    ['a group of five digits', '12345::1'],
    ['a zone', 'fe80::1%eth0'],
    ['brackets', '[2001:db8::1]'],
    ['a bad IPv4 tail', '::ffff:1.2.3.999'],
    ['an empty string', ''],
    ['a number', 3405803783],
    ['null', null],
  ])('gives null for %s', (_name, ip) => {
    expect(anonymiseIp(ip)).toBeNull();
  });
});
