import { brotliDecompressSync } from 'node:zlib';
import {
  CHART_JS_BROTLI_BASE64,
  CHART_JS_BYTES,
  CHART_JS_VERSION,
} from './chart-js-asset.generated.ts';

export { CHART_JS_VERSION };

let inflated: string | undefined;

/**
 * The Chart.js UMD build (chart.umd.min.js, license header included) as text, inflated from
 * the bundled asset once per cold start (about 2 ms). The page inlines it, so the dashboard
 * needs no CDN and no second request.
 */
export function chartJsSource(): string {
  if (inflated === undefined) {
    const bytes = brotliDecompressSync(Buffer.from(CHART_JS_BROTLI_BASE64, 'base64'));
    if (bytes.length !== CHART_JS_BYTES) {
      throw new Error(
        `the bundled Chart.js inflated to ${bytes.length} bytes, not ${CHART_JS_BYTES}`,
      );
    }
    inflated = bytes.toString('utf8');
  }
  return inflated;
}
