/**
 * The fixed shop the fixtures shop in: the simulator's catalogue (in US cents), and the
 * browsers, networks and search terms of the bench's visitors. Data, not logic;
 * bench/fixtures.ts walks visitors through it.
 */
import { CATALOGUE, slugify, type Product as ShopProduct } from '../tools/simulator/catalogue.ts';

export { Random } from '../tools/simulator/seeded-random.ts';
export { SHOP_ORIGIN } from '../tools/simulator/catalogue.ts';

/** A catalogue product priced in US cents only: the bench's shop sells in one currency. */
export type Product = Omit<ShopProduct, 'priceCents'> & { priceCents: number };

export const CATALOG: readonly Product[] = CATALOGUE.products.map((product) => ({
  ...product,
  priceCents: product.priceCents.USD,
}));

export const CATEGORY_PAGES = [...new Set(CATALOG.map((product) => product.category))].map(
  (name) => ({ name, slug: slugify(name) }),
);

/** What shoppers type, and the category whose products the search mostly returns. */
export const SEARCH_TERMS = [
  { query: 'trail running shoes', category: 'Running Shoes' },
  { query: 'running shoes wide', category: 'Running Shoes' },
  { query: 'waterproof jacket', category: 'Outdoor Jackets' },
  { query: 'down parka', category: 'Outdoor Jackets' },
  { query: 'backpack 28l', category: 'Backpacks' },
  { query: 'yoga mat', category: 'Yoga & Fitness' },
  { query: 'merino socks', category: 'Accessories' },
  { query: 'headlamp', category: 'Accessories' },
] as const;

export const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36',
  'Mozilla/5.0 (X11; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
  'Mozilla/5.0 (Linux; Android 14; SM-S921B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
] as const;

/** Documentation address blocks (RFC 5737): realistic shape, nobody's real address. */
export const NETWORKS = ['192.0.2', '198.51.100', '203.0.113'] as const;

export const LOCALES = [
  { locale: 'en-US', timezone: 'America/New_York' },
  { locale: 'en-US', timezone: 'America/Los_Angeles' },
  { locale: 'en-GB', timezone: 'Europe/London' },
  { locale: 'de-DE', timezone: 'Europe/Berlin' },
  { locale: 'fr-FR', timezone: 'Europe/Paris' },
] as const;

export const REFERRERS = [
  'https://www.google.com/',
  'https://duckduckgo.com/',
  'https://www.instagram.com/',
  'https://newsletter.example.com/',
  '',
] as const;

export const LIBRARY = { name: 'analytics.js', version: 'next-1.76.0' } as const;
