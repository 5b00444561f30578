/**
 * Progress output of training commands: a cli-progress bar with iterations/s and ETA on a terminal,
 * plain lines (one per logged iteration) otherwise.
 */
import cliProgress from 'cli-progress';
import type { IterationStats } from '../gan/trainer.js';
import type { MetricsLine, RunReporter } from '../app/run-folder.js';

export type ProgressMode = 'auto' | 'bar' | 'lines' | 'none';
export const PROGRESS_MODES: readonly ProgressMode[] = ['auto', 'bar', 'lines', 'none'];

/** `1h02m`, `3m07s`, `12s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(r).padStart(2, '0')}s`;
  return `${r}s`;
}

function fmtNum(v: number | undefined, digits = 4): string {
  return v === undefined ? '-' : Number(v.toPrecision(digits)).toString();
}

/**
 * A short summary of a metrics line: losses and, when present, the AC-GAN cross-entropies, toy
 * metrics, and the Inception Score and FID of an evaluation iteration.
 * @example summarize({ iteration: 1000, elapsed: 60, criticLoss: -1.2, wasserstein: 1.5, inceptionScore: 5.1, fid: 48 })
 */
export function summarize(line: MetricsLine): string {
  const parts = [`critic ${fmtNum(line.criticLoss)}`, `W ${fmtNum(line.wasserstein)}`];
  if (line.generatorLoss !== undefined) parts.push(`gen ${fmtNum(line.generatorLoss)}`);
  if (line.gradNorm !== undefined) parts.push(`|∇| ${fmtNum(line.gradNorm, 3)}`);
  if (line.criticAcgan !== undefined) parts.push(`CE D ${fmtNum(line.criticAcgan, 3)}`);
  if (line.generatorAcgan !== undefined) parts.push(`CE G ${fmtNum(line.generatorAcgan, 3)}`);
  if (line.inceptionScore !== undefined) {
    parts.push(`IS ${line.inceptionScore.toFixed(2)}${line.inceptionScoreStd !== undefined ? `±${line.inceptionScoreStd.toFixed(2)}` : ''}`);
  }
  if (line.fid !== undefined) parts.push(`FID ${fmtNum(line.fid, 4)}`);
  if (line.modesCaptured !== undefined) parts.push(`modes ${line.modesCaptured}/${line.totalModes}`, `hq ${line.highQualityPct!.toFixed(1)}%`);
  if (line.w1 !== undefined) parts.push(`W1 ${fmtNum(line.w1, 3)}`);
  if (line.js4 !== undefined) parts.push(`JS-4 ${fmtNum(line.js4, 3)}`);
  return parts.join(' ');
}

/**
 * A reporter for a run: `bar` (cli-progress), `lines`, `none`, or `auto` (bar when `stream` is a TTY).
 * @example const reporter = progressReporter('auto');
 */
export function progressReporter(mode: ProgressMode, stream: NodeJS.WriteStream = process.stderr): RunReporter {
  const useBar = mode === 'bar' || (mode === 'auto' && stream.isTTY === true);
  if (mode === 'none') return { message: (t) => stream.write(`${t}\n`) };
  let total = 0;
  let startIt = 0;
  let t0 = 0;
  // Speed over the recent past (exponential average of per-iteration times), for a steady ETA.
  let lastT = 0;
  let avg = 0;
  let current = 0;
  const rate = (): number => (avg > 0 ? 1 / avg : 0);
  const track = (it: number): void => {
    const now = performance.now() / 1000;
    const dt = now - lastT;
    lastT = now;
    if (it - startIt > 1) avg = avg === 0 ? dt : 0.95 * avg + 0.05 * dt; // the first iteration includes compilation
    current = it;
  };
  if (useBar) {
    const bar = new cliProgress.SingleBar(
      {
        format: '{bar} {value}/{total} it | {speed} it/s | ETA {etaText} | {info}',
        stream,
        hideCursor: true,
        barsize: 24,
        fps: 5,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    let info = '';
    let started = false;
    return {
      start({ startIteration, iters }) {
        total = iters;
        startIt = startIteration;
        t0 = lastT = performance.now() / 1000;
        bar.start(iters, startIteration, { speed: '-', etaText: '-', info: '' });
        started = true;
      },
      iteration(it: number, _stats: IterationStats) {
        track(it);
        if (!started) return; // stopped to print a message (e.g. after Ctrl-C)
        const r = rate();
        bar.update(it, { speed: r > 0 ? r.toFixed(2) : '-', etaText: r > 0 ? formatDuration((total - it) / r) : '-', info });
      },
      logged(line) {
        info = summarize(line);
      },
      message(t) {
        if (started) bar.stop();
        started = false;
        stream.write(`${t}\n`);
      },
      stop() {
        if (started) bar.stop();
        started = false;
      },
    };
  }
  return {
    start({ dir, startIteration, iters }) {
      total = iters;
      startIt = startIteration;
      t0 = lastT = performance.now() / 1000;
      stream.write(`${startIteration > 0 ? 'resuming' : 'training'} ${dir}: iterations ${startIteration} → ${iters}\n`);
    },
    iteration(it: number) {
      track(it);
    },
    logged(line) {
      const r = rate() || (current - startIt) / Math.max(1e-9, performance.now() / 1000 - t0);
      const width = String(total).length;
      stream.write(`[${String(line.iteration).padStart(width)}/${total}] ${r.toFixed(2)} it/s ETA ${formatDuration((total - line.iteration) / r)} | ${summarize(line)}\n`);
    },
    message(t) {
      stream.write(`${t}\n`);
    },
  };
}
