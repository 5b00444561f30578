/**
 * The results of a sweep as tables: every trial with its values and metric, and the paper's Table 5
 * form: per threshold of the metric, how many trials of each group (e.g. `loss`: wgan-gp vs gan)
 * exceed it, and, pairing the trials that share every other value (the same architecture), how many
 * succeed with only one group, with both, with neither (§5.1's "only WGAN-GP 147 / both 42 / only
 * GAN 0 / neither 11" at 5.0). Rendered as Markdown (stdout, docs) and in the sweep's report.html.
 */
import { linePlot } from '../viz/line-plot.js';
import { escapeHtml } from '../viz/report.js';
import type { SweepSpec } from './spec.js';
import type { TrialResult } from './trial.js';

/** Successes per threshold and group. */
export interface ThresholdRow {
  threshold: number;
  /** Group value → trials above the threshold (below it for goal `min`). */
  above: Record<string, number>;
  /** Of the paired trials (two groups, same other values): only the first group, both, only the second, neither. */
  pairs?: { onlyFirst: number; both: number; onlySecond: number; neither: number };
}

/** A sweep's summary. */
export interface SweepSummary {
  metric: string | undefined;
  /** 'above' or 'below' (goal `min`). */
  side: 'above' | 'below';
  groupBy: string | undefined;
  /** The groups in order of first appearance. */
  groups: string[];
  /** Group value → trials with a result. */
  totals: Record<string, number>;
  rows: ThresholdRow[];
}

/** The metric a sweep ranks by: the spec's, else the first evaluation metric the kinds log. */
export function metricOf(spec: SweepSpec, results: readonly TrialResult[]): string | undefined {
  if (spec.metric) return spec.metric;
  for (const k of ['inceptionScore', 'w1', 'js4']) if (results.some((r) => k in r.metrics)) return k;
  return undefined;
}

const groupOf = (r: TrialResult, key: string | undefined): string => (key === undefined ? 'all' : String(r.params[key]));
const pairKey = (r: TrialResult, key: string): string => JSON.stringify(Object.entries(r.params).filter(([k]) => k !== key));

/**
 * Counts successes per threshold (a value above it; NaN, a diverged run, never succeeds).
 * @example summarize({ thresholds: [3, 5], groupBy: 'loss', metric: 'inceptionScore', ... }, results).rows[0].above['wgan-gp']
 */
export function summarize(spec: SweepSpec, results: readonly TrialResult[]): SweepSummary {
  const metric = metricOf(spec, results);
  const totals: Record<string, number> = {};
  for (const r of results) totals[groupOf(r, spec.groupBy)] = (totals[groupOf(r, spec.groupBy)] ?? 0) + 1;
  const value = (r: TrialResult): number => (metric === undefined ? NaN : (r.metrics[metric] ?? NaN));
  const passes = (r: TrialResult, t: number): boolean => (spec.goal === 'min' ? value(r) < t : value(r) > t);
  const groups = [...new Set(results.map((r) => groupOf(r, spec.groupBy)))];
  const rows = (spec.thresholds ?? []).map((t) => {
    const above: Record<string, number> = Object.fromEntries(groups.map((g) => [g, 0]));
    for (const r of results) if (passes(r, t)) above[groupOf(r, spec.groupBy)]!++;
    const row: ThresholdRow = { threshold: t, above };
    if (spec.groupBy !== undefined && groups.length === 2) {
      const [a, b] = groups as [string, string];
      const byPair = new Map<string, Partial<Record<string, boolean>>>();
      for (const r of results) {
        const k = pairKey(r, spec.groupBy);
        byPair.set(k, { ...byPair.get(k), [groupOf(r, spec.groupBy)]: passes(r, t) });
      }
      const pairs = { onlyFirst: 0, both: 0, onlySecond: 0, neither: 0 };
      for (const p of byPair.values()) {
        if (p[a] === undefined || p[b] === undefined) continue;
        if (p[a] && p[b]) pairs.both++;
        else if (p[a]) pairs.onlyFirst++;
        else if (p[b]) pairs.onlySecond++;
        else pairs.neither++;
      }
      row.pairs = pairs;
    }
    return row;
  });
  return { metric, groups, side: spec.goal === 'min' ? 'below' : 'above', groupBy: spec.groupBy, totals, rows };
}

/**
 * The summary as Markdown tables (Table 5's form), or '' without thresholds.
 * @example process.stdout.write(summaryMarkdown(summarize(spec, results)));
 */
export function summaryMarkdown(s: SweepSummary): string {
  if (s.rows.length === 0 || s.groups.length === 0) return '';
  const groups = s.groups;
  const out = [
    `| ${s.metric ?? 'metric'} ${s.side} | ${groups.map((g) => `${g} (of ${s.totals[g]})`).join(' | ')} |`,
    `|---|${groups.map(() => '---').join('|')}|`,
    ...s.rows.map((r) => `| ${r.threshold} | ${groups.map((g) => r.above[g]).join(' | ')} |`),
  ];
  if (s.rows[0]!.pairs) {
    const [a, b] = groups;
    out.push('', `| ${s.metric} ${s.side} | only ${a} | both | only ${b} | neither |`, '|---|---|---|---|---|');
    for (const r of s.rows) out.push(`| ${r.threshold} | ${r.pairs!.onlyFirst} | ${r.pairs!.both} | ${r.pairs!.onlySecond} | ${r.pairs!.neither} |`);
  }
  return `${out.join('\n')}\n`;
}

/**
 * Table 5 as a curve: for each group, how many trials pass each threshold of the metric over its
 * observed range (a robust method stays high further to the right); null without a metric.
 * @example const png = successCurve(spec, results); // PNG bytes
 */
export function successCurve(spec: SweepSpec, results: readonly TrialResult[]): Buffer | null {
  const metric = metricOf(spec, results);
  const values = results.map((r) => (metric === undefined ? NaN : (r.metrics[metric] ?? NaN)));
  const finite = values.filter(Number.isFinite);
  if (metric === undefined || finite.length === 0) return null;
  const [lo, hi] = [Math.min(...finite), Math.max(...finite)];
  const ts = Array.from({ length: 101 }, (_, i) => lo + ((hi - lo) * i) / 100);
  const groups = [...new Set(results.map((r) => groupOf(r, spec.groupBy)))];
  const series = groups.map((g) => {
    const mine = values.filter((_, i) => groupOf(results[i]!, spec.groupBy) === g);
    return { name: g, x: ts, y: ts.map((t) => mine.filter((v) => (spec.goal === 'min' ? v < t : v > t)).length) };
  });
  return linePlot({ series, title: `trials with ${metric} ${spec.goal === 'min' ? 'below' : 'above'} a threshold${spec.groupBy ? `, by ${spec.groupBy}` : ''}`, xLabel: `${metric} threshold`, yLabel: 'trials', width: 640, height: 360 });
}

function cell(x: unknown): string {
  if (typeof x === 'number') return Number.isInteger(x) ? String(x) : x.toPrecision(4);
  return escapeHtml(JSON.stringify(x));
}

/**
 * The sweep's report page: the summary, then every trial sorted by the metric (best first), with a
 * link to its run folder's own report.
 * @example writeFileSync('sweep/report.html', sweepReportHtml(spec, 'lambda', results, 12));
 */
export function sweepReportHtml(spec: SweepSpec, name: string, results: readonly TrialResult[], planned: number): string {
  const s = summarize(spec, results);
  const metric = s.metric;
  const keys = [...new Set(results.flatMap((r) => Object.keys(r.params)))];
  const sign = spec.goal === 'min' ? -1 : 1;
  const score = (r: TrialResult): number => (metric && Number.isFinite(r.metrics[metric]) ? sign * r.metrics[metric]! : -Infinity);
  const sorted = [...results].sort((x, y) => score(y) - score(x) || x.trial.localeCompare(y.trial));
  const html = [
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
    `<title>sweep ${escapeHtml(name)}</title>`,
    '<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 8px}td.num{text-align:right}</style></head><body>',
    `<h1>sweep ${escapeHtml(name)}</h1>`,
    spec.description ? `<p>${escapeHtml(spec.description)}</p>` : '',
    `<p>${results.length} of ${planned} trials finished${metric ? `; ranked by ${escapeHtml(metric)}` : ''}.</p>`,
  ];
  if (s.rows.length > 0 && s.groups.length > 0) {
    const groups = s.groups;
    html.push(`<h2>Successes per threshold (the paper's Table 5)</h2><table><tr><th>${escapeHtml(metric ?? '')} ${s.side}</th>${groups.map((g) => `<th>${escapeHtml(g)} (of ${s.totals[g]})</th>`).join('')}</tr>`);
    for (const r of s.rows) html.push(`<tr><td class="num">${r.threshold}</td>${groups.map((g) => `<td class="num">${r.above[g]}</td>`).join('')}</tr>`);
    html.push('</table>');
    if (s.rows[0]!.pairs) {
      const [a, b] = groups.map(escapeHtml);
      html.push(`<h3>Paired by the other values</h3><table><tr><th>${s.side}</th><th>only ${a}</th><th>both</th><th>only ${b}</th><th>neither</th></tr>`);
      for (const r of s.rows) html.push(`<tr><td class="num">${r.threshold}</td><td class="num">${r.pairs!.onlyFirst}</td><td class="num">${r.pairs!.both}</td><td class="num">${r.pairs!.onlySecond}</td><td class="num">${r.pairs!.neither}</td></tr>`);
      html.push('</table>');
    }
  }
  const curve = successCurve(spec, results);
  if (curve) html.push(`<p><img alt="successes per threshold" src="data:image/png;base64,${curve.toString('base64')}"></p>`);
  html.push(`<h2>Trials</h2><table><tr><th>trial</th>${keys.map((k) => `<th>${escapeHtml(k)}</th>`).join('')}${metric ? `<th>${escapeHtml(metric)}</th>` : ''}<th>iterations</th><th>worker</th></tr>`);
  for (const r of sorted) {
    html.push(
      `<tr><td><a href="${escapeHtml(r.dir)}/report.html">${escapeHtml(r.trial)}</a></td>${keys.map((k) => `<td>${cell(r.params[k])}</td>`).join('')}` +
        `${metric ? `<td class="num">${cell(r.metrics[metric] ?? NaN)}</td>` : ''}<td class="num">${r.iteration}</td><td>${escapeHtml(r.worker)}</td></tr>`,
    );
  }
  html.push('</table></body></html>');
  return html.join('\n');
}
