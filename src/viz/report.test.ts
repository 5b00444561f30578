import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { imageGrid } from './image-grid.js';
import { escapeHtml, flatten, isConstant, metricsCsv, metricSeries, readMetricsJsonl, renderReport, type ReportChart, writeReport } from './report.js';

const dir = mkdtempSync(join(tmpdir(), 'wgan-report-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const config = { dataset: '8gaussians', lambda: 0.1, optimizer: { lr: 1e-4, betas: [0.5, 0.9] }, note: '<b>x</b>' };
const rows = Array.from({ length: 30 }, (_, i) => ({
  iteration: i * 100,
  elapsed: i * 2.5,
  criticLoss: -1 + i / 30,
  wasserstein: 1 - i / 30,
  totalModes: 8,
  w1: 10 ** (-i / 10),
  penalty: { grad_norm: 10 ** (i / 10) },
  phase: 'train',
}));
const lossChart: ReportChart = {
  name: 'losses.png',
  title: 'training losses',
  keys: ['criticLoss', 'wasserstein'],
  panels: [
    { series: [{ name: 'critic loss', x: rows.map((r) => r.iteration), y: rows.map((r) => r.criticLoss) }], title: 'critic loss', yLabel: 'critic loss' },
    { series: [{ name: 'W estimate', x: rows.map((r) => r.iteration), y: rows.map((r) => r.wasserstein) }], title: 'Wasserstein estimate', yLabel: 'W' },
  ],
};

/** Splits CSV text into rows of cells (RFC 4180 quoting). */
function parseCsv(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') row.push(cell), (cell = '');
    else if (ch === '\n') row.push(cell), out.push(row), (row = []), (cell = '');
    else cell += ch;
  }
  return out;
}

/** The `<svg>` charts of a report and the panel titles in each. */
function charts(html: string): { name: string; titles: string[] }[] {
  return [...html.matchAll(/<figure class="chart" data-chart="([^"]*)">(<svg[\s\S]*?<\/svg>)/g)].map((m) => ({
    name: m[1]!,
    titles: [...m[2]!.matchAll(/<text [^>]*font-weight="bold"[^>]*>([^<]*)<\/text>/g)].map((t) => t[1]!),
  }));
}

describe('report', () => {
  test('writes a self-contained report.html: figures embedded, charts inline SVG, no scripts or remote resources', () => {
    const grid = imageGrid({ images: new Float32Array(12).fill(0.5), shape: [3, 1, 2, 2] });
    writeFileSync(join(dir, 'samples.png'), grid);
    writeFileSync(join(dir, 'metrics.jsonl'), `${rows.map((r) => JSON.stringify(r)).join('\n')}\n{"iteration": 3000, "d_co`);
    const path = writeReport({ dir, config, images: [{ path: 'samples.png', caption: 'samples at 2900' }], charts: [lossChart], title: 'toy run', iters: 5000 });
    assert.equal(path, join(dir, 'report.html'));
    const html = readFileSync(path, 'utf8');
    assert.ok(html.startsWith('<!DOCTYPE html>'));
    assert.ok(html.includes(`data:image/png;base64,${grid.toString('base64')}`) && html.includes('samples at 2900'));
    assert.ok(!/<script|<link|src="http|href="http|url\(http/.test(html), 'no scripts, no external resources');
    assert.ok(html.includes('optimizer.lr') && html.includes('[0.5,0.9]'));
    assert.ok(html.includes('&#60;b&#62;x&#60;/b&#62;') && !html.includes('<b>x</b>'), 'config values are escaped');
    assert.ok(html.includes('30 logged rows'), 'the torn last line is skipped');
    assert.ok(html.includes('iteration 2,900 of 5,000') && html.includes('73 s of training (40 it/s)'), 'the summary line');
  });

  test('draws each curve once, one panel per quantity, and leaves constants and wall-clock time out', () => {
    const html = renderReport({ config: {}, metrics: rows, images: [], charts: [lossChart], xKey: 'iteration' });
    const cs = charts(html);
    assert.deepEqual(cs.map((c) => c.name), ['losses.png', 'other']);
    assert.deepEqual(cs[0]!.titles, ['training losses', 'critic loss', 'Wasserstein estimate']);
    // Not charted again; totalModes (constant) and elapsed not charted at all.
    assert.deepEqual(cs[1]!.titles, ['other metrics', 'w1', 'penalty.grad_norm']);
    assert.ok(html.includes('<code>totalModes</code> <span class="muted">(constant)</span>'), 'the constant is listed in the table, marked');
    const noCharts = renderReport({ config: {}, metrics: [{ iteration: 1, a: 2 }, { iteration: 2, a: 2 }], images: [] });
    assert.ok(noCharts.includes('No metric changes over the run yet.'));
    assert.ok(renderReport({ config: {}, metrics: [], images: [] }).includes('No metrics logged.'));
    assert.ok(isConstant([8, 8, Number.NaN]) && !isConstant([8]) && !isConstant([1, 2]));
  });

  test('explains every metric: what it measures, what a good value is, its latest value', () => {
    const guide = { criticLoss: { meaning: 'E[D(fake)] − E[D(real)] + λ·GP', good: 'rises toward 0' } };
    const html = renderReport({ config: {}, metrics: rows, images: [], guide });
    assert.match(html, /<tr><td><code>criticLoss<\/code><\/td><td>E\[D\(fake\)\] − E\[D\(real\)\] \+ λ·GP<\/td><td>rises toward 0<\/td><td class="num">-0\.03333<\/td><\/tr>/);
    assert.match(html, /<th>what it measures<\/th><th>good value<\/th>/);
  });

  test('metrics.csv beside metrics.jsonl holds the same rows and numbers', () => {
    const csv = readFileSync(join(dir, 'metrics.csv'), 'utf8');
    const [header, ...lines] = parseCsv(csv);
    const jsonl = readMetricsJsonl(join(dir, 'metrics.jsonl')).map((r) => flatten(r));
    assert.equal(header![0], 'iteration');
    assert.deepEqual(new Set(header), new Set(Object.keys(jsonl[0]!)));
    assert.equal(lines.length, jsonl.length);
    lines.forEach((cells, i) => {
      header!.forEach((k, j) => {
        const v = jsonl[i]![k];
        assert.equal(cells[j], typeof v === 'number' ? String(v) : String(v), `row ${i} ${k}`);
        if (typeof v === 'number') assert.equal(Number(cells[j]), v, 'numbers read back exactly');
      });
    });
  });

  test('metricsCsv quotes text, leaves missing values empty and puts the x column first', () => {
    const csv = metricsCsv([{ a: 1, iteration: 0 }, { iteration: 10, b: { c: 'x,"y"' } }]);
    assert.equal(csv, 'iteration,a,b.c\n0,1,\n10,,"x,""y"""\n');
    assert.deepEqual(parseCsv(csv)[2], ['10', '', 'x,"y"']);
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

  test('readMetricsJsonl skips blank and partial lines', () => {
    const p = join(dir, 'm.jsonl');
    writeFileSync(p, '{"iteration":1,"a":2}\n\n[1,2]\n{"iteration":2,"a":3}\n{"itera');
    assert.deepEqual(readMetricsJsonl(p), [{ iteration: 1, a: 2 }, { iteration: 2, a: 3 }]);
    assert.ok(existsSync(join(dir, 'metrics.csv')));
  });
});
