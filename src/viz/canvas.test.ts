import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BLACK, Canvas, decodePng } from './canvas.js';
import { extent, formatNumber, linearTicks, logTicks } from './ticks.js';

const RED = [255, 0, 0] as const;

describe('Canvas', () => {
  test('starts filled with the background and alpha-blends painted pixels', () => {
    const c = new Canvas(4, 3);
    assert.deepEqual(c.get(3, 2), [255, 255, 255, 255]);
    c.set(1, 1, [255, 0, 0, 128]);
    assert.deepEqual(c.get(1, 1), [255, 127, 127, 255]);
    c.set(2, 1, RED);
    assert.deepEqual(c.get(2, 1), [255, 0, 0, 255]);
    c.set(-1, 0, RED); // outside: ignored
    c.set(4, 0, RED);
    assert.throws(() => new Canvas(0, 5), /positive integers/);
  });

  test('draws lines, rectangles and discs on exactly the expected pixels', () => {
    const c = new Canvas(20, 20);
    c.line(2, 5, 12, 5, BLACK);
    for (let x = 0; x < 20; x++) assert.equal(c.get(x, 5)[0], x >= 2 && x <= 12 ? 0 : 255, `x=${x}`);
    c.line(3, 3, 8, 8, RED); // a diagonal hits (k, k)
    for (let k = 3; k <= 8; k++) assert.deepEqual(c.get(k, k).slice(0, 3), [255, 0, 0]);
    c.fillRect(14, 14, 3, 2, BLACK);
    assert.equal(c.get(16, 15)[0], 0);
    assert.equal(c.get(17, 15)[0], 255);
    assert.equal(c.get(16, 16)[0], 255);
    const d = new Canvas(21, 21);
    d.fillCircle(10, 10, 4, BLACK);
    assert.equal(d.get(10, 10)[0], 0);
    assert.equal(d.get(14, 10)[0], 0);
    assert.equal(d.get(15, 10)[0], 255);
    assert.equal(d.get(13, 13)[0], 255); // distance 4.24 > 4
    d.line(-1e9, 10, 1e9, 10, RED); // huge coordinates are clipped, not looped over
    assert.deepEqual(d.get(0, 10).slice(0, 3), [255, 0, 0]);
  });

  test('clipped() confines drawing to a rectangle', () => {
    const c = new Canvas(10, 10);
    c.clipped(2, 2, 4, 4, () => c.fillRect(0, 0, 10, 10, BLACK));
    assert.equal(c.get(2, 2)[0], 0);
    assert.equal(c.get(5, 5)[0], 0);
    assert.equal(c.get(6, 5)[0], 255);
    assert.equal(c.get(1, 3)[0], 255);
    c.set(9, 9, BLACK); // the clip is restored
    assert.equal(c.get(9, 9)[0], 0);
  });

  test('encodes to a PNG that decodes to the same pixels', () => {
    const c = new Canvas(7, 5);
    c.set(6, 4, [10, 20, 30]);
    const png = c.toPng();
    assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47]); // "PNG"
    const d = decodePng(png);
    assert.equal(d.width, 7);
    assert.equal(d.height, 5);
    assert.deepEqual([...d.data.subarray((4 * 7 + 6) * 4, (4 * 7 + 6) * 4 + 4)], [10, 20, 30, 255]);
  });
});

describe('ticks', () => {
  test('linearTicks picks 1-2-5 steps inside the range', () => {
    assert.deepEqual(linearTicks(0, 1, 5), [0, 0.2, 0.4, 0.6, 0.8, 1]);
    assert.deepEqual(linearTicks(-3, 3, 6), [-3, -2, -1, 0, 1, 2, 3]);
    assert.deepEqual(linearTicks(0.05, 0.35, 3), [0.1, 0.2, 0.3]);
    assert.deepEqual(linearTicks(0, 20000, 4), [0, 5000, 10000, 15000, 20000]);
    assert.deepEqual(linearTicks(2, 2), [2]);
  });

  test('logTicks gives decades (with 2 and 5 on short ranges)', () => {
    assert.deepEqual(logTicks(1e-3, 10), [0.001, 0.01, 0.1, 1, 10]);
    assert.deepEqual(logTicks(1, 20), [1, 2, 5, 10, 20]);
    assert.deepEqual(logTicks(0, 10), []);
  });

  test('formatNumber is short and uses e-notation only for extreme magnitudes', () => {
    assert.equal(formatNumber(0.25), '0.25');
    assert.equal(formatNumber(-3), '-3');
    assert.equal(formatNumber(20000), '20000');
    assert.equal(formatNumber(0.1 + 0.2), '0.3');
    assert.equal(formatNumber(0.00012), '1.2e-4');
    assert.equal(formatNumber(2.5e6), '2.5e6');
    assert.deepEqual(extent([3, Number.NaN, -1, Infinity]), [-1, 3]);
    assert.deepEqual(extent([0, -2, 5], true), [5, 5]);
  });
});
