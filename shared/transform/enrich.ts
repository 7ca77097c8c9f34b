import { UAParser } from 'ua-parser-js';

/**
 * Enrichment done before anything is stored: browser, OS and device from the user agent,
 * and the client IP anonymised (GDPR/ePrivacy: the full address never reaches S3 or the
 * warehouse, only the network it came from).
 */

export interface UserAgentInfo {
  browser: string | null;
  browser_version: string | null;
  os: string | null;
  os_version: string | null;
  device_type: string | null;
}

const NO_USER_AGENT: UserAgentInfo = {
  browser: null,
  browser_version: null,
  os: null,
  os_version: null,
  device_type: null,
};

// One visitor sends many events with the same user agent, and parsing costs far more than a
// lookup. Bounded so that a stream of unique (forged) agents cannot grow it without limit.
const CACHE_LIMIT = 1000;
const cache = new Map<string, UserAgentInfo>();

export function parseUserAgent(userAgent: string | undefined): UserAgentInfo {
  if (userAgent === undefined || userAgent === '') return NO_USER_AGENT;
  const cached = cache.get(userAgent);
  if (cached) return cached;
  const { browser, os, device } = new UAParser(userAgent).getResult();
  const info: UserAgentInfo = {
    browser: browser.name ?? null,
    browser_version: browser.version ?? null,
    os: os.name ?? null,
    os_version: os.version ?? null,
    // ua-parser-js v1 names mobile, tablet, smarttv, console, wearable and embedded devices
    // and leaves desktops unnamed: a recognised browser with no device type is a desktop.
    device_type: device.type ?? (browser.name ? 'desktop' : null),
  };
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(userAgent, info);
  return info;
}

const OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
// No leading zeros: "010" is octal to some parsers and decimal to others.
const IPV4 = new RegExp(`^${OCTET}(\\.${OCTET}){3}$`);
const HEXTET = /^[0-9a-f]{1,4}$/i;

/**
 * IPv4: the last octet zeroed (a /24). IPv6: only the first 48 bits kept (a /48, the usual
 * site prefix), the last 80 zeroed. IPv4-mapped IPv6 (::ffff:a.b.c.d) is the IPv4 client
 * behind a dual-stack socket, so it is anonymised and written as IPv4. Anything that is
 * not an address (brackets, ports, zones, lists, garbage) gives null: nothing is stored.
 */
export function anonymiseIp(ip: unknown): string | null {
  if (typeof ip !== 'string') return null;
  // Octets have no leading zeros, so an address's own text up to its last dot is the /24's.
  if (IPV4.test(ip)) return `${ip.slice(0, ip.lastIndexOf('.'))}.0`;
  const v6 = parseIpv6(ip);
  if (!v6) return null;
  if (isIpv4Mapped(v6)) {
    const [high = 0, low = 0] = v6.slice(6);
    return formatIpv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
  }
  return formatIpv6([...v6.slice(0, 3), 0, 0, 0, 0, 0]);
}

function parseIpv4(text: string): number[] | null {
  return IPV4.test(text) ? text.split('.').map(Number) : null;
}

function formatIpv4(octets: readonly number[]): string {
  return `${octets.slice(0, 3).join('.')}.0`;
}

/** Eight 16-bit groups, or null. Accepts "::" compression and a dotted IPv4 tail. */
function parseIpv6(text: string): number[] | null {
  let address = text;
  if (address.includes('.')) {
    const cut = address.lastIndexOf(':');
    const v4 = parseIpv4(address.slice(cut + 1));
    if (cut < 0 || !v4) return null;
    const [a = 0, b = 0, c = 0, d = 0] = v4;
    address = `${address.slice(0, cut + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = address.split('::');
  if (halves.length > 2) return null;
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (!head || !tail) return null;
  if (halves.length === 1) return head.length === 8 ? head : null;
  const missing = 8 - head.length - tail.length;
  return missing >= 1 ? [...head, ...new Array<number>(missing).fill(0), ...tail] : null;
}

function groups(part: string): number[] | null {
  if (part === '') return [];
  const out: number[] = [];
  for (const group of part.split(':')) {
    if (!HEXTET.test(group)) return null;
    out.push(parseInt(group, 16));
  }
  return out;
}

function isIpv4Mapped(hextets: readonly number[]): boolean {
  return hextets.slice(0, 5).every((h) => h === 0) && hextets[5] === 0xffff;
}

/** RFC 5952 text: lower case, no leading zeros, the longest run of two or more zero groups as "::". */
function formatIpv6(hextets: readonly number[]): string {
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < hextets.length;) {
    if (hextets[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < hextets.length && hextets[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = hextets.map((h) => h.toString(16));
  if (bestStart < 0) return hex.join(':');
  const before = hex.slice(0, bestStart).join(':');
  const after = hex.slice(bestStart + bestLength).join(':');
  return `${before}::${after}`;
}
