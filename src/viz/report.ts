/**
 * A self-contained `report.html` for a run folder: a summary line, the figures (embedded as base64
 * PNG data URIs), the curves as inline SVG drawn by the same engine as the PNG plots (one panel per
 * quantity, constant series left out, each curve drawn once), a table of every metric with what it
 * measures, what a good value is and its latest value, and the resolved config. No scripts, no
 * external resources: it opens offline and can be mailed around. Beside it, metrics.csv: the rows
 * of metrics.jsonl as a table any spreadsheet, pandas or plotting tool reads.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { type LinePanelOptions, panelsSvg } from './line-plot.js';
import { formatNumber } from './ticks.js';

/** A figure to embed. */
export interface ReportImage {
  /** Shown as the figure's heading (e.g. the file name). */
  readonly name: string;
  /** PNG bytes. */
  readonly png: Uint8Array;
  readonly caption?: string;
  /** Display width in CSS px (default: the PNG's, at most the page's). */
  readonly width?: number;
}

/** A figure of line panels, as drawn into plots/NAME and inline into the report. */
export interface ReportChart {
  /** The PNG file of the same figure (shown under the chart). */
  readonly name: string;
  readonly title: string;
  readonly panels: readonly LinePanelOptions[];
  /** The metric keys the figure shows (they get no extra panel). */
  readonly keys: readonly string[];
  /** Panels per row (default 2). */
  readonly columns?: number;
}

/** A line of the metrics table: what a metric measures and what a good value is. */
export interface MetricGuide {
  readonly meaning: string;
  readonly good: string;
}

/** One parsed line of metrics.jsonl: an iteration number and any (possibly nested) values. */
export type MetricsRow = Readonly<Record<string, unknown>>;

/** Options of {@link renderReport}. */
export interface RenderReportOptions {
  readonly title?: string;
  /** The resolved run config (any JSON value; nested objects become dotted keys). */
  readonly config: unknown;
  /** The rows of metrics.jsonl, in order. */
  readonly metrics: readonly MetricsRow[];
  readonly images: readonly ReportImage[];
  /**
   * The curve figures, drawn inline (the kind's plots/*.png are the same figures rasterized). Metrics
   * no chart shows (and not constant) get a small panel each under "other metrics". Default: none.
   */
  readonly charts?: readonly ReportChart[];
  /** What each metric means and what a good value is, by metric key (the metrics table). */
  readonly guide?: Readonly<Record<string, MetricGuide>>;
  /** Extra HTML sections placed after the curves (e.g. text samples). */
  readonly sections?: readonly string[];
  /** The run's length in iterations, for the summary line. */
  readonly iters?: number;
  /**
   * The row field used as x (default: the first of 'iteration', 'iter', 'step', 'generator_iteration'
   * present in the rows, else the row number).
   */
  readonly xKey?: string;
}

const X_KEYS = ['iteration', 'iter', 'step', 'generator_iteration'];

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** Flattens nested objects into dotted keys: `{a: {b: 1}}` → `{'a.b': 1}` (arrays stay values). */
export function flatten(value: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) out[prefix] = {};
    for (const [k, v] of entries) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out[prefix] = value;
  } else {
    out['value'] = value;
  }
  return out;
}

/** Metric series of the rows: every flattened numeric field except the x field, in first-seen order. */
export function metricSeries(
  rows: readonly MetricsRow[],
  xKey?: string,
): { xKey: string | undefined; x: number[]; series: Map<string, number[]> } {
  const flat = rows.map((r) => flatten(r));
  const key = xKey ?? X_KEYS.find((k) => flat.some((r) => typeof r[k] === 'number'));
  const x = flat.map((r, i) => (key !== undefined && typeof r[key] === 'number' ? (r[key] as number) : i));
  const series = new Map<string, number[]>();
  flat.forEach((r, i) => {
    for (const [k, v] of Object.entries(r)) {
      if (k === key || typeof v !== 'number') continue;
      let s = series.get(k);
      if (!s) {
        s = new Array<number>(rows.length).fill(Number.NaN);
        series.set(k, s);
      }
      s[i] = v;
    }
  });
  return { xKey: key, x, series };
}

function formatValue(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : formatNumber(v);
  if (typeof v === 'string') return v;
  return JSON.stringify(v) ?? String(v);
}

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #222; max-width: 1320px; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
table { border-collapse: collapse; font-size: 13px; }
td, th { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { display: inline-block; margin: 8px 16px 8px 0; vertical-align: top; max-width: 100%; }
figure img { max-width: 100%; border: 1px solid #ddd; }
figure svg { max-width: 100%; height: auto; display: block; }
figcaption { font-size: 12px; color: #555; margin-top: 2px; }
p.summary { font-size: 14px; color: #333; }
.muted { color: #777; }
`;

/** Panel size of the report's charts (SVG px). */
const CHART = { width: 400, height: 260, smallWidth: 320, smallHeight: 220 } as const;
/** Fields never charted: the x and the wall-clock time (it goes into the summary line). */
const NOT_CHARTED = new Set(['elapsed']);

/** True when the finite values of `y` are all the same (and there are at least two). */
export function isConstant(y: readonly number[]): boolean {
  const v = y.filter(Number.isFinite);
  return v.length >= 2 && v.every((a) => a === v[0]);
}

/**
 * The report as one HTML string.
 *
 * @example
 * const html = renderReport({ config, metrics: rows, images: [{ name: 'critic.png', png: bytes }], charts, guide });
 */
export function renderReport(options: RenderReportOptions): string {
  const title = options.title ?? 'WGAN-GP run report';
  const out: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>${escapeHtml(title)}</h1>`,
  ];
  const { xKey, x, series } = metricSeries(options.metrics, options.xKey);
  const last = options.metrics.length > 0 ? flatten(options.metrics[options.metrics.length - 1]) : undefined;
  out.push(summaryLine(options, last, xKey));

  if (options.images.length > 0) {
    out.push('<h2>Figures</h2>');
    for (const img of options.images) {
      const b64 = Buffer.from(img.png.buffer, img.png.byteOffset, img.png.byteLength).toString('base64');
      out.push(
        `<figure><img alt="${escapeHtml(img.name)}"${img.width ? ` style="width:${img.width}px"` : ''} src="data:image/png;base64,${b64}">` +
          `<figcaption>${escapeHtml(img.caption ?? img.name)}</figcaption></figure>`,
      );
    }
  }

  out.push('<h2>Curves</h2>');
  const charts = (options.charts ?? []).filter((c) => c.panels.length > 0);
  const shown = new Set(charts.flatMap((c) => c.keys));
  for (const c of charts) {
    const svg = panelsSvg(c.panels, { columns: c.columns ?? 2, panelWidth: CHART.width, panelHeight: CHART.height, title: c.title });
    out.push(`<figure class="chart" data-chart="${escapeHtml(c.name)}">${svg}<figcaption>${escapeHtml(`also plots/${c.name}`)}</figcaption></figure>`);
  }
  const others = [...series].filter(([k, y]) => !shown.has(k) && !NOT_CHARTED.has(k) && !isConstant(y) && y.some(Number.isFinite));
  if (others.length > 0) {
    const panels: LinePanelOptions[] = others.map(([k, y]) => ({ series: [{ name: '', x, y }], title: k, yLabel: k, xLabel: xKey ?? 'row', logY: 'auto' }));
    const svg = panelsSvg(panels, { columns: 3, panelWidth: CHART.smallWidth, panelHeight: CHART.smallHeight, title: charts.length > 0 ? 'other metrics' : 'metrics' });
    out.push(`<figure class="chart" data-chart="other">${svg}</figure>`);
  }
  if (charts.length === 0 && others.length === 0) out.push(`<p class="muted">${series.size === 0 ? 'No metrics logged.' : 'No metric changes over the run yet.'}</p>`);

  for (const s of options.sections ?? []) out.push(s);

  out.push('<h2>Metrics</h2>');
  if (series.size === 0) {
    out.push('<p>No metrics logged.</p>');
  } else {
    const at = xKey && last && typeof last[xKey] === 'number' ? ` at ${escapeHtml(xKey)} ${formatValue(last[xKey])}` : '';
    out.push(`<p>${options.metrics.length} logged rows (all in metrics.jsonl and metrics.csv); latest values${at}.</p>`);
    out.push('<table><tr><th>metric</th><th>what it measures</th><th>good value</th><th>latest</th></tr>');
    for (const [name, y] of series) {
      const g = options.guide?.[name];
      const v = last?.[name];
      const constant = isConstant(y) ? ' <span class="muted">(constant)</span>' : '';
      out.push(
        `<tr><td><code>${escapeHtml(name)}</code>${constant}</td><td>${escapeHtml(g?.meaning ?? '')}</td><td>${escapeHtml(g?.good ?? '')}</td>` +
          `<td class="num">${v === undefined ? '' : escapeHtml(formatValue(v))}</td></tr>`,
      );
    }
    out.push('</table>');
  }

  out.push('<h2>Configuration</h2><table><tr><th>key</th><th>value</th></tr>');
  for (const [k, v] of Object.entries(flatten(options.config ?? {}))) {
    out.push(`<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(formatValue(v))}</td></tr>`);
  }
  out.push('</table>');
  out.push('</body></html>');
  return out.join('\n');
}

/** "Iteration 200 of 1,000 · 43 s (4.6 it/s) · 2 logged rows". */
function summaryLine(o: RenderReportOptions, last: Record<string, unknown> | undefined, xKey: string | undefined): string {
  if (!last) return '<p class="summary">No metrics logged yet.</p>';
  const parts: string[] = [];
  const it = xKey ? last[xKey] : undefined;
  if (typeof it === 'number') parts.push(`${xKey} ${it.toLocaleString('en-US')}${o.iters ? ` of ${o.iters.toLocaleString('en-US')}` : ''}`);
  const el = last['elapsed'];
  if (typeof el === 'number' && el > 0) {
    const time = el >= 3600 ? `${(el / 3600).toFixed(1)} h` : el >= 120 ? `${(el / 60).toFixed(1)} min` : `${el.toFixed(0)} s`;
    parts.push(typeof it === 'number' ? `${time} of training (${Number((it / el).toPrecision(3))} it/s)` : `${time} of training`);
  }
  parts.push(`${o.metrics.length} logged rows`);
  return `<p class="summary">${escapeHtml(parts.join(' · '))}</p>`;
}

/**
 * The rows as CSV: a header of every (flattened) field in first-seen order, the x field first, one
 * line per row; numbers printed exactly as in the JSON (they read back to the same doubles), missing
 * values empty, text quoted when it holds a comma, quote or newline.
 * @example writeFileSync('metrics.csv', metricsCsv(readMetricsJsonl('metrics.jsonl')));
 */
export function metricsCsv(rows: readonly MetricsRow[], xKey = 'iteration'): string {
  const flat = rows.map((r) => flatten(r));
  const cols: string[] = [];
  const seen = new Set<string>();
  for (const r of flat) {
    for (const k of Object.keys(r)) {
      if (!seen.has(k)) {
        seen.add(k);
        cols.push(k);
      }
    }
  }
  if (seen.has(xKey)) {
    cols.splice(cols.indexOf(xKey), 1);
    cols.unshift(xKey);
  }
  const cell = (v: unknown): string => {
    if (v === undefined || v === null) return '';
    const s = typeof v === 'number' ? String(v) : typeof v === 'string' ? v : JSON.stringify(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.map(cell).join(','), ...flat.map((r) => cols.map((k) => cell(r[k])).join(','))].join('\n') + '\n';
}

/**
 * Reads a metrics.jsonl file: one JSON object per line; blank lines and a torn last line (a run
 * killed mid-write) are skipped.
 *
 * @example
 * const rows = readMetricsJsonl('runs/8g/metrics.jsonl');
 */
export function readMetricsJsonl(path: string): MetricsRow[] {
  const rows: MetricsRow[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const v: unknown = JSON.parse(line);
      if (v !== null && typeof v === 'object' && !Array.isArray(v)) rows.push(v as MetricsRow);
    } catch {
      // skip a partial line
    }
  }
  return rows;
}

/** Options of {@link writeReport}: those of {@link renderReport}, the folder, and images as files. */
export interface WriteReportOptions extends Omit<RenderReportOptions, 'metrics' | 'images'> {
  /** The run folder; the report is written there. */
  readonly dir: string;
  /** The metrics rows (default: read from `<dir>/metrics.jsonl` when it exists). */
  readonly metrics?: readonly MetricsRow[];
  /** PNG files to embed, in order (relative paths are resolved against `dir`), optionally captioned. */
  readonly images?: readonly (string | { readonly path: string; readonly caption: string; readonly width?: number })[];
  /** Output file name (default 'report.html'). */
  readonly fileName?: string;
}

/** Writes `text` to `path` atomically (a temporary file, then a rename). */
function writeTextAtomic(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}

/**
 * Writes `<dir>/report.html` and, when `<dir>/metrics.jsonl` exists, `<dir>/metrics.csv` of the
 * same rows beside it (both atomically: a temporary file, then a rename); returns the report's path.
 *
 * @example
 * writeReport({ dir: 'runs/8g', config, images: ['plots/critic-0001000.png'], charts, guide });
 */
export function writeReport(options: WriteReportOptions): string {
  const { dir, metrics: given, images: files, fileName, ...render } = options;
  const jsonl = join(dir, 'metrics.jsonl');
  const logged = existsSync(jsonl);
  const metrics = given ?? (logged ? readMetricsJsonl(jsonl) : []);
  if (logged) writeTextAtomic(join(dir, 'metrics.csv'), metricsCsv(metrics, options.xKey));
  const images = (files ?? []).map((img) => {
    const p = typeof img === 'string' ? img : img.path;
    const path = isAbsolute(p) ? p : join(dir, p);
    const extra = typeof img === 'string' ? {} : { caption: img.caption, ...(img.width ? { width: img.width } : {}) };
    return { name: basename(path), png: readFileSync(path), ...extra };
  });
  const out = join(dir, fileName ?? 'report.html');
  writeTextAtomic(out, renderReport({ ...render, metrics, images }));
  return out;
}
