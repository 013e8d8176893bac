import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';

/**
 * Headless charts: a vega-lite spec → vega → SVG → PNG with resvg, using the DejaVu Sans TTF from
 * the `dejavu-fonts-ttf` package (no system fonts, no downloads), so the PNGs look the same on
 * every machine.
 */
const FONT = 'DejaVu Sans';

function fontFiles(): string[] {
  const require = createRequire(import.meta.url);
  const dir = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
  return [join(dir, 'DejaVuSans.ttf'), join(dir, 'DejaVuSans-Bold.ttf')];
}

export async function renderPng(spec: TopLevelSpec): Promise<Buffer> {
  const withFont = { ...spec, config: { font: FONT, background: 'white', ...(spec.config ?? {}) } } as TopLevelSpec;
  const compiled = vegaLite.compile(withFont).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG(2);
  view.finalize();
  const resvg = new Resvg(svg, { font: { fontFiles: fontFiles(), loadSystemFonts: false, defaultFontFamily: FONT }, background: 'white' });
  return Buffer.from(resvg.render().asPng());
}

type Row = Record<string, string | number | null>;

export function pnlChart(rows: Row[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Cumulative P&L per model line (units)',
    width: 560,
    height: 320,
    data: { values: rows },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'round', type: 'quantitative', axis: { tickMinStep: 1, title: 'round' } },
      y: { field: 'pnl', type: 'quantitative', title: 'cumulative P&L (units)' },
      color: { field: 'model', type: 'nominal', title: 'model' },
    },
  };
}

export function lossChart(rows: Row[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Log loss per round: market final prices, served prediction, models',
    width: 560,
    height: 320,
    data: { values: rows },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'round', type: 'quantitative', axis: { tickMinStep: 1 } },
      y: { field: 'logLoss', type: 'quantitative', title: 'log loss (lower is better)', scale: { type: 'log' } },
      color: { field: 'series', type: 'nominal', title: 'series' },
      strokeDash: { field: 'kind', type: 'nominal', title: 'kind' },
    },
  };
}

export function calibrationChart(rows: Row[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Calibration: predicted probability vs observed frequency',
    width: 420,
    height: 420,
    layer: [
      {
        data: { values: [{ x: 0, y: 0 }, { x: 1, y: 1 }] },
        mark: { type: 'line', color: '#999', strokeDash: [4, 4] },
        encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'y', type: 'quantitative' } },
      },
      {
        data: { values: rows },
        mark: { type: 'line', point: true },
        encoding: {
          x: { field: 'predicted', type: 'quantitative', scale: { domain: [0, 1] }, title: 'mean predicted probability' },
          y: { field: 'observed', type: 'quantitative', scale: { domain: [0, 1] }, title: 'observed frequency' },
          color: { field: 'series', type: 'nominal', title: 'series' },
        },
      },
    ],
  };
}

/** Hit ratio against cache size per policy (streams demo): solid object hits, dashed byte hits. */
export function hitRatioChart(rows: Row[]): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: 'Hit ratio against cache size: the market\'s cache and the baselines',
    width: 560,
    height: 320,
    data: { values: rows },
    mark: { type: 'line', point: true },
    encoding: {
      x: { field: 'fraction', type: 'quantitative', scale: { type: 'log' }, title: 'cache size (% of all streams\' bytes)' },
      y: { field: 'ratio', type: 'quantitative', scale: { domain: [0, 1] }, title: 'hit ratio' },
      color: { field: 'policy', type: 'nominal', title: 'policy' },
      strokeDash: { field: 'kind', type: 'nominal', title: 'hits' },
    },
  };
}
