import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Color, decodePng, type DecodedPng, PALETTE } from './canvas.js';
import { colormap, COLORMAP_STOPS } from './colormap.js';
import { contourPlot, criticGrid, FAKE_COLOR, REAL_COLOR } from './contour-plot.js';
import { histogram, histogramPlot } from './histogram-plot.js';
import { imageGrid } from './image-grid.js';
import { linePlot } from './line-plot.js';

function pixel(img: DecodedPng, x: number, y: number): number[] {
  const i = (y * img.width + x) * 4;
  return [img.data[i]!, img.data[i + 1]!, img.data[i + 2]!];
}

/** All pixels of exactly `color`. */
function find(img: DecodedPng, color: Color): [number, number][] {
  const out: [number, number][] = [];
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const [r, g, b] = pixel(img, x, y);
      if (r === color[0] && g === color[1] && b === color[2]) out.push([x, y]);
    }
  }
  return out;
}

const bounds = (pts: [number, number][]) => ({
  x0: Math.min(...pts.map((p) => p[0])),
  x1: Math.max(...pts.map((p) => p[0])),
  y0: Math.min(...pts.map((p) => p[1])),
  y1: Math.max(...pts.map((p) => p[1])),
});

describe('criticGrid', () => {
  test('lists the points in the reference order: k = i·size + j is (x_i, y_j)', () => {
    const g = criticGrid(3, 3);
    assert.deepEqual([...g], [-3, -3, -3, 0, -3, 3, 0, -3, 0, 0, 0, 3, 3, -3, 3, 0, 3, 3]);
    assert.equal(criticGrid().length, 128 * 128 * 2);
  });
});

describe('contourPlot', () => {
  const n = 128;
  const grid = criticGrid(n, 3);
  const ramp = (axis: 0 | 1) => Float32Array.from({ length: n * n }, (_, k) => grid[2 * k + axis]!);

  test('maps the minimum to the colour map dark end and the maximum to its light end, x to the right', () => {
    const img = decodePng(contourPlot({ values: ramp(0), colorBar: false, size: 200 }));
    const lo = find(img, colormap(0));
    const hi = find(img, colormap(1));
    assert.deepEqual(colormap(0), COLORMAP_STOPS[0]);
    assert.ok(lo.length >= 150 && hi.length >= 150, `${lo.length} min-colour and ${hi.length} max-colour pixels`);
    const bl = bounds(lo);
    const bh = bounds(hi);
    assert.ok(bl.x1 - bl.x0 <= 2 && bh.x1 - bh.x0 <= 2, 'each is a thin vertical strip');
    assert.ok(bh.x0 - bl.x1 > 190, 'minimum on the left edge, maximum on the right edge');
    // Iso-lines: 10 bands give 9 dark boundaries across a row through the middle.
    const midY = Math.round((bl.y0 + bl.y1) / 2);
    // On a pure ramp the brightness rises monotonically; each iso-line is a dark dip.
    const bright = (x: number) => pixel(img, x, midY).reduce((a, b) => a + b, 0);
    let iso = 0;
    for (let x = bl.x0 + 1; x < bh.x1; x++) {
      if (bright(x) < bright(x - 1) - 30 && bright(x) < bright(x + 1) - 30) iso++;
    }
    assert.ok(iso >= 8 && iso <= 10, `${iso} iso-lines crossed`);
  });

  test('puts larger grid index j (larger y) at the top', () => {
    const img = decodePng(contourPlot({ values: ramp(1), colorBar: false, size: 200 }));
    const lo = bounds(find(img, colormap(0)));
    const hi = bounds(find(img, colormap(1)));
    assert.ok(lo.y1 - lo.y0 <= 2 && hi.y1 - hi.y0 <= 2);
    assert.ok(lo.y0 - hi.y1 > 190, 'maximum along the top edge, minimum along the bottom');
  });

  test('draws real and fake points where their coordinates are', () => {
    const values = ramp(0);
    const real = [1, 1.5];
    const fake = [-2, -1, 0.5, -2.5];
    const img = decodePng(contourPlot({ values, real, fake, colorBar: false, size: 241 }));
    // The plot area from the colour map: min colour in the left column, max colour in the right one.
    const lo = bounds(find(img, colormap(0)));
    const left = lo.x0;
    const right = bounds(find(img, colormap(1))).x1;
    const top = lo.y0;
    const bottom = lo.y1;
    const at = (x: number, y: number) => [
      Math.round(left + ((x + 3) / 6) * (right - left)),
      Math.round(top + (1 - (y + 3) / 6) * (bottom - top)),
    ];
    const [rx, ry] = at(1, 1.5);
    assert.deepEqual(pixel(img, rx!, ry!), [...REAL_COLOR]);
    assert.deepEqual(pixel(img, rx! + 2, ry!), [...REAL_COLOR]); // the arms of the "+"
    assert.deepEqual(pixel(img, rx!, ry! - 2), [...REAL_COLOR]);
    for (const [x, y] of [[-2, -1], [0.5, -2.5]] as const) {
      const [fx, fy] = at(x, y);
      assert.deepEqual(pixel(img, fx!, fy!), [...FAKE_COLOR], `fake point (${x}, ${y})`);
    }
    assert.notDeepEqual(pixel(img, at(-1, 1)[0]!, at(-1, 1)[1]!), [...REAL_COLOR]);
  });

  test('rejects values that do not form a square grid', () => {
    assert.throws(() => contourPlot({ values: new Float32Array(10) }), /gridSize²/);
  });
});

describe('linePlot', () => {
  test('draws each series in its own colour, rising lines go up, default size 640×400', () => {
    const x = Array.from({ length: 50 }, (_, i) => i * 10);
    const img = decodePng(
      linePlot({
        series: [
          { name: 'up', x, y: x.map((v) => v / 10) },
          { name: 'down', x, y: x.map((v) => 50 - v / 10) },
        ],
        title: 'losses',
      }),
    );
    assert.equal(img.width, 640);
    assert.equal(img.height, 400);
    const up = find(img, PALETTE[0]!);
    const down = find(img, PALETTE[1]!);
    assert.ok(up.length > 300 && down.length > 300);
    const leftmost = (pts: [number, number][]) => pts.reduce((a, b) => (b[0] < a[0] ? b : a));
    const rightmost = (pts: [number, number][]) => pts.reduce((a, b) => (b[0] > a[0] ? b : a));
    // Ignore the legend swatches (top-right) by taking the line ends at the far left.
    assert.ok(leftmost(up)[1] > leftmost(down)[1] + 200, 'up starts low, down starts high');
    assert.ok(bounds(up).y0 < leftmost(up)[1] - 200 && rightmost(down)[1] > leftmost(down)[1]);
  });

  test('on a log axis an exponential is a straight line; non-positive and NaN values are skipped', () => {
    const x = Array.from({ length: 101 }, (_, i) => i);
    const y = x.map((v) => 10 ** (v / 25)); // 1 .. 1e4
    y[60] = Number.NaN;
    y[61] = -1;
    const img = decodePng(linePlot({ series: [{ name: '', x, y, color: [200, 0, 200] }], logY: true, width: 500, height: 400 }));
    const pts = find(img, [200, 0, 200]);
    const b = bounds(pts);
    const colAt = (px: number) => pts.filter((p) => p[0] === px).map((p) => p[1]);
    const midX = Math.round((b.x0 + b.x1) / 2);
    const mid = colAt(midX);
    const expected = (b.y0 + b.y1) / 2;
    assert.ok(mid.some((v) => Math.abs(v - expected) <= 3), `mid column rows ${mid.join(',')} vs ${expected}`);
  });
});

describe('histogram and histogramPlot', () => {
  test('histogram counts values into equal bins, the right edge included', () => {
    assert.deepEqual(histogram([0, 0.1, 0.5, 0.99, 1, 2, -1, Number.NaN], 2, [0, 1]), [2, 3]);
    assert.throws(() => histogram([1], 0, [0, 1]), /bins/);
  });

  test('draws one bar per occupied bin, overlaid series blended', () => {
    const values = new Float32Array(100).fill(0.05); // all in the first of 10 bins over [0, 1]
    const img = decodePng(histogramPlot({ series: [{ name: 'w', values }], bins: 10, range: [0, 1], width: 420, height: 300 }));
    const bar = bounds(find(img, PALETTE[0]!).filter((p) => p[1] > 60)); // below the legend swatch
    const width = bar.x1 - bar.x0 + 1;
    assert.ok(width > 30 && width < 45, `bar width ${width}`);
    assert.ok(bar.y1 - bar.y0 > 150, 'the only bar is the tallest');
    const two = decodePng(
      histogramPlot({ series: [{ name: 'a', values: [0.1, 0.2] }, { name: 'b', values: [0.15] }], bins: 4, range: [0, 1] }),
    );
    // Canvas.set blending at alpha 128: round(c·a + below·(1 − a)).
    const over = (c: Color, below: readonly number[]) => c.slice(0, 3).map((v, k) => Math.round(v * (128 / 255) + below[k]! * (127 / 255)));
    const aOnWhite = over(PALETTE[0]!, [255, 255, 255]);
    const bOnA = over(PALETTE[1]!, aOnWhite);
    assert.ok(find(two, aOnWhite as unknown as Color).length > 50, 'series a alone, blended over white');
    assert.ok(find(two, bOnA as unknown as Color).length > 50, 'series b blended over series a');
    assert.ok(find(two, PALETTE[1]!).length > 0, 'legend swatch in the series colour');
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
