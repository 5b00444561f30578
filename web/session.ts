/**
 * The playground's training session, free of the DOM so that it runs in the Web Worker, in Node
 * (its tests) and on any backend: one "lane" per loss (WGAN-GP, WGAN with clipping, standard GAN,
 * LSGAN), each with the CLI's toy networks, optimisers and Trainer built from the same seed, so the
 * lanes see the same data, noise and initial weights and differ only in their objective (the
 * paper's Figure 1, live).
 *
 * Nothing here re-implements a loss: the lanes train with src/gan's Trainer, their settings come
 * from src/app/common.ts (`trainerSettings`, `makeOptimizer`) exactly as `wgan-gp train` builds a toy
 * run (src/app/toy/model.ts), and the views (generator-gradient arrows, ‖∇D‖ map) differentiate the
 * losses of src/gan/losses.ts.
 */
import { COMMON_FIELDS, makeOptimizer, trainerSettings, type CommonSettings } from '../src/app/common.js';
import { defaultsOf } from '../src/app/settings.js';
import { gradients } from '../src/autodiff/grad.js';
import { toyDataset, type ToyModes } from '../src/data/toy.js';
import {
  ganGeneratorLoss,
  interpolate,
  lsganGeneratorLoss,
  perSampleNorm,
  wassersteinGeneratorLoss,
  type LossName,
} from '../src/gan/losses.js';
import { applyCheckpoint, type CheckpointManifest } from '../src/gan/checkpoint.js';
import { fusesIteration, ToyMlp } from '../src/gan/models/toy.js';
import { decodeSafetensors } from '../src/io/safetensors.js';
import { seedStreams, Trainer, type DataSource, type IterationStats, type LossSpec } from '../src/gan/trainer.js';
import { energyDistance } from '../src/metrics/distance.js';
import { modeCoverage } from '../src/metrics/toy.js';
import { mul, neg, sum } from '../src/ops/index.js';
import type { Optimizer } from '../src/optim/optimizer.js';
import { Rng } from '../src/tensor/random.js';
import { realize, tensor, type Tensor } from '../src/tensor/tensor.js';
import {
  configQuery,
  DRAWN_STD,
  EVAL_SAMPLES,
  GRID,
  LOSSES,
  MANIFOLD,
  parseConfig,
  PLAYGROUND_DATASETS,
  PLAYGROUND_DEFAULTS,
  RANGE,
  SHOWN,
  type PlaygroundConfig,
} from './config.js';

/** Points drawn with the mouse as a data source: each draw picks a drawn point and adds N(0, DRAWN_STD²). */
export function drawnData(points: readonly number[]): { sample(n: number, rng: Rng): Float32Array; modes: ToyModes } {
  const k = points.length / 2;
  if (!Number.isInteger(k) || k < 1) throw new Error(`drawnData: needs at least one x,y point, got ${points.length} numbers`);
  const centres = Array.from({ length: k }, (_, i) => [points[2 * i]!, points[2 * i + 1]!] as const);
  return {
    modes: { centres, std: DRAWN_STD },
    sample(n, rng) {
      const out = new Float32Array(2 * n);
      for (let i = 0; i < n; i++) {
        const [x, y] = centres[rng.int(k)]!;
        out[2 * i] = x + DRAWN_STD * rng.gauss();
        out[2 * i + 1] = y + DRAWN_STD * rng.gauss();
      }
      return out;
    },
  };
}

/** A dataset of the config, as a Trainer data source with its modes (absent for the Swiss roll). */
function dataOf(c: PlaygroundConfig): DataSource & { draw(n: number, rng: Rng): Float32Array; modes?: ToyModes | undefined } {
  if (c.dataset === 'drawn') {
    const d = drawnData(c.points);
    return { draw: d.sample, modes: d.modes, sample: (n, rng) => tensor(d.sample(n, rng), [n, 2]) };
  }
  const d = toyDataset(c.dataset, { seed: c.seed });
  return {
    draw: (n, rng) => d.sample(n, rng),
    modes: d.modes,
    sample: (n, rng) => tensor(d.sample(n, rng), [n, 2]),
    state: () => d.state(),
    restore: (s: unknown) => d.restore(s as { cursor: number }),
  };
}

/** The reference optimiser kind of each loss (src/app/common.ts LOSS_DEFAULTS). */
const REFERENCE_OPTIMIZER: Record<LossName, 'adam' | 'rmsprop'> = { 'wgan-gp': 'adam', wgan: 'rmsprop', gan: 'adam', lsgan: 'rmsprop' };

/** The CLI's settings object of one lane (what `wgan-gp train` would resolve for this loss and these controls). */
export function laneSettings(c: PlaygroundConfig, loss: LossName): CommonSettings {
  return {
    ...defaultsOf(COMMON_FIELDS),
    loss,
    lambda: c.lambda,
    oneSided: c.oneSided,
    clip: c.clip,
    nCritic: c.nCritic,
    optimizer: c.optimizer === 'reference' ? REFERENCE_OPTIMIZER[loss] : c.optimizer,
    lr: c.lr,
    beta1: c.beta1,
    beta2: c.beta2,
    lrDecay: 'none',
    seed: c.seed,
  };
}

/** One logged iteration of a lane. */
export interface HistoryPoint {
  iteration: number;
  wasserstein: number;
  criticLoss: number;
  generatorLoss?: number;
  penalty?: number;
  gradNorm?: number;
}

/** A lane's metrics at one view (generator samples for the fixed evaluation noise). */
export interface LaneMetrics {
  iteration: number;
  /** Modes captured and % of high-quality samples (mixtures and drawn points; see src/metrics/toy.ts). */
  modesCaptured?: number;
  totalModes?: number;
  highQualityPct?: number;
  /** Energy distance between generated and real points (every dataset). */
  energyDistance: number;
  /** Mean ‖∇D(x̂)‖ at the plotted interpolates x̂, for every loss (the trainer reports it for wgan-gp only). */
  interpGradNorm: number;
}

/** What the page draws of a lane. Arrays are row-major x,y pairs or GRID×GRID values (point i·GRID + j is (x_i, y_j)). */
export interface LaneView {
  loss: LossName;
  iteration: number;
  criticSteps: number;
  generatorSteps: number;
  critic: Float32Array;
  /** ‖∇ₓD(x)‖ on the grid. */
  gradNorm: Float32Array;
  fake: Float32Array;
  /** −∇ₓ L_G at each generated point (scaled by the batch): where the generator's update pushes it. */
  arrows: Float32Array;
  /** G of the noise grid (MANIFOLD×MANIFOLD points). */
  manifold: Float32Array;
  /** Interpolates x̂ = ε·real + (1 − ε)·fake of the plotted points (where the penalty is taken). */
  interpolates: Float32Array;
  metrics: LaneMetrics;
  /** The iterations logged since the lane's previous view (the page appends them to its curves). */
  history: HistoryPoint[];
  last?: IterationStats;
}

/** The generator loss of a loss spec on critic scores of generated points (src/gan/losses.ts). */
function generatorLossOf(spec: LossSpec, dFake: Tensor): Tensor {
  switch (spec.name) {
    case 'wgan-gp':
    case 'wgan':
      return wassersteinGeneratorLoss(dFake);
    case 'gan':
      return ganGeneratorLoss(dFake, spec.variant ?? 'non-saturating');
    case 'lsgan':
      return lsganGeneratorLoss(dFake);
  }
}

/** The fixed inputs every view uses (from the seed, independent of the training streams). */
interface ViewInputs {
  grid: Tensor;
  plotNoise: Tensor;
  plotReal: Float32Array;
  plotEps: Tensor;
  evalNoise: Tensor;
  evalReal: Float32Array;
  manifoldNoise: Tensor;
}

/** One loss's networks and trainer. */
export class Lane {
  readonly loss: LossName;
  readonly generator: ToyMlp;
  readonly critic: ToyMlp;
  readonly trainer: Trainer;
  readonly optG: Optimizer;
  readonly optD: Optimizer;
  criticSteps = 0;
  generatorSteps = 0;
  readonly history: HistoryPoint[] = [];
  readonly metrics: LaneMetrics[] = [];
  last: IterationStats | undefined;
  /** History points already sent with a view. */
  private sent = 0;

  /** Built as src/app/toy/model.ts buildToyModel builds a CLI toy run of these settings. */
  constructor(config: PlaygroundConfig, loss: LossName, data: DataSource) {
    this.loss = loss;
    const settings = laneSettings(config, loss);
    const streams = seedStreams(config.seed);
    const mlp = { hidden: config.hidden, layers: config.layers };
    this.generator = new ToyMlp(2, 2, { ...mlp, rng: streams.generatorInit });
    this.critic = new ToyMlp(2, 1, { ...mlp, rng: streams.criticInit });
    const base = trainerSettings(settings, this.generator, this.critic);
    // The generator has its own rate (GAN Lab's two learning rates); equal rates give the CLI's optimisers.
    const optG = makeOptimizer({ ...settings, lr: config.lrG }, this.generator.namedParameters());
    this.trainer = new Trainer({
      ...base,
      generatorOptimizer: optG,
      data,
      noise: (n, rng) => rng.normal([n, 2]),
      batchSize: config.batch,
      // As the CLI's toy runs: one run per generator iteration (bit for bit the separate steps'
      // results); step mode still runs single steps.
      fuseIteration: fusesIteration(config.layers),
    });
    this.optG = optG;
    this.optD = base.criticOptimizer;
  }

  /**
   * Continues a CLI toy run: its checkpoint's weights, optimizer slots and counters, random streams and
   * data position (src/gan/checkpoint.ts applyCheckpoint; shapes are checked before anything changes).
   */
  load(manifest: CheckpointManifest, weights: Uint8Array): void {
    const tensors: Record<string, { shape: readonly number[]; data: Float32Array }> = {};
    for (const [name, e] of Object.entries(decodeSafetensors(weights, manifest.weights).tensors)) {
      if (!(e.data instanceof Float32Array)) throw new Error(`${manifest.weights}: tensor '${name}' is ${e.dtype}, expected F32`);
      tensors[name] = { shape: e.shape, data: e.data };
    }
    applyCheckpoint(this.trainer, { manifest, tensors });
    this.criticSteps = manifest.optimizers.critic.step;
    this.generatorSteps = manifest.optimizers.generator.step;
  }

  /** One generator iteration as `wgan-gp train` runs it (no generator step at iteration 0). */
  async iterate(): Promise<IterationStats> {
    const s = await this.trainer.iterate();
    this.criticSteps += this.trainer.nCritic;
    if (s.generatorLoss !== undefined) this.generatorSteps++;
    this.record(s);
    return s;
  }

  /** One critic step alone (step mode). */
  async criticStep(): Promise<void> {
    const s = await this.trainer.criticStep();
    this.criticSteps++;
    this.record({ iteration: this.trainer.iteration, ...s, ...(this.last?.generatorLoss !== undefined ? { generatorLoss: this.last.generatorLoss } : {}) });
  }

  /** One generator step alone (step mode). */
  async generatorStep(): Promise<void> {
    const generatorLoss = await this.trainer.generatorStep();
    this.generatorSteps++;
    if (this.last) this.last = { ...this.last, generatorLoss };
  }

  /** The learning rates and λ, changed while training: rates are fed tensors, a new λ compiles one new critic step. */
  setLive(c: Pick<PlaygroundConfig, 'lambda' | 'lr' | 'lrG'>): void {
    if (this.trainer.loss.name === 'wgan-gp') this.trainer.loss.lambda = c.lambda;
    this.optD.lr = c.lr;
    this.optG.lr = c.lrG;
  }

  private record(s: IterationStats): void {
    this.last = s;
    const h: HistoryPoint = { iteration: s.iteration, wasserstein: s.wasserstein, criticLoss: s.criticLoss };
    if (s.generatorLoss !== undefined) h.generatorLoss = s.generatorLoss;
    if (s.penalty !== undefined) h.penalty = s.penalty;
    if (s.gradNorm !== undefined) h.gradNorm = s.gradNorm;
    this.history.push(h);
  }

  /** Everything the page draws of this lane, from one backend run. */
  async view(inp: ViewInputs, modes: ToyModes | undefined): Promise<LaneView> {
    const D = (x: Tensor): Tensor => this.critic.forward(x);
    const fake = this.generator.forward(inp.plotNoise);
    const critic = D(inp.grid);
    const [gGrid] = gradients(sum(critic), [inp.grid]);
    const gridNorm = perSampleNorm(gGrid!);
    const n = inp.plotNoise.shape[0]!;
    const [gFake] = gradients(mul(generatorLossOf(this.trainer.loss, D(fake)), n), [fake]);
    const arrows = neg(gFake!);
    const xhat = interpolate(tensor(inp.plotReal, [n, 2]), fake, inp.plotEps);
    const [gHat] = gradients(sum(D(xhat)), [xhat]);
    const hatNorm = perSampleNorm(gHat!);
    const manifold = this.generator.forward(inp.manifoldNoise);
    const evalFake = this.generator.forward(inp.evalNoise);
    await realize([fake, critic, gridNorm, arrows, xhat, hatNorm, manifold, evalFake]);
    const ev = Float32Array.from(evalFake.value!);
    const metrics: LaneMetrics = {
      iteration: this.trainer.iteration,
      energyDistance: energyDistance(ev.subarray(0, 2 * 500), inp.evalReal.subarray(0, 2 * 500)),
      interpGradNorm: mean(hatNorm.value!),
    };
    if (modes) {
      const cov = modeCoverage(ev, modes);
      metrics.modesCaptured = cov.modesCaptured;
      metrics.totalModes = cov.totalModes;
      metrics.highQualityPct = 100 * cov.highQualityFraction;
    }
    const last = this.metrics[this.metrics.length - 1];
    if (last && last.iteration === metrics.iteration) this.metrics[this.metrics.length - 1] = metrics;
    else this.metrics.push(metrics);
    const f32 = (t: Tensor): Float32Array => Float32Array.from(t.value!);
    const sent = this.sent;
    this.sent = this.history.length;
    return {
      loss: this.loss,
      iteration: this.trainer.iteration,
      criticSteps: this.criticSteps,
      generatorSteps: this.generatorSteps,
      critic: f32(critic),
      gradNorm: f32(gridNorm),
      fake: f32(fake),
      arrows: f32(arrows),
      manifold: f32(manifold),
      interpolates: f32(xhat),
      metrics,
      history: this.history.slice(sent),
      ...(this.last ? { last: this.last } : {}),
    };
  }
}

function mean(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]!;
  return v.length ? s / v.length : NaN;
}

/** The run's export: its config and every lane's curves and metrics. */
export interface RunExport {
  format: 'wgan-gp-playground-run';
  version: 1;
  config: PlaygroundConfig;
  /** The settings each lane trained with, as `wgan-gp train --config` reads them (kind toy). */
  lanes: { loss: LossName; settings: Record<string, unknown>; iteration: number; criticSteps: number; generatorSteps: number; history: HistoryPoint[]; metrics: LaneMetrics[] }[];
}

/**
 * A playground run: one lane per loss on the same data and seed, and the fixed inputs of the views.
 * Realizes on the active backend (`setBackend`).
 * @example
 * const s = new Session(parseConfig('losses=wgan-gp,wgan&hidden=32'));
 * await s.iterate(); const views = await s.views();
 */
export class Session {
  readonly config: PlaygroundConfig;
  readonly lanes: Lane[];
  readonly real: Float32Array;
  private readonly inputs: ViewInputs;
  private readonly modes: ToyModes | undefined;

  constructor(config: PlaygroundConfig) {
    if (config.losses.length === 0) throw new Error('Session: losses is empty; choose at least one loss');
    this.config = config;
    // Each lane reads its own copy of the data (the 25-Gaussians pool has a read position), from the same seed.
    this.lanes = config.losses.map((loss) => new Lane(config, loss, dataOf(config)));
    const data = dataOf(config);
    this.modes = data.modes;
    const rng = new Rng(config.seed + 7919);
    const g = new Float32Array(GRID * GRID * 2);
    for (let i = 0; i < GRID; i++) {
      for (let j = 0; j < GRID; j++) {
        g[2 * (i * GRID + j)] = -RANGE + (2 * RANGE * i) / (GRID - 1);
        g[2 * (i * GRID + j) + 1] = -RANGE + (2 * RANGE * j) / (GRID - 1);
      }
    }
    const m = new Float32Array(MANIFOLD * MANIFOLD * 2);
    for (let i = 0; i < MANIFOLD; i++) {
      for (let j = 0; j < MANIFOLD; j++) {
        m[2 * (i * MANIFOLD + j)] = -2 + (4 * i) / (MANIFOLD - 1);
        m[2 * (i * MANIFOLD + j) + 1] = -2 + (4 * j) / (MANIFOLD - 1);
      }
    }
    this.real = data.draw(SHOWN, rng);
    this.inputs = {
      grid: tensor(g, [GRID * GRID, 2]),
      plotNoise: rng.normal([SHOWN, 2]),
      plotReal: this.real,
      plotEps: rng.uniform([SHOWN]),
      evalNoise: rng.normal([EVAL_SAMPLES, 2]),
      evalReal: data.draw(EVAL_SAMPLES, rng),
      manifoldNoise: tensor(m, [MANIFOLD * MANIFOLD, 2]),
    };
  }

  /** One generator iteration of every lane, in turn. */
  async iterate(): Promise<void> {
    for (const lane of this.lanes) await lane.iterate();
  }

  /** One critic step, or one generator step, of every lane. */
  async step(which: 'critic' | 'generator'): Promise<void> {
    for (const lane of this.lanes) await (which === 'critic' ? lane.criticStep() : lane.generatorStep());
  }

  setLive(c: Pick<PlaygroundConfig, 'lambda' | 'lr' | 'lrG'>): void {
    Object.assign(this.config, { lambda: c.lambda, lr: c.lr, lrG: c.lrG });
    for (const lane of this.lanes) lane.setLive(c);
  }

  /** Every lane's view (one backend run per lane). */
  async views(): Promise<LaneView[]> {
    const out: LaneView[] = [];
    for (const lane of this.lanes) out.push(await lane.view(this.inputs, this.modes));
    return out;
  }

  /** The run as JSON-ready data: config, per-lane settings, curves and metrics. */
  export(): RunExport {
    return {
      format: 'wgan-gp-playground-run',
      version: 1,
      config: this.config,
      lanes: this.lanes.map((l) => ({
        loss: l.loss,
        settings: {
          kind: 'toy',
          ...(this.config.dataset !== 'drawn' ? { dataset: this.config.dataset } : {}),
          ...laneSettings(this.config, l.loss),
          hidden: this.config.hidden, layers: this.config.layers, batchSize: this.config.batch, noiseDim: 2 },
        iteration: l.trainer.iteration,
        criticSteps: l.criticSteps,
        generatorSteps: l.generatorSteps,
        history: l.history,
        metrics: l.metrics,
      })),
    };
  }
}

/**
 * The playground config that continues a CLI toy run (its config.json and checkpoint manifest): one
 * panel with the run's loss and settings, the learning rates the checkpoint was at (a linear decay
 * stops there: the page keeps rates constant). Throws, naming the setting, for what the page cannot run.
 * @example const c = configFromRun(JSON.parse(configText), JSON.parse(manifestText));
 */
export function configFromRun(run: Record<string, unknown>, manifest: CheckpointManifest): PlaygroundConfig {
  if (run.kind !== 'toy') throw new Error(`config.json: kind is '${String(run.kind)}'; the playground continues toy runs only`);
  if (run.noiseDim !== 2) throw new Error(`config.json: noiseDim is ${String(run.noiseDim)}; the playground's generators take 2-D noise`);
  const dataset = run.dataset as PlaygroundConfig['dataset'];
  if (!PLAYGROUND_DATASETS.includes(dataset) || dataset === 'drawn') throw new Error(`config.json: unknown dataset '${String(run.dataset)}'`);
  const loss = run.loss as PlaygroundConfig['losses'][number];
  if (!LOSSES.includes(loss)) throw new Error(`config.json: unknown loss '${String(run.loss)}'`);
  if (loss === 'gan' && run.ganVariant !== 'non-saturating') throw new Error(`config.json: ganVariant '${String(run.ganVariant)}'; the playground trains the non-saturating GAN`);
  const optimizer = run.optimizer as PlaygroundConfig['optimizer'];
  if (optimizer !== 'adam' && optimizer !== 'rmsprop') throw new Error(`config.json: optimizer '${String(run.optimizer)}' is not in the playground (adam, rmsprop)`);
  const num = (key: string): number => {
    const v = run[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`config.json: ${key} must be a number, got ${JSON.stringify(v)}`);
    return v;
  };
  // Through the URL form: the same checks as a link's settings, each naming its parameter.
  return parseConfig(configQuery({
    ...PLAYGROUND_DEFAULTS,
    losses: [loss],
    dataset,
    points: [],
    lambda: num('lambda'),
    oneSided: run.oneSided === true,
    clip: num('clip'),
    nCritic: num('nCritic'),
    optimizer,
    lr: manifest.optimizers.critic.lr,
    lrG: manifest.optimizers.generator.lr,
    beta1: num('beta1'),
    beta2: num('beta2'),
    layers: num('layers'),
    hidden: num('hidden'),
    batch: num('batchSize'),
    seed: num('seed'),
  }));
}
