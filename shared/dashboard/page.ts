import { createHash } from 'node:crypto';
import { PAGE_SCRIPT } from './page-script.ts';

/**
 * The dashboard page: one self-contained HTML document with Chart.js and the page's script
 * inline, so it works with no internet and in one request. It carries no figures (the script
 * fetches them with the key), so it is built once per cold start. A Content-Security-Policy
 * allows exactly these inline scripts and style (by hash) and requests to this origin only.
 */
export interface DashboardPage {
  html: string;
  headers: Record<string, string>;
  /** The small page shown instead when the key is missing or wrong. */
  keyRequired(reason: string): string;
}

export interface PageOptions {
  /** Chart.js's UMD build, inlined as it is. */
  chartJs: string;
  refreshSeconds: number;
  title?: string;
}

const STYLE = `
:root { color-scheme: light; --ink: #0f172a; --muted: #64748b; --line: #e2e8f0; --card: #fff; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: #f1f5f9; }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 4px 16px;
  padding: 16px 24px; background: #0f172a; color: #f8fafc; }
header h1 { margin: 0; font-size: 20px; font-weight: 650; }
header .meta { color: #cbd5e1; font-size: 13px; }
header #status { margin-left: auto; font-size: 13px; color: #cbd5e1; }
body[data-state="ready"] #status::before { content: "● "; color: #4ade80; }
body[data-state="error"] #status, body[data-state="unauthorized"] #status { color: #fca5a5; }
main { padding: 20px 24px 32px; max-width: 1500px; margin: 0 auto; }
.tiles { display: grid; gap: 12px; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); }
.tile, .card { background: var(--card); border: 1px solid var(--line); border-radius: 10px; }
.tile { padding: 14px 16px; }
.tile h2 { margin: 0; font-size: 12px; font-weight: 600; color: var(--muted);
  text-transform: uppercase; letter-spacing: .04em; }
.tile .value { display: block; margin-top: 4px; font-size: 28px; font-weight: 650;
  font-variant-numeric: tabular-nums; }
.tile .sub { color: var(--muted); font-size: 12px; min-height: 1.2em; }
.grid { display: grid; gap: 16px; margin-top: 16px;
  grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); }
.card { padding: 14px 16px 16px; min-width: 0; }
.card h2 { margin: 0 0 8px; font-size: 15px; font-weight: 620; }
.chart { position: relative; height: 280px; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { padding: 6px 8px; border-bottom: 1px solid var(--line); text-align: left; }
th { font-size: 12px; color: var(--muted); font-weight: 600; }
.num { text-align: right; }
.muted { color: var(--muted); font-size: 12px; }
.wide { grid-column: 1 / -1; }
@media (max-width: 560px) { .grid { grid-template-columns: 1fr; } main { padding: 12px; } }
`;

const escapeHtml = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** A script's text inside <script>: "</script" (any case) would end the element early. */
export function inlineScript(source: string): string {
  return source.replace(/<\/(script)/gi, '<\\/$1');
}

const hash = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

export function buildDashboardPage(options: PageOptions): DashboardPage {
  const title = options.title ?? 'Clickstream analytics: live';
  const chartJs = inlineScript(options.chartJs);
  const script = inlineScript(PAGE_SCRIPT);
  const tile = (id: string, label: string, sub = '') =>
    `<section class="tile"><h2>${label}</h2><span class="value" id="${id}" data-testid="${id}">–</span><div class="sub"${sub ? ` id="${sub}" data-testid="${sub}"` : ''}></div></section>`;
  const card = (id: string, label: string, extra = '') =>
    `<section class="card${extra}"><h2>${label}</h2><div class="chart"><canvas id="${id}" data-testid="${id}" role="img" aria-label="${label}"></canvas></div></section>`;
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body data-state="loading" data-refresh-seconds="${options.refreshSeconds}">
<header><h1>${escapeHtml(title)}</h1><span class="meta" id="period" data-testid="period">loading…</span><span id="status" data-testid="status">Loading…</span></header>
<main>
<div class="tiles">
${tile('revenue', 'Revenue', 'revenue-other')}
${tile('orders', 'Orders')}
${tile('active-users', 'Active users')}
${tile('conversion', 'Conversion (view → order)')}
${tile('bad-events', 'Bad events')}
${tile('events', 'Events')}
</div>
<div class="grid">
${card('chart-revenue', 'Revenue and orders per window')}
${card('chart-events', 'Events per window by kind')}
<section class="card"><h2>Funnel</h2><div class="chart"><canvas id="chart-funnel" data-testid="chart-funnel" role="img" aria-label="Funnel"></canvas></div>
<table data-testid="funnel"><thead><tr><th>step</th><th class="num">count</th><th class="num">of previous</th><th class="num">of viewed</th></tr></thead><tbody id="funnel-rows"></tbody></table></section>
${card('chart-users', 'Active users and bad events per window')}
<section class="card"><h2>Web and app</h2>
<table data-testid="platforms"><thead><tr><th>platform</th><th class="num">events</th><th class="num">page/screen views</th><th class="num">orders</th></tr></thead><tbody id="platform-rows"></tbody></table>
<p class="muted" id="platforms-empty">No events in this period.</p></section>
<section class="card wide"><h2>Top products</h2>
<table data-testid="top-products"><thead><tr><th class="num">#</th><th>product</th><th class="num">views</th><th class="num">added to cart</th><th class="num">units ordered</th><th class="num">revenue</th></tr></thead><tbody id="product-rows"></tbody></table>
<p class="muted" id="products-empty">No products in this period.</p></section>
</div>
<p class="muted">Figures from the warehouse views (metrics_minute, revenue_minute, platform_minute, product_metrics_minute; active users from events) for the hour up to the newest window loaded; one point per aggregation window (60 s deployed, 10 s locally).</p>
</main>
<script>${chartJs}</script>
<script>${script}</script>
</body>
</html>
`;
  const csp = [
    "default-src 'none'",
    `script-src ${hash(chartJs)} ${hash(script)}`,
    `style-src ${hash(STYLE)}`,
    "connect-src 'self'",
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    html,
    headers: {
      'content-security-policy': csp,
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    },
    keyRequired: (reason) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body><h1>${escapeHtml(title)}</h1><p>${escapeHtml(reason)}</p>
<p>Open <code>/dashboard?key=&lt;read key&gt;</code>.</p></body></html>
`,
  };
}
