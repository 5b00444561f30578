import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { imageGrid } from './image-grid.js';
import { linePlot } from './line-plot.js';
import { escapeHtml, flatten, metricSeries, readMetricsJsonl, renderReport, writeReport } from './report.js';

const dir = mkdtempSync(join(tmpdir(), 'wgan-report-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const config = { dataset: '8gaussians', lambda: 0.1, optimizer: { lr: 1e-4, betas: [0.5, 0.9] }, note: '<b>x</b>' };
const rows = Array.from({ length: 30 }, (_, i) => ({
  iteration: i * 100,
  d_cost: -1 + i / 30,
  g_cost: Math.sin(i),
  penalty: { grad_norm: 10 ** (i / 10) },
  phase: 'train',
}));

describe('report', () => {
  test('writes a self-contained report.html with the config, embedded PNGs and one chart per metric', () => {
    const critic = imageGrid({ images: new Float32Array(12).fill(0.5), shape: [3, 1, 2, 2] });
    const losses = linePlot({ series: [{ name: 'd', y: [1, 2, 3] }], width: 200, height: 150 });
    writeFileSync(join(dir, 'critic_latest.png'), critic);
    writeFileSync(join(dir, 'losses.png'), losses);
    writeFileSync(join(dir, 'metrics.jsonl'), `${rows.map((r) => JSON.stringify(r)).join('\n')}\n{"iteration": 3000, "d_co`);
    const path = writeReport({ dir, config, images: ['critic_latest.png', join(dir, 'losses.png')], title: 'toy run' });
    assert.equal(path, join(dir, 'report.html'));
    assert.ok(existsSync(path));
    const html = readFileSync(path, 'utf8');
    assert.ok(html.startsWith('<!DOCTYPE html>'));
    assert.ok(html.includes(`data:image/png;base64,${critic.toString('base64')}`));
    assert.ok(html.includes(`data:image/png;base64,${losses.toString('base64')}`));
    for (const name of ['d_cost', 'g_cost', 'penalty.grad_norm']) {
      assert.ok(html.includes(`<img class="chart" alt="${name}" src="data:image/png;base64,`), `a chart for ${name}`);
    }
    assert.equal((html.match(/<img class="chart"/g) ?? []).length, 3, 'one chart per numeric metric (not iteration, not phase)');
    assert.ok(html.includes('optimizer.lr') && html.includes('[0.5,0.9]') && html.includes('0.1'));
    assert.ok(html.includes('&#60;b&#62;x&#60;/b&#62;') && !html.includes('<b>x</b>'), 'config values are escaped');
    assert.ok(html.includes('30 logged rows'), 'the torn last line is skipped');
    assert.ok(!/<script|<link|src="http|href="http/.test(html), 'no external resources or scripts');
  });

  test('renderReport handles runs without metrics or images', () => {
    const html = renderReport({ config: {}, metrics: [], images: [] });
    assert.ok(html.includes('No metrics logged.'));
    assert.ok(!html.includes('class="chart"'));
  });

  test('metricSeries flattens rows, picks the iteration as x and fills gaps with NaN', () => {
    const { xKey, x, series } = metricSeries([{ iteration: 0, a: 1 }, { iteration: 10, b: { c: 2 } }]);
    assert.equal(xKey, 'iteration');
    assert.deepEqual(x, [0, 10]);
    assert.deepEqual([...series.keys()], ['a', 'b.c']);
    assert.deepEqual(series.get('a'), [1, Number.NaN]);
    assert.deepEqual(metricSeries([{ v: 1 }, { v: 2 }]).x, [0, 1]);
    assert.deepEqual(flatten({ a: { b: { c: 1 } }, d: [1, 2] }), { 'a.b.c': 1, d: [1, 2] });
    assert.equal(escapeHtml(`<a href="x">&'`), '&#60;a href=&#34;x&#34;&#62;&#38;&#39;');
  });

  test('each chart is linePlot of the metric, log y when it spans more than three decades', () => {
    const metrics = [0, 1, 2].map((i) => ({ iteration: i * 10, norm: 10 ** (2 * i), loss: i - 1 }));
    const html = renderReport({ config: {}, metrics, images: [] });
    const chart = (name: string): string => new RegExp(`<img class="chart" alt="${name}" src="data:image/png;base64,([^"]*)"`).exec(html)![1]!;
    const png = (o: { logY: boolean | 'auto'; y: number[]; title: string }): string =>
      linePlot({ series: [{ name: '', x: [0, 10, 20], y: o.y }], title: o.title, xLabel: 'iteration', logY: o.logY, width: 460, height: 220 }).toString('base64');
    assert.equal(chart('norm'), png({ logY: true, y: [1, 100, 10000], title: 'norm' }));
    assert.equal(chart('loss'), png({ logY: false, y: [-1, 0, 1], title: 'loss' }));
  });

  test('readMetricsJsonl skips blank and partial lines', () => {
    const p = join(dir, 'm.jsonl');
    writeFileSync(p, '{"iteration":1,"a":2}\n\n[1,2]\n{"iteration":2,"a":3}\n{"itera');
    assert.deepEqual(readMetricsJsonl(p), [{ iteration: 1, a: 2 }, { iteration: 2, a: 3 }]);
  });
});
