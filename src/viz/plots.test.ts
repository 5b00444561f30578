import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Color, decodePng, type DecodedPng, PALETTE } from './canvas.js';
import { figureLayout, Panel } from './chart.js';
import { colormap } from './colormap.js';
import { contourPlot, criticGrid, densityGrid, FAKE_COLOR, heatmapPanel, REAL_COLOR } from './contour-plot.js';
import { histogram, histogramPlot } from './histogram-plot.js';
import { imageGrid } from './image-grid.js';
import { linePanel, linePlot, panelsPlot, smooth } from './line-plot.js';
import { PLOT_SCALE, svgDocument, svgToPng, text } from './svg.js';

const S = PLOT_SCALE;

function pixel(img: DecodedPng, x: number, y: number): number[] {
  const i = (Math.round(y) * img.width + Math.round(x)) * 4;
  return [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!];
}

/** Pixels within `tol` of `color` per channel. */
function find(img: DecodedPng, color: Color, tol = 0, region?: Box): [number, number][] {
  const out: [number, number][] = [];
  const r = region ?? { x0: 0, y0: 0, x1: img.width - 1, y1: img.height - 1 };
  for (let y = Math.max(0, Math.round(r.y0)); y <= Math.min(img.height - 1, Math.round(r.y1)); y++) {
    for (let x = Math.max(0, Math.round(r.x0)); x <= Math.min(img.width - 1, Math.round(r.x1)); x++) {
      const p = pixel(img, x, y);
      if (Math.abs(p[0]! - color[0]) <= tol && Math.abs(p[1]! - color[1]) <= tol && Math.abs(p[2]! - color[2]) <= tol) out.push([x, y]);
    }
  }
  return out;
}

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const bounds = (pts: [number, number][]): Box => ({
  x0: Math.min(...pts.map((p) => p[0])),
  x1: Math.max(...pts.map((p) => p[0])),
  y0: Math.min(...pts.map((p) => p[1])),
  y1: Math.max(...pts.map((p) => p[1])),
});

/** Pixels darker than mid grey (text, lines) in a box of SVG coordinates. */
function ink(img: DecodedPng, box: Box): number {
  let n = 0;
  for (let y = Math.round(box.y0 * S); y < Math.round(box.y1 * S); y++) {
    for (let x = Math.round(box.x0 * S); x < Math.round(box.x1 * S); x++) if (pixel(img, x, y).every((c) => c < 128)) n++;
  }
  return n;
}

/** The plot area of a one-panel chart of `width`×`height` (the same Panel the chart builds). */
function plotArea(width: number, height: number, opts: ConstructorParameters<typeof Panel>[1]): Box {
  const p = new Panel({ x: 0, y: 0, width, height }, opts);
  return { x0: p.left, y0: p.top, x1: p.left + p.plotWidth, y1: p.top + p.plotHeight };
}

describe('text and axes (SVG rendered by resvg with the bundled DejaVu Sans)', () => {
  test('renders text as glyphs: ink where the label is, none elsewhere, different words differ', () => {
    const draw = (t: string) => decodePng(svgToPng(svgDocument(300, 60, [text(t, 10, 40, { size: 20 })])));
    const a = draw('Wasserstein');
    const box = { x0: 10, y0: 20, x1: 10 + 11 * 20 * 0.62, y1: 45 };
    assert.ok(ink(a, box) > 400, `${ink(a, box)} dark pixels in the label's box`);
    assert.equal(ink(a, { x0: 0, y0: 0, x1: 300, y1: 18 }) + ink(a, { x0: 200, y0: 0, x1: 300, y1: 60 }), 0, 'nothing outside it');
    assert.equal(a.width, 300 * S, 'rasterized at PLOT_SCALE device pixels per SVG pixel');
    const b = draw('Wassersteim');
    let diff = 0;
    for (let i = 0; i < a.data.length; i++) if (a.data[i] !== b.data[i]) diff++;
    assert.ok(diff > 50, 'one letter changed changes the pixels: real glyphs, not boxes');
    assert.equal(ink(draw(''), box), 0);
  });

  test('labels both axes: the y label left of the tick labels, the x label under the ticks', () => {
    const x = [0, 50, 100];
    const opts = { series: [{ name: '', x, y: [1, 3, 2] }], width: 400, height: 260 };
    const bare = decodePng(linePlot(opts));
    const labelled = decodePng(linePlot({ ...opts, xLabel: 'generator iteration', yLabel: 'critic loss', title: 'losses' }));
    const area = plotArea(400, 260, { xRange: [0, 100], yRange: [0.88, 3.12], xLabel: 'generator iteration', yLabel: 'critic loss', title: 'losses' });
    const yLabelStrip = { x0: 0, y0: area.y0, x1: 20, y1: area.y1 };
    const xLabelStrip = { x0: area.x0, y0: 260 - 18, x1: area.x1, y1: 260 };
    const titleStrip = { x0: area.x0 + 5, y0: 0, x1: area.x1 - 5, y1: 7.5 }; // above the bare chart's plot area
    assert.ok(ink(labelled, titleStrip) > 40, `title: ${ink(labelled, titleStrip)} dark pixels`);
    assert.equal(ink(bare, titleStrip), 0, 'no title: blank');
    // Without an x label the tick labels sit at the bottom edge; with one, they move up to make room.
    assert.ok(ink(labelled, xLabelStrip) > ink(bare, xLabelStrip) + 150, `x label: ${ink(labelled, xLabelStrip)} vs ${ink(bare, xLabelStrip)} dark pixels`);
    // Without a y label the tick labels start 8 px from the edge; with one, they move right to make room.
    assert.ok(ink(labelled, yLabelStrip) > ink(bare, yLabelStrip) + 150, `y label: ${ink(labelled, yLabelStrip)} vs ${ink(bare, yLabelStrip)} dark pixels`);
    assert.equal(ink(bare, { x0: 0, y0: 0, x1: 7.5, y1: 260 }), 0);
    // Tick labels: ink left of the plot area and under it, in both.
    assert.ok(ink(bare, { x0: 0, y0: 0, x1: 30, y1: 240 }) > 100 && ink(bare, { x0: 40, y0: 232, x1: 400, y1: 250 }) > 100);
  });

  test('separates panels: a blank gap between the frames, each with its own border and labels', () => {
    const x = [0, 1, 2, 3];
    const panels = [
      { series: [{ name: '', x, y: [0, 1, 2, 3] }], title: 'critic loss', yLabel: 'loss', xLabel: 'iteration' },
      { series: [{ name: '', x, y: [1000, 10, 100, 1] }], title: 'penalty', yLabel: 'λ·GP', logY: true, xLabel: 'iteration' },
    ];
    const img = decodePng(panelsPlot(panels, { columns: 2, panelWidth: 300, panelHeight: 220, gap: 20 }));
    const { frames, width, height } = figureLayout(2, { columns: 2, panelWidth: 300, panelHeight: 220, gap: 20 });
    assert.deepEqual([img.width, img.height], [width * S, height * S]);
    const gap = { x0: frames[0]!.x + 300 + 1, y0: 0, x1: frames[1]!.x - 1, y1: height };
    assert.equal(find(img, [255, 255, 255], 0, { x0: gap.x0 * S, y0: 0, x1: gap.x1 * S - 1, y1: img.height - 1 }).length, (gap.x1 - gap.x0) * S * img.height, 'the gap is white');
    for (const fr of frames) {
      assert.ok(ink(img, { x0: fr.x, y0: fr.y, x1: fr.x + fr.width, y1: fr.y + 22 }) > 100, 'a title over each panel');
      assert.ok(ink(img, { x0: fr.x, y0: fr.y + 40, x1: fr.x + 22, y1: fr.y + 160 }) > 50, 'a y label left of each panel');
    }
  });
});

describe('linePlot', () => {
  test('draws each series in its own colour; a rising line goes up, a falling one down', () => {
    const x = Array.from({ length: 50 }, (_, i) => i * 10);
    const img = decodePng(linePlot({ series: [{ name: 'up', x, y: x.map((v) => v / 10) }, { name: 'down', x, y: x.map((v) => 50 - v / 10) }], title: 'losses' }));
    assert.deepEqual([img.width, img.height], [640 * S, 400 * S]);
    const legendFree = (pts: [number, number][]) => pts.filter((p) => p[0] < 480 * S); // the legend sits top-right
    const up = legendFree(find(img, PALETTE[0]!));
    const down = legendFree(find(img, PALETTE[1]!));
    assert.ok(up.length > 300 && down.length > 300, `${up.length}, ${down.length} line pixels`);
    const leftmost = (pts: [number, number][]) => pts.reduce((a, b) => (b[0] < a[0] ? b : a));
    assert.ok(leftmost(up)[1] > leftmost(down)[1] + 200 * S, 'up starts low, down starts high');
    assert.ok(bounds(up).y0 < leftmost(up)[1] - 200 * S);
  });

  test('on a log axis an exponential is a straight line; non-positive and NaN values are skipped', () => {
    const x = Array.from({ length: 101 }, (_, i) => i);
    const y = x.map((v) => 10 ** (v / 25)); // 1 .. 1e4
    y[60] = Number.NaN;
    y[61] = -1;
    const img = decodePng(linePlot({ series: [{ name: '', x, y, color: [200, 0, 200] }], logY: true, width: 500, height: 400 }));
    const pts = find(img, [200, 0, 200]);
    const b = bounds(pts);
    const midX = Math.round((b.x0 + b.x1) / 2);
    const mid = pts.filter((p) => p[0] === midX).map((p) => p[1]);
    const expected = (b.y0 + b.y1) / 2;
    assert.ok(mid.some((v) => Math.abs(v - expected) <= 4 * S), `mid column rows ${mid.join(',')} vs ${expected}`);
    const gapX = Math.round(b.x0 + ((60.5 - 0) / 100) * (b.x1 - b.x0));
    assert.equal(pts.filter((p) => Math.abs(p[0] - gapX) <= 1).length, 0, 'the line breaks at the NaN and the negative value');
  });

  test('smooth is TensorBoard’s debiased EMA; a smoothed panel draws the raw curve faint behind', () => {
    const s = smooth([1, 2, 3, Number.NaN, 4], 0.5);
    assert.equal(s[0], 1);
    assert.ok(Math.abs(s[1]! - (0.25 * 1 + 0.5 * 2) / 0.75) < 1e-12);
    assert.ok(Number.isNaN(s[3]!));
    assert.deepEqual(smooth([5, 5, 5], 0.9).map((v) => Math.round(v * 1e9) / 1e9), [5, 5, 5]);
    assert.throws(() => smooth([1], 1), /weight must be in \[0, 1\)/);
    const x = Array.from({ length: 40 }, (_, i) => i);
    const noisy = x.map((i) => (i % 2 ? 1 : -1));
    const svg = linePanel({ x: 0, y: 0, width: 400, height: 260 }, { series: [{ name: 'critic', x, y: noisy }], smooth: 0.8 }).svg();
    assert.equal((svg.match(/<polyline/g) ?? []).length, 2, 'raw and smoothed');
    assert.match(svg, /stroke-opacity="0.3"/);
  });

  test('draws a reference level dashed and names it in the legend', () => {
    const svg = linePanel({ x: 0, y: 0, width: 400, height: 260 }, { series: [{ name: 'IS', x: [0, 1], y: [2, 3] }, { name: 'real data: 9.50', x: [0, 1], y: [9.5, 9.5], dashed: true }] }).svg();
    assert.match(svg, /stroke-dasharray="6 4"/);
    assert.match(svg, />real data: 9.50</);
  });
});

describe('maps: critic surface, gradient norm, density', () => {
  const n = 64;
  const grid = criticGrid(n, 3);
  const ramp = (axis: 0 | 1) => Float32Array.from({ length: n * n }, (_, k) => grid[2 * k + axis]!);

  test('criticGrid lists the points in the reference order: k = i·size + j is (x_i, y_j)', () => {
    const g = criticGrid(3, 3);
    assert.deepEqual([...g], [-3, -3, -3, 0, -3, 3, 0, -3, 0, 0, 0, 3, 3, -3, 3, 0, 3, 3]);
  });

  test('the surface runs from the dark end (minimum) to the light end (maximum); x to the right, y up', () => {
    const size = 300;
    for (const axis of [0, 1] as const) {
      const img = decodePng(contourPlot({ values: ramp(axis), colorBar: false, size, levels: 5 }));
      const p = new Panel({ x: 0, y: 0, width: size, height: size }, { xRange: [-3, 3], yRange: [-3, 3], square: true, xLabel: 'x₁', yLabel: 'x₂' });
      const at = (x: number, y: number) => pixel(img, p.px(x) * S, p.py(y) * S);
      const low = axis === 0 ? at(-2.9, 0) : at(0, -2.9);
      const high = axis === 0 ? at(2.9, 0) : at(0, 2.9);
      const lum = (c: number[]) => c[0]! + c[1]! + c[2]!;
      assert.ok(lum(high) > lum(low) + 400, `axis ${axis}: ${low} at the minimum, ${high} at the maximum`);
      assert.ok(Math.abs(lum(low) - lum([...colormap(0.05)])) < 60, 'the minimum band is the colour map’s dark end');
    }
  });

  test('draws real and generated points where their coordinates are', () => {
    const size = 300;
    const img = decodePng(contourPlot({ values: ramp(0), real: [1, 1.5], fake: [-2, -1], colorBar: false, size }));
    const p = new Panel({ x: 0, y: 0, width: size, height: size }, { xRange: [-3, 3], yRange: [-3, 3], square: true, xLabel: 'x₁', yLabel: 'x₂' });
    const near = (x: number, y: number, c: Color) => find(img, c, 40, { x0: (p.px(x) - 4) * S, y0: (p.py(y) - 4) * S, x1: (p.px(x) + 4) * S, y1: (p.py(y) + 4) * S }).length;
    assert.ok(near(1, 1.5, REAL_COLOR) > 8, 'an orange + at the real point');
    assert.ok(near(-2, -1, FAKE_COLOR) > 8, 'a green + at the generated point');
    assert.equal(near(-1, 1, REAL_COLOR) + near(-1, 1, FAKE_COLOR), 0, 'none elsewhere');
    assert.throws(() => contourPlot({ values: new Float32Array(10) }), /gridSize²/);
  });

  test('the gradient-norm map draws the level set ‖∇D‖ = 1 in black where the norm crosses 1', () => {
    // ‖∇D‖ = |x| + 0.5: it crosses 1 on the lines x = ±0.5.
    const norms = Float32Array.from({ length: n * n }, (_, k) => Math.abs(grid[2 * k]!) + 0.5);
    const frame = { x: 0, y: 0, width: 400, height: 320 };
    const panel = heatmapPanel(frame, { values: norms, scale: { center: 1 }, isoValues: [1], colorBar: '‖∇D‖' });
    const img = decodePng(svgToPng(svgDocument(400, 320, [panel.svg()])));
    const row = panel.py(-2) * S;
    const black = find(img, [0, 0, 0], 30, { x0: panel.left * S + 4, y0: row, x1: (panel.left + panel.plotWidth) * S - 4, y1: row }).map((q) => q[0] / S);
    assert.ok(black.length >= 2, 'black level-set pixels on the row');
    for (const xb of black) assert.ok(Math.min(Math.abs(xb - panel.px(-0.5)), Math.abs(xb - panel.px(0.5))) < 3, `level-set pixel at x ${xb}`);
    // Blue where the norm is below 1 (centre), red above (edges).
    const centre = pixel(img, panel.px(0) * S, row);
    const edge = pixel(img, panel.px(2.8) * S, row);
    assert.ok(centre[2]! > centre[0]! && edge[0]! > edge[2]!, `centre ${centre}, edge ${edge}`);
    assert.ok(ink(img, { x0: panel.left + panel.plotWidth + 26, y0: panel.top, x1: 400, y1: panel.top + panel.plotHeight }) > 100, 'colour-bar tick labels and label');
  });

  test('densityGrid counts points per cell in criticGrid order; the density map darkens with the count', () => {
    const cells = densityGrid([-2.9, -2.9, -2.9, -2.9, 2.9, -2.9, 0.1, 2.9, 9, 9], 2, 3);
    assert.deepEqual([...cells], [2, 0, 1, 1], 'cell (i, j): i along x, j along y; the point outside dropped');
    const pts = Float32Array.from({ length: 2 * 500 }, (_, k) => (k % 2 ? 1.5 : -1.5));
    const frame = { x: 0, y: 0, width: 400, height: 320 };
    const panel = heatmapPanel(frame, { values: densityGrid(pts, 30, 3), scale: 'density', colorBar: 'samples per cell' });
    const img = decodePng(svgToPng(svgDocument(400, 320, [panel.svg()])));
    const dense = pixel(img, panel.px(-1.5) * S, panel.py(1.5) * S);
    const empty = pixel(img, panel.px(1.5) * S, panel.py(-1.5) * S);
    assert.deepEqual(empty, [255, 255, 255]);
    assert.ok(dense[1]! > dense[0]! + 30 && dense[0]! < 100, `the occupied cell is dark green: ${dense}`);
  });
});

describe('histogram and histogramPlot', () => {
  test('histogram counts values into equal bins, the right edge included', () => {
    assert.deepEqual(histogram([0, 0.1, 0.5, 0.99, 1, 2, -1, Number.NaN], 2, [0, 1]), [2, 3]);
    assert.throws(() => histogram([1], 0, [0, 1]), /bins/);
  });

  test('draws one bar per occupied bin, a tenth of the axis wide', () => {
    const values = new Float32Array(100).fill(0.05); // all in the first of 10 bins over [0, 1]
    const img = decodePng(histogramPlot({ series: [{ name: 'w', values }], bins: 10, range: [0, 1], width: 420, height: 300 }));
    const area = plotArea(420, 300, { xRange: [0, 1], yRange: [0, 105], yLabel: 'count' });
    const bar = bounds(find(img, PALETTE[0]!, 0, { x0: area.x0 * S, y0: (area.y0 + 40) * S, x1: area.x1 * S, y1: area.y1 * S }));
    const width = (bar.x1 - bar.x0 + 1) / S;
    const expected = (area.x1 - area.x0) / 10;
    assert.ok(Math.abs(width - expected) < 2, `bar width ${width} vs ${expected}`);
    assert.ok(bar.y1 - bar.y0 > 150 * S, 'the only bar is the tallest');
  });
});

describe('imageGrid', () => {
  test('tiles N images into a grid with padding, mapping [-1, 1] to 0..255', () => {
    // 3 grey images 2×2: image k has value (k - 1) everywhere → 0, 128, 255.
    const images = Float32Array.from({ length: 3 * 4 }, (_, i) => Math.floor(i / 4) - 1);
    const img = decodePng(imageGrid({ images, shape: [3, 1, 2, 2], valueRange: [-1, 1], columns: 2, padding: 1 }));
    assert.equal(img.width, 2 * 2 + 3);
    assert.equal(img.height, 2 * 2 + 3);
    assert.deepEqual(pixel(img, 1, 1), [0, 0, 0]);
    assert.deepEqual(pixel(img, 4, 2), [128, 128, 128]);
    assert.deepEqual(pixel(img, 2, 5), [255, 255, 255]);
    assert.deepEqual(pixel(img, 0, 0), [255, 255, 255]); // padding
  });

  test('reads RGB planes (NCHW), clamps, upscales and checks the shape', () => {
    // One 1×2 RGB image: pixel 0 pure red, pixel 1 pure blue (with an out-of-range 3 clamped to 1).
    const images = [1, 0, 0, 0, 0, 3];
    const img = decodePng(imageGrid({ images, shape: [1, 3, 1, 2], padding: 0, scale: 3 }));
    assert.equal(img.width, 6);
    assert.equal(img.height, 3);
    assert.deepEqual(pixel(img, 2, 2), [255, 0, 0]);
    assert.deepEqual(pixel(img, 3, 0), [0, 0, 255]);
    assert.throws(() => imageGrid({ images, shape: [2, 3, 1, 2] }), /needs 12/);
    assert.throws(() => imageGrid({ images, shape: [1, 2, 1, 3] }), /C must be 1 or 3/);
  });
});
