/**
 * A self-contained `report.html` for a run folder: the resolved config as a table, the figures
 * embedded as base64 PNG data URIs, the latest metric values and one line chart per metric over
 * time ({@link linePlot}, embedded the same way). No scripts, no external resources: it opens offline and can be mailed around.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { linePlot } from './line-plot.js';
import { formatNumber } from './ticks.js';

/** A figure to embed. */
export interface ReportImage {
  /** Shown as the figure's heading (e.g. the file name). */
  readonly name: string;
  /** PNG bytes. */
  readonly png: Uint8Array;
  readonly caption?: string;
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
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px; color: #222; max-width: 1200px; }
h1 { font-size: 22px; } h2 { font-size: 17px; margin-top: 28px; border-bottom: 1px solid #ddd; padding-bottom: 4px; }
table { border-collapse: collapse; font-size: 13px; }
td, th { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { display: inline-block; margin: 8px 16px 8px 0; vertical-align: top; }
figure img { max-width: 100%; border: 1px solid #ddd; image-rendering: pixelated; }
figcaption { font-size: 12px; color: #555; }
.charts { display: flex; flex-wrap: wrap; gap: 12px; }
.charts img { border: 1px solid #eee; }
`;

/**
 * The report as one HTML string.
 *
 * @example
 * const html = renderReport({ config, metrics: rows, images: [{ name: 'critic.png', png: bytes }] });
 */
export function renderReport(options: RenderReportOptions): string {
  const title = options.title ?? 'WGAN-GP run report';
  const out: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    `<style>${STYLE}</style></head><body>`,
    `<h1>${escapeHtml(title)}</h1>`,
  ];

  const { xKey, x, series } = metricSeries(options.metrics, options.xKey);
  const last = options.metrics.length > 0 ? flatten(options.metrics[options.metrics.length - 1]) : undefined;

  out.push('<h2>Configuration</h2><table><tr><th>key</th><th>value</th></tr>');
  for (const [k, v] of Object.entries(flatten(options.config ?? {}))) {
    out.push(`<tr><td>${escapeHtml(k)}</td><td>${escapeHtml(formatValue(v))}</td></tr>`);
  }
  out.push('</table>');

  if (options.images.length > 0) {
    out.push('<h2>Figures</h2>');
    for (const img of options.images) {
      const b64 = Buffer.from(img.png.buffer, img.png.byteOffset, img.png.byteLength).toString('base64');
      out.push(
        `<figure><img alt="${escapeHtml(img.name)}" src="data:image/png;base64,${b64}">` +
          `<figcaption>${escapeHtml(img.caption ?? img.name)}</figcaption></figure>`,
      );
    }
  }

  out.push('<h2>Metrics</h2>');
  if (series.size === 0) {
    out.push('<p>No metrics logged.</p>');
  } else {
    if (last) {
      out.push(`<p>${options.metrics.length} logged rows; latest values${xKey && typeof last[xKey] === 'number' ? ` at ${escapeHtml(xKey)} ${formatValue(last[xKey])}` : ''}:</p>`);
      out.push('<table><tr><th>metric</th><th>latest</th></tr>');
      for (const name of series.keys()) {
        const v = last[name];
        out.push(`<tr><td>${escapeHtml(name)}</td><td class="num">${v === undefined ? '' : escapeHtml(formatValue(v))}</td></tr>`);
      }
      out.push('</table>');
    }
    out.push('<div class="charts">');
    for (const [name, y] of series) {
      const finite = y.some(Number.isFinite);
      const png = linePlot({ series: [{ name: '', x, y }], title: finite ? name : `${name} (no finite values)`, xLabel: xKey ?? 'row', logY: 'auto', width: 460, height: 220 });
      out.push(`<img class="chart" alt="${escapeHtml(name)}" src="data:image/png;base64,${png.toString('base64')}">`);
    }
    out.push('</div>');
  }
  out.push('</body></html>');
  return out.join('\n');
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

/** Options of {@link writeReport}. */
export interface WriteReportOptions {
  /** The run folder; the report is written there. */
  readonly dir: string;
  readonly config: unknown;
  /** The metrics rows (default: read from `<dir>/metrics.jsonl` when it exists). */
  readonly metrics?: readonly MetricsRow[];
  /** PNG files to embed, in order (relative paths are resolved against `dir`). */
  readonly images?: readonly string[];
  readonly title?: string;
  readonly xKey?: string;
  /** Output file name (default 'report.html'). */
  readonly fileName?: string;
}

/**
 * Writes `<dir>/report.html` (atomically: a temporary file, then a rename) and returns its path.
 *
 * @example
 * writeReport({ dir: 'runs/8g', config, images: ['critic_latest.png', 'losses.png'] });
 */
export function writeReport(options: WriteReportOptions): string {
  const { dir } = options;
  let metrics = options.metrics;
  if (!metrics) {
    try {
      metrics = readMetricsJsonl(join(dir, 'metrics.jsonl'));
    } catch {
      metrics = [];
    }
  }
  const images = (options.images ?? []).map((p) => {
    const path = isAbsolute(p) ? p : join(dir, p);
    return { name: basename(path), png: readFileSync(path) };
  });
  const html = renderReport({
    config: options.config,
    metrics,
    images,
    ...(options.title === undefined ? {} : { title: options.title }),
    ...(options.xKey === undefined ? {} : { xKey: options.xKey }),
  });
  const out = join(dir, options.fileName ?? 'report.html');
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  writeFileSync(tmp, html);
  renameSync(tmp, out);
  return out;
}
