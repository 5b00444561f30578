/**
 * The toy-experiment grid of docs/EXPERIMENTS.md: the three datasets × {wgan-gp, wgan, gan} × seeds,
 * each a real `wgan-gp train --preset toy-<dataset> --loss <loss>` run at a stated budget, summarised as
 * a markdown table (mean ± std over seeds) and a JSON file.
 *
 *   node --import tsx scripts/toy-experiments.ts [--iters 500] [--hidden 128] [--seeds 1,2,3] [--out tmp/toy-grid]
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { LossName } from '../src/gan/losses.js';
import { ortBackend, resolveRunConfig, setBackend, toyExperiment, trainRun, type RunEnv, type ToyConfig } from '../src/node.js';

const { values } = parseArgs({
  options: {
    iters: { type: 'string', default: '500' },
    hidden: { type: 'string', default: '128' },
    seeds: { type: 'string', default: '1,2,3' },
    out: { type: 'string', default: 'tmp/toy-grid' },
    threads: { type: 'string', default: '2' },
  },
});
const iters = Number(values.iters);
const hidden = Number(values.hidden);
const seeds = values.seeds!.split(',').map(Number);
const datasets = ['8gaussians', '25gaussians', 'swissroll'] as const;
const losses: LossName[] = ['wgan-gp', 'wgan', 'gan'];

interface Row {
  dataset: string;
  loss: string;
  seed: number;
  modes?: string;
  highQualityPct?: number;
  w1?: number;
  energyDistance?: number;
  seconds: number;
}
const backend = ortBackend({ threads: Number(values.threads) });
setBackend(backend);
const env: RunEnv = { say: (t) => console.error(t), write: (t) => process.stdout.write(t), useBackend: async () => setBackend(backend) };
const rows: Row[] = [];
await mkdir(values.out!, { recursive: true });
for (const dataset of datasets) {
  for (const loss of losses) {
    for (const seed of seeds) {
      const flags: Partial<ToyConfig> = { loss, iters, hidden, seed, threads: Number(values.threads), evalEvery: iters, plotEvery: 0, logEvery: iters, checkpointEvery: iters };
      const config = resolveRunConfig(toyExperiment, { preset: `toy-${dataset}`, flags });
      const dir = join(values.out!, `${dataset}-${loss}-s${seed}`);
      const t0 = performance.now();
      const res = await trainRun(toyExperiment, config, dir, env, { force: true, handleSignals: false });
      const seconds = (performance.now() - t0) / 1000;
      const m = res.last ?? ({} as NonNullable<typeof res.last>);
      const row: Row = { dataset, loss, seed, seconds };
      if (m.modesCaptured !== undefined) row.modes = `${m.modesCaptured}/${m.totalModes}`;
      if (m.highQualityPct !== undefined) row.highQualityPct = m.highQualityPct;
      if (m.w1 !== undefined) row.w1 = m.w1;
      if (m.energyDistance !== undefined) row.energyDistance = m.energyDistance;
      rows.push(row);
      console.error(JSON.stringify(row));
    }
  }
}
await writeFile(join(values.out!, 'grid.json'), JSON.stringify({ iters, hidden, seeds, rows }, null, 1));

const stat = (xs: number[]): string => {
  const mu = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mu) ** 2, 0) / xs.length);
  return `${mu.toPrecision(3)} ± ${sd.toPrecision(2)}`;
};
console.log('| dataset | loss | modes captured (per seed) | % high quality | W1 (500 pts) | energy distance | wall s / run |');
console.log('|---|---|---|---|---|---|---|');
for (const dataset of datasets) {
  for (const loss of losses) {
    const r = rows.filter((x) => x.dataset === dataset && x.loss === loss);
    const modes = r.every((x) => x.modes) ? r.map((x) => x.modes).join(', ') : '—';
    const hq = r.every((x) => x.highQualityPct !== undefined) ? stat(r.map((x) => x.highQualityPct!)) : '—';
    console.log(`| ${dataset} | ${loss} | ${modes} | ${hq} | ${stat(r.map((x) => x.w1 ?? NaN))} | ${stat(r.map((x) => x.energyDistance ?? NaN))} | ${stat(r.map((x) => x.seconds))} |`);
  }
}
