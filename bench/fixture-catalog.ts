/**
 * The fixed shop the fixtures shop in: a product catalog, browsers, networks and search
 * terms. Data, not logic; bench/fixtures.ts walks visitors through it.
 */
import { mulberry32 } from '../tools/random.ts';

/** Deterministic PRNG (mulberry32): the same seed gives the same fixtures on every machine. */
export class Random {
  private readonly generator: () => number;

  constructor(seed: number) {
    this.generator = mulberry32(seed);
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.generator();
  }

  /** An integer in [min, max], both included. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new RangeError('cannot pick from an empty list');
    return item;
  }

  /** `count` distinct items, in random order. */
  sample<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const out: T[] = [];
    while (out.length < count && pool.length > 0) {
      const [item] = pool.splice(Math.floor(this.next() * pool.length), 1);
      if (item !== undefined) out.push(item);
    }
    return out;
  }

  /** A UUID with the version-4 layout, from this generator (so reproducible, not random). */
  uuid(): string {
    const hex = Array.from({ length: 32 }, () => this.int(0, 15).toString(16));
    hex[12] = '4';
    hex[16] = ((this.int(0, 15) & 0x3) | 0x8).toString(16);
    const h = hex.join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }
}

export interface Product {
  product_id: string;
  sku: string;
  category: string;
  name: string;
  brand: string;
  variant: string;
  /** Whole cents, so that order totals add up exactly. */
  priceCents: number;
  url: string;
  image_url: string;
}

export const SHOP_ORIGIN = 'https://shop.example.com';

interface CategorySpec {
  name: string;
  slug: string;
  code: string;
  priceCents: [number, number];
  items: readonly string[];
  variants: readonly string[];
}

const CATEGORIES: readonly CategorySpec[] = [
  {
    name: 'Running Shoes',
    slug: 'running-shoes',
    code: 'RS',
    priceCents: [7900, 18900],
    items: ['Trail Runner GTX', 'Tempo Racer 3', 'Cloudstep Daily', 'Ridge Pro', 'Pacer Lite'],
    variants: ['Black / 42', 'Blue / 43', 'Grey / 41', 'White / 44', 'Volt / 42'],
  },
  {
    name: 'Outdoor Jackets',
    slug: 'outdoor-jackets',
    code: 'OJ',
    priceCents: [12900, 34900],
    items: ['Summit Down Parka', 'Stormshell 2.5L', 'Alpine Fleece Hoodie', 'Packable Wind Shell'],
    variants: ['Navy / M', 'Olive / L', 'Black / S', 'Rust / M'],
  },
  {
    name: 'Backpacks',
    slug: 'backpacks',
    code: 'BP',
    priceCents: [4900, 21900],
    items: ['Daypack 22L', 'Commuter Roll-Top 28L', 'Trek 45L', 'Hydration Vest 8L'],
    variants: ['Black', 'Sand', 'Forest Green', 'Slate'],
  },
  {
    name: 'Yoga & Fitness',
    slug: 'yoga-fitness',
    code: 'YF',
    priceCents: [1900, 12900],
    items: ['Cork Yoga Mat', 'Resistance Band Set', 'Seamless Leggings', 'Foam Roller'],
    variants: ['Natural', 'Plum / S', 'Charcoal / M', 'Teal'],
  },
  {
    name: 'Accessories',
    slug: 'accessories',
    code: 'AC',
    priceCents: [900, 6900],
    items: ['Merino Running Socks', 'Insulated Bottle 750ml', 'Headlamp 400lm', 'Trail Cap'],
    variants: ['One size', 'Black', 'Orange', 'M / L'],
  },
];

const BRANDS = ['Northpeak', 'Stridelab', 'Alder & Co', 'Vanta', 'Kestrel Outdoor'] as const;

function slugify(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** The catalog: built from its own fixed seed, so product ids never change with the run seed. */
export const CATALOG: readonly Product[] = (() => {
  const rng = new Random(20261125);
  const products: Product[] = [];
  let id = 18_400;
  for (const category of CATEGORIES) {
    category.items.forEach((item, i) => {
      id += rng.int(7, 93);
      const variant = rng.pick(category.variants);
      const [low, high] = category.priceCents;
      const dollars = Math.floor(rng.int(low, high) / 100);
      const slug = slugify(item);
      products.push({
        product_id: String(id),
        sku: `${category.code}-${String(i + 1).padStart(3, '0')}-${slugify(variant).toUpperCase()}`,
        category: category.name,
        name: item,
        brand: rng.pick(BRANDS),
        variant,
        priceCents: dollars * 100 + rng.pick([0, 50, 95, 99]),
        url: `${SHOP_ORIGIN}/products/${slug}`,
        image_url: `https://cdn.shop.example.com/images/${slug}-1.jpg`,
      });
    });
  }
  return products;
})();

export const CATEGORY_PAGES = CATEGORIES.map((c) => ({ name: c.name, slug: c.slug }));

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
