/**
 * The simulated shop's catalogue. It is built from its own fixed seed, not the run's, so
 * product ids, names and prices stay the same across runs and dashboards can be compared.
 */
import { cumulativeWeights, Random } from './seeded-random.ts';
import type { Currency } from './cents.ts';

export const SHOP_ORIGIN = 'https://shop.example.com';

export interface Product {
  product_id: string;
  sku: string;
  category: string;
  name: string;
  brand: string;
  variant: string;
  /** Price in cents in each currency the shop sells in (charm prices, not converted ones). */
  priceCents: Record<Currency, number>;
  url: string;
  image_url: string;
}

export interface Catalogue {
  products: readonly Product[];
  /** Running sum of popularity over `products`: a long tail, a few products sell most. */
  popularity: readonly number[];
  /** Product indexes by category, and their running popularity, for list pages. */
  byCategory: ReadonlyMap<string, CategoryEntry>;
}

interface CategoryEntry {
  indexes: readonly number[];
  popularity: readonly number[];
  /** The category page: its products, most popular first (as a shop sorts by default). */
  page: readonly Product[];
}

/** Products on a category page. */
const PAGE_SIZE = 8;

interface CategorySpec {
  name: string;
  code: string;
  /** Price range in US cents. */
  priceCents: [number, number];
  items: readonly string[];
  variants: readonly string[];
}

const CATEGORIES: readonly CategorySpec[] = [
  {
    name: 'Running Shoes',
    code: 'RS',
    priceCents: [6900, 18900],
    items: ['Trail Runner GTX', 'Tempo Racer', 'Cloudstep Daily', 'Ridge Pro', 'Pacer Lite'],
    variants: ['Black / 42', 'Blue / 43', 'Grey / 41', 'White / 44'],
  },
  {
    name: 'Outdoor Jackets',
    code: 'OJ',
    priceCents: [9900, 34900],
    items: ['Summit Down Parka', 'Stormshell 2.5L', 'Alpine Fleece Hoodie', 'Wind Shell'],
    variants: ['Navy / M', 'Olive / L', 'Black / S', 'Rust / M'],
  },
  {
    name: 'Backpacks',
    code: 'BP',
    priceCents: [3900, 21900],
    items: ['Daypack 22L', 'Commuter Roll-Top 28L', 'Trek 45L', 'Hydration Vest 8L'],
    variants: ['Black', 'Sand', 'Forest Green', 'Slate'],
  },
  {
    name: 'Yoga & Fitness',
    code: 'YF',
    priceCents: [1500, 12900],
    items: ['Cork Yoga Mat', 'Resistance Band Set', 'Seamless Leggings', 'Foam Roller'],
    variants: ['Natural', 'Plum / S', 'Charcoal / M', 'Teal'],
  },
  {
    name: 'Camping',
    code: 'CA',
    priceCents: [2900, 49900],
    items: ['Ultralight Tent 2P', 'Down Sleeping Bag', 'Camp Stove', 'Inflatable Pad'],
    variants: ['Green', 'Orange', 'Grey', 'Regular', 'Long'],
  },
  {
    name: 'Accessories',
    code: 'AC',
    priceCents: [700, 6900],
    items: ['Merino Socks', 'Insulated Bottle 750ml', 'Headlamp 400lm', 'Trail Cap', 'Buff'],
    variants: ['One size', 'Black', 'Orange', 'M / L'],
  },
];

const BRANDS = ['Northpeak', 'Stridelab', 'Alder & Co', 'Vanta', 'Kestrel Outdoor', 'Fjellgo'];

/** Fixed rates: shops set local prices by hand, so they are rounded to charm prices below. */
const RATES: Record<Currency, number> = { USD: 1, EUR: 0.93, GBP: 0.79, CAD: 1.37, AUD: 1.52 };

/** Exponent of the Zipf-like popularity: ~1 gives the familiar head and long tail. */
const ZIPF_EXPONENT = 1.07;

/** A URL slug: lower case, words joined by '-'. */
export const slugify = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

function localPrices(usdCents: number, ending: number): Record<Currency, number> {
  const prices = {} as Record<Currency, number>;
  for (const [currency, rate] of Object.entries(RATES) as Array<[Currency, number]>) {
    const units = Math.max(1, Math.round((usdCents * rate) / 100));
    prices[currency] = units * 100 - 100 + ending;
  }
  return prices;
}

function buildCatalogue(): Catalogue {
  const rng = new Random(20261125);
  const products: Product[] = [];
  let id = 18_400;
  for (const category of CATEGORIES) {
    for (const item of category.items) {
      // Two or three brands make each item, which gives the catalogue its long tail.
      const brands = rng.shuffle(BRANDS).slice(0, rng.int(2, 3));
      for (const brand of brands) {
        id += rng.int(7, 93);
        const variant = rng.pick(category.variants);
        const slug = slugify(`${brand} ${item}`);
        const [low, high] = category.priceCents;
        products.push({
          product_id: String(id),
          sku: `${category.code}-${id}-${slugify(variant).toUpperCase()}`,
          category: category.name,
          name: `${brand} ${item}`,
          brand,
          variant,
          priceCents: localPrices(rng.int(low, high), rng.pick([99, 95, 50, 0])),
          url: `${SHOP_ORIGIN}/products/${slug}`,
          image_url: `https://cdn.shop.example.com/images/${slug}-1.jpg`,
        });
      }
    }
  }
  // Popularity rank is shuffled so the best sellers are spread over categories.
  const ranks = rng.shuffle(products.map((_, i) => i));
  const weights = ranks.map((rank) => 1 / (rank + 1) ** ZIPF_EXPONENT);
  const byCategory = new Map<string, CategoryEntry>();
  for (const category of CATEGORIES) {
    const indexes = products.flatMap((p, i) => (p.category === category.name ? [i] : []));
    const popularity = cumulativeWeights(indexes.map((i) => weights[i] ?? 0));
    const page = [...indexes]
      .sort((a, b) => (weights[b] ?? 0) - (weights[a] ?? 0))
      .slice(0, PAGE_SIZE)
      .flatMap((i) => products[i] ?? []);
    byCategory.set(category.name, { indexes, popularity, page });
  }
  return { products, popularity: cumulativeWeights(weights), byCategory };
}

export const CATALOGUE: Catalogue = buildCatalogue();

/** A product drawn by popularity, optionally within one category. */
export function popularProduct(rng: Random, catalogue: Catalogue, category?: string): Product {
  if (category === undefined) {
    const product = catalogue.products[rng.weightedIndex(catalogue.popularity)];
    if (product === undefined) throw new RangeError('the catalogue is empty');
    return product;
  }
  const list = catalogue.byCategory.get(category);
  const index = list ? list.indexes[rng.weightedIndex(list.popularity)] : undefined;
  const product = index === undefined ? undefined : catalogue.products[index];
  if (product === undefined) throw new RangeError(`no products in category ${category}`);
  return product;
}

/** The products a category page lists, most popular first. */
export function categoryPage(catalogue: Catalogue, category: string): readonly Product[] {
  return catalogue.byCategory.get(category)?.page ?? [];
}
