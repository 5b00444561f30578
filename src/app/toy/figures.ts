/**
 * Figure 1 of the paper, each as one command writing PNGs.
 *
 * - fig1a: WGAN critics trained to optimality against a FIXED generator (real data + unit Gaussian
 *   noise, gan_toy.py's FIXED_GENERATOR) on the three toy sets, with weight clipping (top row) and
 *   with the gradient penalty (bottom row): value surfaces with real and fake points. Clipped critics
 *   learn overly simple functions; penalized critics follow the data.
 * - fig1b: Swiss roll, 12-layer ReLU MLP critic and generator without normalization, trained as a
 *   WGAN with clipping c ∈ {0.1, 0.01, 0.001} and as a WGAN-GP: the norm of the critic loss's
 *   gradient per layer (log scale) explodes or vanishes across layers with clipping and stays stable
 *   with the penalty; and weight histograms (clipping piles weights at ±c, the penalty spreads them).
 */
import { join } from 'node:path';
import { gradients } from '../../autodiff/grad.js';
import { fixedGeneratorSample, toyDataset, TOY_DATASETS, type ToyDatasetName } from '../../data/toy.js';
import { writeFileAtomic } from '../../io/atomic-file.js';
import { add } from '../../ops/add.js';
import { concat } from '../../ops/concat.js';
import { mean } from '../../ops/math.js';
import { mul } from '../../ops/mul.js';
import { relu } from '../../ops/relu.js';
import { reshape } from '../../ops/reshape.js';
import { slice } from '../../ops/slice.js';
import { sqrt } from '../../ops/sqrt.js';
import { sub } from '../../ops/sub.js';
import { sum } from '../../ops/sum.js';
import type { Optimizer } from '../../optim/optimizer.js';
import { LOSS_DEFAULTS, referenceOptimizer } from '../common.js';
import type { FigureOptions } from '../experiment.js';
import { prepareFigureFolder, tilePngs } from '../figures.js';
import { Rng } from '../../tensor/random.js';
import { realize, tensor, toHost, type Tensor } from '../../tensor/tensor.js';
import { contourPlot } from '../../viz/contour-plot.js';
import { histogramPlot } from '../../viz/histogram-plot.js';
import { linePlot } from '../../viz/line-plot.js';
import { gradientPenalty, wassersteinCriticLoss } from '../../gan/losses.js';
import { ToyMlp } from '../../gan/models/toy.js';
import { criticValues, PLOT_RANGE } from './plots.js';
import { seedStreams, Trainer } from '../../gan/trainer.js';

export type FigureName = 'fig1a' | 'fig1b';
export const FIGURES: readonly FigureName[] = ['fig1a', 'fig1b'];

/** Runs a figure; returns the paths of the PNGs written. */
export async function runFigure(name: FigureName, opts: FigureOptions): Promise<string[]> {
  if (name === 'fig1a') return figure1a(opts);
  if (name === 'fig1b') return figure1b(opts);
  throw new Error(`unknown figure '${String(name)}'; expected one of ${FIGURES.join(', ')}`);
}

type Constraint = 'clip' | 'gp';

/**
 * One panel of Figure 1a: a critic trained for `steps` steps against the fixed generator
 * G = real + N(0, 1) (gan_toy.py FIXED_GENERATOR; 512-wide 3-layer ReLU MLP; clipping: RMSProp 5e-5,
 * c = 0.01; penalty: Adam(1e-4, 0.5, 0.9), λ = 0.1; batch 256). Returns the critic surface PNG.
 */
export async function fixedGeneratorCritic(dataset: ToyDatasetName, constraint: Constraint, steps: number, seed: number, hidden = 512): Promise<Buffer> {
  const streams = seedStreams(seed);
  const data = toyDataset(dataset, { seed });
  const critic = new ToyMlp(2, 1, { hidden, layers: 3, rng: streams.criticInit });
  const params = critic.namedParameters();
  const opt: Optimizer =
    constraint === 'clip' ? referenceOptimizer('wgan', params, LOSS_DEFAULTS.wgan.clip) : referenceOptimizer('wgan-gp', params);
  const B = 256;
  const D = (x: Tensor): Tensor => critic.forward(x);
  const sampleFake = (real: Float32Array): Float32Array => fixedGeneratorSample(real, streams.noise);
  for (let s = 0; s < steps; s++) {
    const realData = data.sample(B, streams.data);
    const real = tensor(realData, [B, 2]);
    const fake = tensor(sampleFake(realData), [B, 2]);
    let loss = wassersteinCriticLoss(D(real), D(fake));
    if (constraint === 'gp') loss = add(loss, gradientPenalty(D, real, fake, streams.eps.uniform([B]), { lambda: 0.1 }).penalty);
    await opt.step(gradients(loss, critic.parameters()), [loss]);
  }
  const values = await criticValues(critic);
  const plotReal = data.sample(B, streams.fixedNoise);
  return contourPlot({
    values,
    range: PLOT_RANGE,
    real: plotReal,
    fake: sampleFake(plotReal),
    title: `${dataset}, ${constraint === 'clip' ? 'clipping' : 'penalty'}`,
    size: 400,
  });
}

async function figure1a(opts: FigureOptions): Promise<string[]> {
  const steps = opts.iters ?? 1000;
  const seed = opts.seed ?? 1;
  const files: string[] = [];
  for (const c of ['clip', 'gp'] as const) for (const d of TOY_DATASETS) files.push(`fig1a-${d}-${c}.png`);
  files.push('fig1a.png');
  await prepareFigureFolder(opts.out, files, opts.force ?? false);
  const pngs: Buffer[] = [];
  const written: string[] = [];
  for (const c of ['clip', 'gp'] as const) {
    for (const d of TOY_DATASETS) {
      opts.log?.(`fig1a: ${d}, ${c === 'clip' ? 'weight clipping' : 'gradient penalty'}: ${steps} critic steps against the fixed generator`);
      const png = await fixedGeneratorCritic(d, c, steps, seed, opts.hidden ?? 512);
      const path = join(opts.out, `fig1a-${d}-${c}.png`);
      await writeFileAtomic(path, png);
      pngs.push(png);
      written.push(path);
    }
  }
  const all = join(opts.out, 'fig1a.png');
  await writeFileAtomic(all, tilePngs(pngs, TOY_DATASETS.length));
  return [...written, all];
}

/** The settings compared in Figure 1b. */
export const FIG1B_SETTINGS = [
  { label: 'weight clipping c = 0.1', loss: { name: 'wgan', clip: 0.1 } },
  { label: 'weight clipping c = 0.01', loss: { name: 'wgan', clip: 0.01 } },
  { label: 'weight clipping c = 0.001', loss: { name: 'wgan', clip: 0.001 } },
  { label: 'gradient penalty', loss: { name: 'wgan-gp', lambda: 0.1 } },
] as const;

/** Result of one Figure 1b setting. */
export interface DeepCriticResult {
  /**
   * ‖∂L/∂h_l‖ for the output h_l of each linear layer l = 1..13 (input side first), where
   * L = E[D(fake)] − E[D(real)] on a batch: how the critic's backward pass grows or shrinks the
   * gradient from layer to layer (the explosion/vanishing of the paper's Figure 1b). Averaged over
   * `probes` batches.
   */
  gradNorms: number[];
  /** ‖∂L_D/∂W_l‖ of the full critic loss (with the penalty for WGAN-GP) for each layer's weight. */
  weightGradNorms: number[];
  /** Every weight-matrix entry of the critic. */
  weights: Float32Array;
}

/**
 * Trains a 12-layer ReLU MLP WGAN (no normalization) on the Swiss roll with the given constraint
 * (gan_toy.py's optimisers: clipping with RMSProp 5e-5, penalty with Adam(1e-4, 0.5, 0.9) and λ = 0.1;
 * 5 critic steps per generator step, batch 256), then measures the critic loss's gradient norm per layer.
 */
export async function deepCritic(setting: (typeof FIG1B_SETTINGS)[number], iters: number, seed: number, hidden = 512, probes = 5): Promise<DeepCriticResult> {
  const streams = seedStreams(seed);
  const data = toyDataset('swissroll');
  const mlp = { hidden, layers: 12 };
  const generator = new ToyMlp(2, 2, { ...mlp, rng: streams.generatorInit });
  const critic = new ToyMlp(2, 1, { ...mlp, rng: streams.criticInit });
  const clip = setting.loss.name === 'wgan' ? setting.loss.clip : undefined;
  const opt = (params: ReturnType<ToyMlp['namedParameters']>, project?: number): Optimizer => referenceOptimizer(setting.loss.name, params, project);
  const trainer = new Trainer({
    generator,
    critic,
    data: { sample: (n: number, rng: Rng) => tensor(data.sample(n, rng), [n, 2]) },
    loss: setting.loss,
    nCritic: 5,
    batchSize: 256,
    generatorOptimizer: opt(generator.namedParameters()),
    criticOptimizer: opt(critic.namedParameters(), clip),
    seed,
  });
  if (clip !== undefined) {
    // The clipped WGAN's critic starts inside the box (the reference clips after every step; the
    // first step would do it anyway).
    for (const p of critic.parameters()) p.assignData(Array.from(p.value!, (v) => Math.max(-clip, Math.min(clip, v))));
  }
  for (let i = 0; i < iters; i++) await trainer.iterate();
  // Gradient norms on fresh batches: per layer output (Wasserstein loss) and per weight (full loss).
  const weightsOf = critic.layers.map((l) => l.weight);
  const L = weightsOf.length;
  const act = new Array<number>(L).fill(0);
  const wgt = new Array<number>(L).fill(0);
  const rng = new Rng(seed + 1000);
  const norm = (g: Tensor): Tensor => sqrt(sum(mul(g, g)));
  for (let k = 0; k < probes; k++) {
    const B = 256;
    const real = tensor(data.sample(B, rng), [B, 2]);
    const fake = generator.forward(rng.normal([B, 2]));
    // One pass over [real; fake] that keeps every linear layer's output.
    const outs: Tensor[] = [];
    let h = concat([real, fake], 0);
    critic.layers.forEach((layer, i) => {
      h = layer.forward(h);
      outs.push(h);
      if (i < L - 1) h = relu(h);
    });
    const d = reshape(h, [2 * B]);
    const wLoss = sub(mean(slice(d, [B], [2 * B], [0])), mean(slice(d, [0], [B], [0])));
    const D = (x: Tensor): Tensor => critic.forward(x);
    let loss = wassersteinCriticLoss(D(real), D(fake));
    if (setting.loss.name === 'wgan-gp') loss = add(loss, gradientPenalty(D, real, fake, rng.uniform([B]), { lambda: setting.loss.lambda }).penalty);
    const an = gradients(wLoss, outs).map(norm);
    const wn = gradients(loss, weightsOf).map(norm);
    await realize([...an, ...wn]);
    an.forEach((n, i) => (act[i]! += Number(n.value![0]) / probes));
    wn.forEach((n, i) => (wgt[i]! += Number(n.value![0]) / probes));
  }
  const total = weightsOf.reduce((n, w) => n + w.size, 0);
  const weights = new Float32Array(total);
  await toHost(weightsOf);
  let off = 0;
  for (const w of weightsOf) {
    weights.set(w.value!, off);
    off += w.size;
  }
  return { gradNorms: act, weightGradNorms: wgt, weights };
}

async function figure1b(opts: FigureOptions): Promise<string[]> {
  const iters = opts.iters ?? 100;
  const seed = opts.seed ?? 1;
  const files = ['fig1b-gradient-norms.png', 'fig1b-weights-clipping.png', 'fig1b-weights-penalty.png', 'fig1b-weight-gradient-norms.png', 'fig1b-gradient-norms.json'];
  await prepareFigureFolder(opts.out, files, opts.force ?? false);
  const results: DeepCriticResult[] = [];
  for (const s of FIG1B_SETTINGS) {
    opts.log?.(`fig1b: ${s.label}: ${iters} generator iterations of a 12-layer WGAN on the Swiss roll`);
    const r = await deepCritic(s, iters, seed, opts.hidden ?? 512);
    results.push(r);
    opts.log?.(`  ‖∂L/∂h_l‖, layers 1..13: ${r.gradNorms.map((v) => v.toExponential(1)).join(' ')}`);
  }
  const layers = results[0]!.gradNorms.map((_, i) => i + 1);
  const norms = linePlot({
    series: FIG1B_SETTINGS.map((s, i) => ({ name: s.label, x: layers, y: results[i]!.gradNorms })),
    title: `critic loss gradient at each layer's output, ${iters} its`,
    xLabel: 'critic layer (input side first)',
    yLabel: '‖∂L/∂h‖',
    logY: true,
  });
  const paths = files.map((f) => join(opts.out, f));
  await writeFileAtomic(paths[0]!, norms);
  const clipped = results[1]!.weights; // c = 0.01, as in the paper's histogram
  // Binned over ±(99.9th percentile of |w|): the first layer's few large weights (he init with
  // fan-in 2) would otherwise squeeze the bulk into a couple of bins.
  const span = (w: Float32Array): [number, number] => {
    const a = Float32Array.from(w, Math.abs).sort();
    const r = a[Math.min(a.length - 1, Math.floor(0.999 * a.length))]! * 1.05;
    return [-r, r];
  };
  await writeFileAtomic(paths[1]!, histogramPlot({ series: [{ name: 'weight clipping c = 0.01', values: clipped }], bins: 60, range: span(clipped), title: 'critic weights, weight clipping (c = 0.01)', xLabel: 'weight' }));
  const gpW = results[3]!.weights;
  await writeFileAtomic(paths[2]!, histogramPlot({ series: [{ name: 'gradient penalty', values: gpW }], bins: 60, range: span(gpW), title: 'critic weights, gradient penalty', xLabel: 'weight' }));
  await writeFileAtomic(
    paths[3]!,
    linePlot({
      series: FIG1B_SETTINGS.map((s, i) => ({ name: s.label, x: layers, y: results[i]!.weightGradNorms })),
      title: `critic loss gradient at each layer's weights, ${iters} its`,
      xLabel: 'critic layer (input side first)',
      yLabel: '‖∂L/∂W‖',
      logY: true,
    }),
  );
  const table = {
    iters,
    seed,
    layers: layers.length,
    settings: FIG1B_SETTINGS.map((s, i) => ({ setting: s.label, outputGradNorms: results[i]!.gradNorms, weightGradNorms: results[i]!.weightGradNorms })),
  };
  await writeFileAtomic(paths[4]!, new TextEncoder().encode(`${JSON.stringify(table, null, 2)}\n`));
  return paths;
}
