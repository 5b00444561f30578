import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PNG } from 'pngjs';
import { testFolder } from '../../test/support/run-env.js';
import { referenceBackend } from '../backends/reference/reference-backend.js';
import { Module } from '../nn/module.js';
import { square } from '../ops/math.js';
import { sum } from '../ops/sum.js';
import { getBackend, setBackend, type Backend, type Tensor } from '../tensor/tensor.js';
import { criticGrid } from '../viz/contour-plot.js';
import { PLOT_SCALE } from '../viz/svg.js';
import { imageFigures } from './image/model.js';
import type { ImageConfig } from './image/config.js';
import { curveChart, lossFigure, METRIC_GUIDE, spacedPick } from './report.js';
import type { MetricsLine } from './run-folder.js';
import { languageFigures } from './language/report.js';
import { criticPlot, criticPlotName, criticSurface, TIMELAPSE_FILE, toyFigures, writeTimelapse } from './toy/plots.js';
import type { ToyConfig } from './toy/index.js';

const tmp = testFolder('wgan-gp-app-report-');
let saved: Backend | undefined;
before(() => {
  try {
    saved = getBackend();
  } catch {
    saved = undefined;
  }
  setBackend(referenceBackend());
});
after(() => {
  if (saved) setBackend(saved);
});

/** D(x) = ‖x‖²: ∇D = 2x, so ‖∇D‖ = 2‖x‖. */
class SquaredNorm extends Module {
  forward(x: Tensor): Tensor {
    return sum(square(x), [1]);
  }
}

const lines: MetricsLine[] = [0, 1, 2, 3].map((i) => ({
  iteration: (i + 1) * 100,
  elapsed: i,
  criticLoss: -1 + i / 10,
  wasserstein: 1 - i / 10,
  penalty: 0.1 / (i + 1),
  gradNorm: 1 + 0.1 * i,
  modesCaptured: 5 + i,
  totalModes: 8,
  highQualityPct: 20 * i,
  energyDistance: 0.1 / (i + 1),
  w1: 0.5 - i / 10,
  inceptionScore: 2 + i,
  fid: 100 / (i + 1),
  js4: 0.9 - i / 10,
}));

describe('curves of the run kinds', () => {
  test('the losses are one quantity per panel, the gradient norm with its target 1 dashed', () => {
    const chart = curveChart(lines, lossFigure())!;
    assert.deepEqual(chart.keys, ['criticLoss', 'wasserstein', 'penalty', 'gradNorm'], 'panels without data (generatorLoss) are left out');
    for (const p of chart.panels) assert.equal(p.series.filter((s) => !s.dashed).length, 1, `${p.title}: one quantity`);
    const norm = chart.panels.find((p) => p.title?.includes('gradient norm'))!;
    assert.deepEqual(Array.from(norm.series[1]!.y), [1, 1]);
    assert.ok(norm.series[1]!.dashed);
  });

  test('toy quality: modes captured and % high quality in separate panels, all modes a dashed level, totalModes not charted', () => {
    const figs = toyFigures({ dataset: '8gaussians', evalSamples: 2500 } as ToyConfig);
    const quality = curveChart(lines, figs.find((f) => f.name === 'quality.png')!)!;
    assert.equal(quality.panels.length, 2);
    assert.deepEqual(quality.panels.map((p) => p.yLabel), ['modes', '% of samples']);
    assert.deepEqual(quality.panels[1]!.yRange, [0, 100]);
    assert.deepEqual(Array.from(quality.panels[0]!.series[1]!.y), [8, 8]);
    assert.ok(!figs.some((f) => f.panels.some((p) => p.keys.some((k) => (typeof k === 'string' ? k : k[0]) === 'totalModes'))));
    assert.ok(!toyFigures({ dataset: 'swissroll', evalSamples: 10 } as ToyConfig).some((f) => f.name === 'quality.png'), 'no modes on the Swiss roll');
  });

  test('image IS and FID charts draw the real-data ceiling dashed; without a ceiling, none', () => {
    const ceiling = { inceptionScore: 9.5, inceptionScoreStd: 0.1, fid: 3.25, samples: 500, classifier: 'mnist', source: 'test' };
    const figs = imageFigures({ evalSamples: 500 } as ImageConfig, ceiling);
    const is = curveChart(lines, figs.find((f) => f.name === 'scores.png')!)!;
    const fid = curveChart(lines, figs.find((f) => f.name === 'fid.png')!)!;
    assert.deepEqual(is.panels[0]!.series.map((s) => [s.name, s.dashed ?? false]), [['generator', false], ['real data: 9.50', true]]);
    assert.deepEqual(Array.from(fid.panels[0]!.series[1]!.y), [3.25, 3.25]);
    assert.equal(fid.panels[0]!.logY, true);
    const bare = curveChart(lines, imageFigures({ evalSamples: 500 } as ImageConfig, null).find((f) => f.name === 'scores.png')!)!;
    assert.equal(bare.panels[0]!.series.length, 1);
    // Without held-out data there is no dev-set cost: dev.png would only repeat the critic loss.
    const dev = figs.find((f) => f.name === 'dev.png')!;
    assert.equal(curveChart(lines, dev), null);
    assert.deepEqual(curveChart(lines.map((l) => ({ ...l, devCriticLoss: -1 })), dev)!.panels[0]!.series.map((s) => s.name), ['training batches', 'held-out real data']);
  });

  test('language: each JS-n in its own panel with its held-out floor', () => {
    const js = curveChart(lines, languageFigures({ js1: 0.01, js2: 0.05, js3: 0.1, js4: 0.17 })[0]!)!;
    assert.equal(js.panels.length, 1, 'only js4 was logged here');
    assert.deepEqual(js.panels[0]!.series.map((s) => s.name), ['samples', 'real text 0.170']);
  });

  test('every metric the kinds log is explained in the report', () => {
    const logged = ['criticLoss', 'wasserstein', 'generatorLoss', 'penalty', 'gradNorm', 'criticAcgan', 'generatorAcgan', 'modesCaptured', 'totalModes', 'highQualityPct', 'energyDistance', 'w1', 'devCriticLoss', 'inceptionScore', 'inceptionScoreStd', 'fid', 'js1', 'js2', 'js3', 'js4'];
    for (const k of logged) assert.ok(METRIC_GUIDE[k]?.meaning, `${k} has a meaning`);
    assert.deepEqual(spacedPick([1, 2, 3, 4, 5, 6, 7], 3), [1, 4, 7]);
    assert.deepEqual(spacedPick([1, 2], 5), [1, 2]);
  });
});

describe('toy critic plots', () => {
  test('criticSurface computes ‖∇D(x)‖ over the grid with the engine’s grad', async () => {
    const n = 5;
    const { values, gradNorms } = await criticSurface(new SquaredNorm(), n, 3);
    const g = criticGrid(n, 3);
    for (let k = 0; k < n * n; k++) {
      const [x, y] = [g[2 * k]!, g[2 * k + 1]!];
      assert.ok(Math.abs(values[k]! - (x * x + y * y)) < 1e-4, `D at point ${k}`);
      assert.ok(Math.abs(gradNorms[k]! - 2 * Math.hypot(x, y)) < 1e-4, `‖∇D‖ at point ${k}: ${gradNorms[k]} vs ${2 * Math.hypot(x, y)}`);
    }
  });

  test('the time-lapse strip holds the surface panels of up to 6 critic plots side by side', async () => {
    const plots = join(tmp.root, 'plots');
    mkdirSync(plots, { recursive: true });
    const n = 16;
    const g = criticGrid(n, 3);
    const values = Float32Array.from({ length: n * n }, (_, k) => g[2 * k]!);
    const png = criticPlot({ values, gradNorms: values.map(Math.abs), fake: [0, 0], real: [1, 1], density: [0, 0, 1, 1], title: 'test' });
    const one = PNG.sync.read(png);
    for (const it of [10, 20, 30, 40, 50, 60, 70, 80]) writeFileSync(join(plots, criticPlotName(it)), png);
    await writeTimelapse(plots);
    assert.ok(readdirSync(plots).includes(TIMELAPSE_FILE));
    const strip = PNG.sync.read(readFileSync(join(plots, TIMELAPSE_FILE)));
    // Six frames, each the first of the critic plot's three panels (16 px apart), 4 px apart.
    const frame = (one.width - 2 * 16 * PLOT_SCALE) / 3;
    assert.equal(strip.width, 6 * frame + 5 * 4 * PLOT_SCALE, `strip ${strip.width} px wide for frames of ${frame}`);
    assert.ok(strip.height < one.height + 40 * PLOT_SCALE);
  });
});
