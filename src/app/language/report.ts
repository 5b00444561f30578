/**
 * What a language run writes while it trains (see model.ts for the folder's layout): the samples
 * files and JS-1..4 at each evaluation, and the plots and report.html (the JS curves against their
 * floors, the losses, and sample lines at several iterations).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { argmaxIds, decodeLines, HELD_OUT_LINES } from '../../data/text.js';
import { writeFileAtomic } from '../../io/atomic-file.js';
import { escapeHtml, readMetricsJsonl, writeReport } from '../../viz/report.js';
import { type CurveFigure, lossFigure, METRIC_GUIDE, spacedPick, writeCurveFigures } from '../report.js';
import type { MetricsLine, RunHooks } from '../run-folder.js';
import type { LanguageConfig } from './index.js';
import type { LanguageModel } from './model.js';

/** The n-gram orders of the metrics (js1..js4). */
const ORDERS = [1, 2, 3, 4] as const;
/** Samples files shown in the report at most (evenly spaced, the latest included), and lines of each. */
export const REPORT_SAMPLE_FILES = 6;
export const REPORT_SAMPLE_LINES = 10;

/** The samples file of an iteration: samples/samples-NNNNNNN.txt. */
export function samplesFileName(iteration: number): string {
  return `samples-${String(iteration).padStart(7, '0')}.txt`;
}

/** Writes `path` unless it holds `text`; throws if it holds something else and `mustMatch`. */
function writeOrCheck(path: string, text: string, mustMatch: string | null): void {
  if (existsSync(path)) {
    const old = readFileSync(path, 'utf8');
    if (old === text) return;
    if (mustMatch !== null) throw new Error(mustMatch);
  }
  writeFileSync(path, text);
}

/**
 * The run loop's hooks of a language run in `dir`. At once: writes charmap.json (or, resuming,
 * checks that the corpus still gives the saved char map) and floor.json. Evaluate: the evalSamples
 * fixed-noise samples to samples/samples-NNNNNNN.txt and JS-1..4 (bits) against the data. Plot:
 * plots/js.png, plots/losses.png and report.html.
 */
export function languageHooks(model: LanguageModel, dir: string): RunHooks {
  const data = model.data;
  if (!data) throw new Error('languageHooks: the model was built without its corpus');
  const c = model.config;
  mkdirSync(join(dir, 'samples'), { recursive: true });
  writeOrCheck(
    join(dir, 'charmap.json'),
    `${JSON.stringify(model.charmap.toJSON())}\n`,
    `the corpus of '${dir}' (${data.corpus.name}) no longer gives the character map saved in '${join(dir, 'charmap.json')}': the data changed since the run started`,
  );
  writeOrCheck(join(dir, 'floor.json'), `${JSON.stringify({ heldOutLines: HELD_OUT_LINES, ...data.floor }, null, 2)}\n`, null);
  return {
    evaluate: async (iteration) => {
      const x = await model.trainer.fixedSamples();
      const ids = argmaxIds(await x.data(), x.shape);
      const lines = decodeLines(ids, c.seqLen, model.charmap);
      await writeFileAtomic(join(dir, 'samples', samplesFileName(iteration)), new TextEncoder().encode(lines.map((l) => `${l}\n`).join('')));
      return data.reference.jsByOrder(ids);
    },
    plot: async () => writeLanguageReport(dir, c, data.floor),
  };
}

/** The curve figures of a language run: JS-1..4 against their held-out floors (one panel each: their scales differ tenfold), and the losses. */
export function languageFigures(floor: Readonly<Record<string, number>>): CurveFigure[] {
  return [
    {
      name: 'js.png',
      title: 'Jensen-Shannon divergence of n-gram statistics, samples vs data (dashed: held-out real text)',
      columns: 2,
      panels: ORDERS.map((n) => {
        const f = floor[`js${n}`];
        return { keys: [[`js${n}`, 'samples']], title: `JS-${n}`, yLabel: 'bits', levels: typeof f === 'number' ? [[f, `real text ${f.toFixed(3)}`]] : [] };
      }),
    },
    lossFigure(),
  ];
}

/**
 * Writes plots/js.png, plots/losses.png and report.html: the config, the two charts, every metric's
 * curve, and the first lines of the samples files at up to {@link REPORT_SAMPLE_FILES} iterations.
 * @example await writeLanguageReport('runs/language', config, floor);
 */
export async function writeLanguageReport(dir: string, config: LanguageConfig, floor: Readonly<Record<string, number>>): Promise<void> {
  const metricsPath = join(dir, 'metrics.jsonl');
  const rows = existsSync(metricsPath) ? (readMetricsJsonl(metricsPath) as MetricsLine[]) : [];
  const charts = await writeCurveFigures(join(dir, 'plots'), rows, languageFigures(floor));
  let files: string[] = [];
  try {
    files = (await readdir(join(dir, 'samples'))).filter((f) => /^samples-\d+\.txt$/.test(f)).sort();
  } catch {
    // no samples yet
  }
  const parts: string[] = [];
  const shown = spacedPick(files, REPORT_SAMPLE_FILES);
  for (const f of shown.reverse()) {
    const lines = (await readFile(join(dir, 'samples', f), 'utf8')).split('\n').slice(0, REPORT_SAMPLE_LINES);
    parts.push(`<h3>iteration ${Number(f.slice(8, 15))}</h3><pre>${escapeHtml(lines.join('\n'))}</pre>`);
  }
  const floorText = ORDERS.map((n) => `JS-${n} ${(floor[`js${n}`] ?? Number.NaN).toFixed(3)}`).join(', ');
  const samples =
    `<h2>Samples</h2><p>Held-out real text (the floor): ${escapeHtml(floorText)}. The first ${REPORT_SAMPLE_LINES} of the ` +
    `${config.evalSamples} argmax-decoded fixed-noise samples (padding \`), latest first; all in samples/.</p>${parts.join('\n')}`;
  writeReport({
    dir,
    title: `wgan-gp ${config.preset ?? 'language'}: ${config.loss}, DIM ${config.dim}, ${config.data ?? 'State of the Union'}`,
    config,
    metrics: rows,
    charts,
    guide: METRIC_GUIDE,
    sections: [samples],
    iters: config.iters,
    xKey: 'iteration',
  });
}
