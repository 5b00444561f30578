/**
 * What every kind's plots and report.html share: metric curves from metrics.jsonl and the choice of
 * snapshots (critic surfaces, sample grids, text samples) a report embeds.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic-file.js';
import { linePlot, type LineSeries } from '../viz/line-plot.js';
import type { MetricsLine } from './run-folder.js';

/**
 * The series of metrics `keys` (a key, or [key, legend name]) that have finite values, over iterations.
 * @example seriesOf(lines, ['criticLoss', ['w1', 'W1 to the data']])
 */
export function seriesOf(lines: readonly MetricsLine[], keys: readonly (string | readonly [string, string])[]): LineSeries[] {
  const out: LineSeries[] = [];
  for (const entry of keys) {
    const [k, name] = typeof entry === 'string' ? [entry, entry] : entry;
    const pts = lines.filter((l) => typeof l[k] === 'number' && Number.isFinite(l[k]));
    if (pts.length > 0) out.push({ name, x: pts.map((l) => l.iteration), y: pts.map((l) => l[k] as number) });
  }
  return out;
}

/**
 * A horizontal reference line (e.g. the real data's score) across the x range of `series`.
 * @example [...is, ...level(is, 9.6, 'real data')]
 */
export function level(series: readonly LineSeries[], y: number, name: string): LineSeries[] {
  const xs = series.flatMap((s) => Array.from(s.x ?? []));
  if (xs.length === 0 || !Number.isFinite(y)) return [];
  return [{ name, x: [Math.min(...xs), Math.max(...xs)], y: [y, y] }];
}

/**
 * Writes `plots/NAME` as a line chart over generator iterations unless `series` is empty; returns
 * whether it did.
 * @example await writeCurve(plots, 'losses.png', seriesOf(lines, ['criticLoss']), 'losses');
 */
export async function writeCurve(plots: string, name: string, series: LineSeries[], title: string, logY: boolean | 'auto' = false): Promise<boolean> {
  if (series.length === 0) return false;
  await writeFileAtomic(join(plots, name), linePlot({ series, title, xLabel: 'generator iteration', logY }));
  return true;
}

/**
 * The images of a report, as paths relative to the run folder: the latest snapshot of `plots`
 * matching `pattern`, the `curves` that exist, then up to `max - 1` earlier snapshots evenly spaced
 * over the run, newest first.
 * @example reportImages(join(dir, 'plots'), /^critic-\d+\.png$/, ['losses.png'], 8)
 */
export function reportImages(plots: string, pattern: RegExp, curves: readonly string[], max: number): string[] {
  let files: string[];
  try {
    files = readdirSync(plots);
  } catch {
    return [];
  }
  const snaps = files.filter((f) => pattern.test(f)).sort();
  const earlier = snaps.slice(0, -1);
  const keep = Math.min(earlier.length, max - 1);
  const picked = Array.from({ length: keep }, (_, i) => earlier[Math.round((i * (earlier.length - 1)) / Math.max(1, keep - 1))]!);
  return [...snaps.slice(-1), ...curves.filter((f) => files.includes(f)), ...[...new Set(picked)].reverse()].map((f) => join('plots', f));
}
