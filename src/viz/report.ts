/**
 * A self-contained `report.html` for a run folder: the resolved config as a table, the figures
 * embedded as base64 PNG data URIs, the latest metric values and one inline SVG line chart per
 * metric over time. No scripts, no external resources: it opens offline and can be mailed around.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { extent, formatNumber, linearTicks, logTicks } from './ticks.js';

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

/** Options of {@link svgLineChart}. */
export interface SvgLineChartOptions {
  readonly title: string;
  readonly x: readonly number[];
  /** Values; non-finite ones break the line. */
  readonly y: readonly number[];
  readonly xLabel?: string;
  /** Log y axis (values ≤ 0 are skipped). Default: automatic, when all values are positive and span more than 3 decades. */
  readonly logY?: boolean;
  readonly width?: number;
  readonly height?: number;
  /** At most this many points are drawn (evenly strided; default 2000). */
  readonly maxPoints?: number;
}

/**
 * One metric over time as an inline SVG line chart with ticks.
 *
 * @example
 * svgLineChart({ title: 'w1', x: [0, 100, 200], y: [1.2, 0.5, 0.3] }); // '<svg ...>...</svg>'
 */
export function svgLineChart(options: SvgLineChartOptions): string {
  const width = options.width ?? 460;
  const height = options.height ?? 220;
  const positive = extent(options.y, true);
  const finite = extent(options.y);
  const logY = options.logY ?? (finite !== undefined && finite[0] > 0 && finite[1] / finite[0] > 1e3);
  const yExt = logY ? positive : finite;
  const xExt = extent(options.x);
  const ml = 56;
  const mr = 12;
  const mt = 24;
  const mb = 34;
  const pw = width - ml - mr;
  const ph = height - mt - mb;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(options.title)}">`,
    `<text x="${ml + pw / 2}" y="15" text-anchor="middle" font-size="13" font-weight="bold">${escapeHtml(options.title)}</text>`,
  ];
  if (!yExt || !xExt) {
    parts.push(`<text x="${width / 2}" y="${height / 2}" text-anchor="middle" fill="#888">no finite values</text></svg>`);
    return parts.join('');
  }
  let [x0, x1] = xExt;
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  let [y0, y1] = logY ? [Math.log10(yExt[0]), Math.log10(yExt[1])] : yExt;
  if (y0 === y1) [y0, y1] = [y0 - (Math.abs(y0) * 0.1 || 1), y1 + (Math.abs(y1) * 0.1 || 1)];
  else [y0, y1] = [y0 - (y1 - y0) * 0.05, y1 + (y1 - y0) * 0.05];
  const sx = (x: number): number => ml + ((x - x0) / (x1 - x0)) * pw;
  const sy = (y: number): number => mt + (1 - ((logY ? Math.log10(y) : y) - y0) / (y1 - y0)) * ph;
  const f = (v: number): string => v.toFixed(1);

  const yt = logY ? logTicks(10 ** y0, 10 ** y1) : linearTicks(y0, y1, 5);
  for (const t of yt) {
    const y = f(sy(t));
    parts.push(`<line x1="${ml}" x2="${ml + pw}" y1="${y}" y2="${y}" stroke="#e4e4e4"/>`);
    parts.push(`<text x="${ml - 5}" y="${y}" text-anchor="end" dominant-baseline="middle" font-size="10">${formatNumber(t)}</text>`);
  }
  for (const t of linearTicks(x0, x1, 5)) {
    const x = f(sx(t));
    parts.push(`<line x1="${x}" x2="${x}" y1="${mt}" y2="${mt + ph}" stroke="#e4e4e4"/>`);
    parts.push(`<text x="${x}" y="${mt + ph + 13}" text-anchor="middle" font-size="10">${formatNumber(t)}</text>`);
  }
  parts.push(`<rect x="${ml}" y="${mt}" width="${pw}" height="${ph}" fill="none" stroke="#444"/>`);
  if (options.xLabel) {
    parts.push(`<text x="${ml + pw / 2}" y="${height - 4}" text-anchor="middle" font-size="10">${escapeHtml(options.xLabel)}</text>`);
  }

  // Polylines, broken at non-finite values; strided down to maxPoints.
  const n = Math.min(options.x.length, options.y.length);
  const stride = Math.max(1, Math.ceil(n / (options.maxPoints ?? 2000)));
  let current: string[] = [];
  const lines: string[][] = [];
  const indices: number[] = [];
  for (let i = 0; i < n; i += stride) indices.push(i);
  if (n > 0 && indices[indices.length - 1] !== n - 1) indices.push(n - 1); // always show the latest value
  for (const i of indices) {
    const v = options.y[i]!;
    const ok = Number.isFinite(v) && Number.isFinite(options.x[i]!) && (!logY || v > 0);
    if (!ok) {
      if (current.length) lines.push(current);
      current = [];
      continue;
    }
    current.push(`${f(sx(options.x[i]!))},${f(sy(v))}`);
  }
  if (current.length) lines.push(current);
  for (const pts of lines) {
    if (pts.length === 1) {
      const [cx, cy] = pts[0]!.split(',');
      parts.push(`<circle cx="${cx}" cy="${cy}" r="2" fill="#1f77b4"/>`);
    } else {
      parts.push(`<polyline fill="none" stroke="#1f77b4" stroke-width="1.5" points="${pts.join(' ')}"/>`);
    }
  }
  parts.push('</svg>');
  return parts.join('');
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
.charts svg { border: 1px solid #eee; font-family: system-ui, sans-serif; }
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
    for (const [name, y] of series) out.push(svgLineChart({ title: name, x, y, xLabel: xKey ?? 'row' }));
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
