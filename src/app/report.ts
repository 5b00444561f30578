/**
 * What every kind's plots and report.html share: metric curves from metrics.jsonl (one quantity per
 * panel, noisy curves smoothed, reference levels dashed), the figures that are both written to
 * plots/*.png and drawn inline in the report, what each metric means, and the choice of snapshots
 * (critic surfaces, sample grids) a report embeds.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../io/atomic-file.js';
import { type LinePanelOptions, type LineSeries, panelsPlot } from '../viz/line-plot.js';
import type { MetricGuide, ReportChart } from '../viz/report.js';
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
 * A dashed horizontal reference line (e.g. the real data's score) across the x range of `series`.
 * @example [...is, ...level(is, 9.6, 'real data')]
 */
export function level(series: readonly LineSeries[], y: number, name: string): LineSeries[] {
  const xs = series.flatMap((s) => Array.from(s.x ?? []));
  if (xs.length === 0 || !Number.isFinite(y)) return [];
  return [{ name, x: [Math.min(...xs), Math.max(...xs)], y: [y, y], dashed: true }];
}

/** The x label of every curve. */
export const X_LABEL = 'generator iteration';
/** Smoothing weight of loss curves (TensorBoard's default is 0.6). */
export const LOSS_SMOOTHING = 0.6;

/** One panel of a curve figure: a metric (or a few of the same quantity) and its reference levels. */
export interface PanelSpec {
  /** The metric keys drawn (a key, or [key, legend name]); all in the unit of `yLabel`. */
  readonly keys: readonly (string | readonly [string, string])[];
  readonly title: string;
  readonly yLabel: string;
  readonly logY?: boolean | 'auto';
  /** Dashed reference levels: [value, legend name]. */
  readonly levels?: readonly (readonly [number, string])[];
  /** Smoothing weight (default 0: evaluation metrics are not averaged, do not smooth them). */
  readonly smooth?: number;
  /** Fixed y range (e.g. [0, 100] for a percentage). */
  readonly yRange?: readonly [number, number];
  /** Legend corner (default top-right). */
  readonly legend?: 'top-right' | 'top-left' | 'bottom-right' | 'bottom-left';
  /** Drawn only when this metric was logged (a comparison without it repeats another panel). */
  readonly requires?: string;
}

/** A figure of panels, written to plots/NAME and drawn inline in the report. */
export interface CurveFigure {
  readonly name: string;
  readonly title: string;
  readonly panels: readonly PanelSpec[];
  readonly columns?: number;
}

/**
 * The report chart of a figure over `lines`: its panels that have data (reference levels across
 * their x range); null when none has.
 * @example curveChart(lines, { name: 'losses.png', title: 'losses', panels: [...] })
 */
export function curveChart(lines: readonly MetricsLine[], fig: CurveFigure): ReportChart | null {
  const panels: LinePanelOptions[] = [];
  const keys: string[] = [];
  for (const p of fig.panels) {
    const series = seriesOf(lines, p.keys);
    if (series.length === 0 || (p.requires !== undefined && !lines.some((l) => Number.isFinite(l[p.requires!])))) continue;
    keys.push(...p.keys.map((k) => (typeof k === 'string' ? k : k[0])));
    const levels = (p.levels ?? []).flatMap(([y, name]) => level(series, y, name));
    panels.push({
      series: [...series, ...levels],
      title: p.title,
      yLabel: p.yLabel,
      xLabel: X_LABEL,
      logY: p.logY ?? false,
      legend: series.length > 1 || levels.length > 0 ? (p.legend ?? 'top-right') : 'none',
      ...(p.smooth ? { smooth: p.smooth } : {}),
      ...(p.yRange ? { yRange: p.yRange } : {}),
    });
  }
  if (panels.length === 0) return null;
  return { name: fig.name, title: fig.title, panels, keys, columns: Math.min(fig.columns ?? 2, panels.length) };
}

/**
 * Writes each figure that has data to `plots/NAME` (the PNG of the report's inline chart) and
 * returns the report charts.
 * @example const charts = await writeCurveFigures(join(dir, 'plots'), lines, [LOSSES, QUALITY]);
 */
export async function writeCurveFigures(plots: string, lines: readonly MetricsLine[], figures: readonly CurveFigure[]): Promise<ReportChart[]> {
  const out: ReportChart[] = [];
  for (const fig of figures) {
    const chart = curveChart(lines, fig);
    if (!chart) continue;
    await writeFileAtomic(join(plots, chart.name), panelsPlot(chart.panels, { columns: chart.columns ?? 2, title: chart.title, panelWidth: 400, panelHeight: 260 }));
    out.push(chart);
  }
  return out;
}

/**
 * The losses every kind logs (means over each logging interval), one per panel: they have different
 * units and scales. `extra` adds a kind's own (AC-GAN class losses).
 * @example writeCurveFigures(plots, lines, [lossFigure()])
 */
export function lossFigure(extra: readonly PanelSpec[] = []): CurveFigure {
  const s = LOSS_SMOOTHING;
  return {
    name: 'losses.png',
    title: 'training losses (means over each logging interval; faint: raw, bold: smoothed)',
    columns: 3,
    panels: [
      { keys: [['criticLoss', 'critic loss']], title: 'critic loss (with the penalty)', yLabel: 'critic loss', smooth: s },
      { keys: [['wasserstein', 'W estimate']], title: 'Wasserstein estimate', yLabel: 'E[D(x)] − E[D(G(z))]', smooth: s },
      { keys: [['generatorLoss', 'generator loss']], title: 'generator loss', yLabel: '−E[D(G(z))]', smooth: s },
      { keys: [['penalty', 'penalty']], title: 'gradient penalty', yLabel: 'λ·E[(‖∇D(x̂)‖ − 1)²]', smooth: s, logY: 'auto' },
      { keys: [['gradNorm', 'mean ‖∇D(x̂)‖']], title: 'critic gradient norm at x̂', yLabel: '‖∇D(x̂)‖', smooth: s, levels: [[1, 'target 1']] },
      ...extra,
    ],
  };
}

/**
 * What each metric of metrics.jsonl measures and what a good value is (the report's metrics table).
 * The paper's quantities: the critic loss and its Wasserstein estimate (section 3), the penalty
 * (eq. 3), the Inception Score (figure 3), the dev-set critic cost (figure 5b), JS-n (section 6.1).
 */
export const METRIC_GUIDE: Readonly<Record<string, MetricGuide>> = {
  iteration: { meaning: 'generator iterations completed', good: '' },
  elapsed: { meaning: 'seconds of training so far (across resumes)', good: '' },
  criticLoss: { meaning: 'critic loss E[D(G(z))] − E[D(x)] + λ·penalty, mean over the logging interval', good: 'negative; rises toward 0 as the generator improves' },
  wasserstein: { meaning: "E[D(x)] − E[D(G(z))]: the critic's estimate of the Wasserstein distance (up to the critic's scale)", good: 'falls toward 0 over training; the paper uses it to track convergence' },
  generatorLoss: { meaning: '−E[D(G(z))] (standard GAN: −E[log σ(D(G(z)))])', good: 'no target: its level drifts with the critic; watch its trend' },
  penalty: { meaning: 'λ·E[(‖∇D(x̂)‖ − 1)²] at interpolates x̂ between real and generated points', good: 'small next to |W estimate|: the 1-Lipschitz constraint holds' },
  gradNorm: { meaning: "mean ‖∇D(x̂)‖, the critic's gradient norm at the interpolates (what the penalty constrains)", good: 'close to 1' },
  criticAcgan: { meaning: "the critic's class cross-entropy on real images (AC-GAN), before its weight", good: 'low (falls toward 0)' },
  generatorAcgan: { meaning: "the critic's class cross-entropy on generated images (AC-GAN), before its weight", good: 'low: generated images look like their class' },
  modesCaptured: { meaning: 'mixture modes nearest to at least one high-quality sample (within 3 std of a mode)', good: 'all of them (8 or 25)' },
  totalModes: { meaning: 'number of modes of the mixture', good: '' },
  highQualityPct: { meaning: '% of generated samples within 3 std of their nearest mode', good: 'high; near 100 for a converged 8-Gaussians run' },
  energyDistance: { meaning: 'energy distance between generated and real points', good: '0 for the same distribution; lower is better' },
  w1: { meaning: 'exact Wasserstein-1 distance between 500 generated and 500 real points', good: 'lower is better; about 0.1-0.2 is sampling noise alone' },
  devCriticLoss: { meaning: 'critic cost on held-out real images (figure 5b)', good: 'close to the training critic loss: a growing gap means the critic overfits' },
  inceptionScore: { meaning: "Inception Score of the generated images under the run's classifier", good: 'higher is better; the real data\'s score (dashed) is the ceiling' },
  inceptionScoreStd: { meaning: 'standard deviation of the Inception Score over splits', good: 'small' },
  fid: { meaning: "Fréchet distance between classifier features of generated and reference images", good: "lower is better; the real data's FID (dashed) is the floor" },
  js1: { meaning: 'Jensen-Shannon divergence of character 1-gram frequencies, samples vs data (bits)', good: 'lower is better; the held-out text floor (dashed) is the best reachable' },
  js2: { meaning: 'JS divergence of character 2-grams (bits)', good: 'lower; floor dashed' },
  js3: { meaning: 'JS divergence of character 3-grams (bits)', good: 'lower; floor dashed' },
  js4: { meaning: 'JS divergence of character 4-grams (bits); the paper reports JS-4', good: 'lower; floor dashed' },
};

/**
 * The images of a report, as paths relative to the run folder: the latest snapshot of `plots`
 * matching `pattern`, the `extra` files that exist, then up to `max - 1` earlier snapshots evenly
 * spaced over the run, newest first.
 * @example reportImages(join(dir, 'plots'), /^samples-\d+\.png$/, [], 6)
 */
export function reportImages(plots: string, pattern: RegExp, extra: readonly string[], max: number): string[] {
  let files: string[];
  try {
    files = readdirSync(plots);
  } catch {
    return [];
  }
  const snaps = files.filter((f) => pattern.test(f)).sort();
  const earlier = snaps.slice(0, -1);
  const keep = Math.min(earlier.length, max - 1);
  const picked = spacedPick(earlier, keep);
  return [...snaps.slice(-1), ...extra.filter((f) => files.includes(f)), ...[...new Set(picked)].reverse()].map((f) => join('plots', f));
}

/**
 * Up to `k` of `items`, evenly spaced from the first to the last (both included when k ≥ 2; the
 * first when k = 1).
 * @example spacedPick([1, 2, 3, 4, 5], 3) // [1, 3, 5]
 */
export function spacedPick<T>(items: readonly T[], k: number): T[] {
  if (items.length <= k) return [...items];
  if (k <= 0) return [];
  if (k === 1) return [items[0]!];
  return [...new Set(Array.from({ length: k }, (_, i) => items[Math.round((i * (items.length - 1)) / (k - 1))]!))];
}
