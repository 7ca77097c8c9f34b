import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CHART_JS_VERSION, chartJsSource } from '../../../shared/dashboard/chart-js.ts';
import { inlineScript } from '../../../shared/dashboard/page.ts';

const installed = join(__dirname, '../../../node_modules/chart.js');

describe('the bundled Chart.js', () => {
  test('is exactly the installed UMD build (else: npx tsx tools/generate-chart-asset.ts)', () => {
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      version: string;
    };
    expect(CHART_JS_VERSION).toBe(manifest.version);
    expect(chartJsSource()).toBe(readFileSync(join(installed, 'dist/chart.umd.min.js'), 'utf8'));
    expect(chartJsSource()).toMatch(/^\/\*!\s*\n?\s*\* Chart\.js v4/); // its license header kept
  });

  test.each([
    ['a closing script tag', 'a = "</script>";', 'a = "<\\/script>";'],
    ['in any case', 'x("</SCRIPT >")', 'x("<\\/SCRIPT >")'],
    ['nothing to escape', 'if (a < b) c();', 'if (a < b) c();'],
  ])('inlined scripts cannot end their element early: %s', (_, source, expected) => {
    expect(inlineScript(source)).toBe(expected);
  });
});
