/**
 * The GAN trainer shared by every experiment: one generator iteration is a generator step (skipped
 * at iteration 0) followed by `nCritic` critic steps, each on a fresh real batch and fresh noise, as
 * in the reference scripts' loops.
 *
 * Each step is built lazily (forward passes, loss, gradients — for WGAN-GP the double backward of
 * the penalty — and the optimizer's update) and realized ONCE: the loss, the new parameters and the
 * new optimizer slots come out of one backend run, so on onnxruntime every critic step is one run of
 * one cached session, and likewise every generator step; with `fuseIteration`, a whole generator
 * iteration is one run.
 *
 * Random numbers come from three seeded streams (data, noise, ε) whose states are part of
 * {@link Trainer.state}, so a run restored from a checkpoint draws exactly what an uninterrupted one
 * would.
 */
import { gradients } from '../autodiff/grad.js';
import type { Module } from '../nn/module.js';
import { substitute } from '../autodiff/substitute.js';
import type { Optimizer, PendingUpdate } from '../optim/optimizer.js';
import { add } from '../ops/add.js';
import { softmaxCrossEntropy } from '../ops/cross-entropy.js';
import { mul } from '../ops/mul.js';
import { Rng, type RngState } from '../tensor/random.js';
import { shapesEqual } from '../tensor/shape.js';
import { buildPlan, realize, realizePlan, tensor, type Backend, type Plan, type Tensor } from '../tensor/tensor.js';
import {
  ganDiscriminatorLoss,
  ganGeneratorLoss,
  gradientPenalty,
  lsganDiscriminatorLoss,
  lsganGeneratorLoss,
  wassersteinCriticLoss,
  wassersteinGeneratorLoss,
  type LossName,
} from './losses.js';

/** Which objective to train with, and its settings. */
export type LossSpec =
  | { name: 'wgan-gp'; lambda: number; oneSided?: boolean }
  | { name: 'wgan'; clip: number }
  | { name: 'gan'; variant?: 'non-saturating' | 'minimax' }
  | { name: 'lsgan' };

/**
 * Where real batches come from. `sample` must draw only from `rng` (and from its own state, saved by
 * `state`/`restore`), so that runs are reproducible and resumable.
 */
export interface DataSource {
  sample(n: number, rng: Rng): Tensor;
  /** Class labels of the batch the last `sample` returned (needed by conditional training). */
  lastLabels?(): Int32Array | undefined;
  state?(): unknown;
  restore?(state: unknown): void;
}

/**
 * Class-conditional training (gan_cifar_resnet.py CONDITIONAL): the generator is called as
 * `generator.forward(z, labels)` with int32 labels [n]. In a critic step the fakes take the real
 * batch's labels (`data.lastLabels()`), in a generator step labels are drawn uniformly, as the
 * reference does. With `acgan` the critic must be an {@link AcganCritic}: its class logits add
 * `criticScale`·CE on REAL data to the critic loss and `generatorScale`·CE on the generated batch to
 * the generator loss (reference ACGAN_SCALE = 1, ACGAN_SCALE_G = 0.1).
 */
export interface ConditionalSpec {
  numClasses: number;
  acgan?: { criticScale: number; generatorScale: number };
}

/** A critic with an AC-GAN head: scores [B] and class logits [B, classes] from one pass. */
export interface AcganCritic extends Module {
  scoresAndLogits(x: Tensor): { scores: Tensor; logits: Tensor | null };
}

export interface TrainerOptions {
  generator: Module;
  critic: Module;
  data: DataSource;
  /**
   * Draws a noise batch of `n` rows for the generator (default: N(0, 1) of shape [n, noiseDim]).
   * Called once per step, when the step is built, in the order the steps run: the generator step of
   * an iteration (`purpose` 'generator', n = generatorBatchSize; none at iteration 0), then each
   * critic step ('critic', n = batchSize); and once, lazily, for the fixed noise ('fixed', n =
   * fixedNoiseSize) when {@link Trainer.fixedNoise} is first read, never at construction. A hook
   * that replays another framework's noise can ignore `rng` (a resumed run then replays from where
   * the hook is, not from the checkpoint).
   */
  noise?: (n: number, rng: Rng, purpose: NoisePurpose) => Tensor;
  /**
   * Draws the penalty's mixing weights ε [n] of a wgan-gp critic step (default: U[0, 1] per sample,
   * Algorithm 1), after that step's noise. As `noise`, a hook may replay another framework's values.
   */
  eps?: (n: number, rng: Rng) => Tensor;
  /** Noise dimension for the default noise. */
  noiseDim?: number;
  loss: LossSpec;
  nCritic: number;
  batchSize: number;
  /** Generator batch (default: batchSize; gan_cifar_resnet.py uses 2× the critic's). */
  generatorBatchSize?: number;
  generatorOptimizer: Optimizer;
  criticOptimizer: Optimizer;
  /** Seed of the data, noise and ε streams (and of the fixed noise). */
  seed: number;
  /** Size of the fixed noise batch behind {@link Trainer.fixedSamples} (default 128, as gan_mnist.py). */
  fixedNoiseSize?: number;
  /** Train a class-conditional generator (and AC-GAN critic); absent: unconditional. */
  conditional?: ConditionalSpec;
  /**
   * Called before each generator iteration with its index, e.g. to set a decaying learning rate on
   * the optimizers (the rate is fed as a tensor, so the cached step is reused).
   */
  beforeIteration?: (iteration: number) => void;
  /**
   * Data parallelism for the critic steps: the critic batch is split into one contiguous shard per
   * backend, each shard's loss and critic gradients are computed on its backend at the same time,
   * and their batch-weighted sum goes into the optimizer's update on the default backend (which also
   * runs the generator). Give each shard its own thread: e.g. `[ortBackend({ threads: 1 }),
   * ortWorkerBackend({ threads: 1 })]` on a 2-core machine. The batches drawn are the same as
   * without shards; the results differ by float rounding. Only for critics that treat samples
   * independently (no batch norm: the reference WGAN-GP critics; layer norm is per sample).
   */
  criticShards?: readonly Backend[];
  /**
   * Run each generator iteration (its generator step and its `nCritic` critic steps) as ONE backend
   * run: each step is built as before, in the same order (the same draws from every stream), on the
   * parameters and optimizer slots the previous steps of the iteration computed (pending, inside
   * the graph), and the iteration's last values are realized together. One session run per
   * iteration instead of `nCritic` + 1: the parameters and Adam moments cross between JavaScript and
   * onnxruntime once per iteration, not once per step (docs/BENCHMARKS.md, "Toy iteration"). The
   * results are the unfused steps' (tested bit-for-bit on the toy networks). Default false: the
   * graph is `nCritic` + 1 times a step's, which costs the large image models more in session
   * creation and optimization level (AUTO_ALL_MAX_NODES) than it saves. Ignored with `criticShards`.
   */
  fuseIteration?: boolean;
  /**
   * Build each kind of run once and REPLAY it (default true; false rebuilds every run, for A/B
   * benchmarks): a critic step, a generator step or a fused iteration (from the second iteration, the
   * first with a generator step) depends only on shapes, so the trainer keeps the graph and plan of
   * the first one and afterwards only draws its batches, noise, ε and labels (the same calls in the
   * same order, so the same numbers), puts them into that graph's leaves, sets the optimizers'
   * step-dependent scalars and runs the kept plan: no graph building, differentiating or keying per
   * step, bit for bit the rebuilt runs (tested). A draw of another shape, or a hook's pending
   * result, falls back to building, and so does a change of `loss` (its λ is a constant of the
   * graph). The models' structure and the optimizers' constants (β, ε, momentum, projections) must
   * not change during a run (none of ours do). Sharded critic steps are always built.
   */
  replay?: boolean;
}

/** What one generator iteration reports (numbers, already on the host). */
export interface IterationStats {
  /** Index of the iteration just run (0-based). */
  iteration: number;
  /** Critic loss of the last critic step (including the penalty for wgan-gp). */
  criticLoss: number;
  /** E[D(real)] − E[D(fake)] of the last critic step (the Wasserstein estimate for WGANs). */
  wasserstein: number;
  /** λ·penalty of the last critic step (wgan-gp only). */
  penalty?: number;
  /** Mean ‖∇ₓ̂D(x̂)‖ of the last critic step (wgan-gp only). */
  gradNorm?: number;
  /** Generator loss; absent at iteration 0, where the reference skips the generator step. */
  generatorLoss?: number;
  /**
   * AC-GAN only: the critic's class cross-entropy on the real batch of the last critic step, before
   * its weight (`acgan.criticScale`; `criticLoss` includes the weighted term).
   */
  criticAcgan?: number;
  /**
   * AC-GAN only: the generator's class cross-entropy on its fakes, before its weight
   * (`acgan.generatorScale`; `generatorLoss` includes the weighted term); absent at iteration 0.
   */
  generatorAcgan?: number;
}

/** What one critic step reports (see {@link IterationStats}). */
export type CriticStepStats = Omit<IterationStats, 'iteration' | 'generatorLoss' | 'generatorAcgan'>;

/** What one generator step reports: its loss and, for AC-GAN, its class cross-entropy. */
export interface GeneratorStepStats {
  generatorLoss: number;
  generatorAcgan?: number;
}

/** Labels 0, 1, …, k−1, 0, 1, … of `n` samples (the fixed and sampled items of a conditional model). */
function cyclicLabels(n: number, k: number): Tensor {
  return tensor(Int32Array.from({ length: n }, (_, i) => i % k), [n], 'int32');
}

/** Why the trainer draws noise: a generator step, a critic step, the fixed noise, or {@link Trainer.sample}. */
export type NoisePurpose = 'generator' | 'critic' | 'fixed' | 'sample';

/** The trainer's own resumable state (parameters and optimizer slots are saved separately). */
export interface TrainerState {
  iteration: number;
  rng: { data: RngState; noise: RngState; eps: RngState };
  data?: unknown;
}

/**
 * Trains a generator against a critic with one of the paper's objectives.
 * @example
 * const trainer = new Trainer({ generator: G, critic: D, data, loss: { name: 'wgan-gp', lambda: 0.1 },
 *   nCritic: 5, batchSize: 256, generatorOptimizer: optG, criticOptimizer: optD, seed: 1 });
 * for (let i = 0; i < 1000; i++) console.log(await trainer.iterate());
 */
export class Trainer {
  readonly generator: Module;
  readonly critic: Module;
  readonly loss: LossSpec;
  readonly nCritic: number;
  readonly batchSize: number;
  readonly generatorBatchSize: number;
  readonly generatorOptimizer: Optimizer;
  readonly criticOptimizer: Optimizer;
  /** Generator iterations completed. */
  iteration = 0;
  private readonly opts: TrainerOptions;
  private dataRng: Rng;
  private noiseRng: Rng;
  private epsRng: Rng;
  private readonly noise: (n: number, rng: Rng, purpose: NoisePurpose) => Tensor;
  private readonly eps: (n: number, rng: Rng) => Tensor;
  private readonly fixedNoiseRng: Rng;
  private fixed: Tensor | undefined;
  private readonly fixedSize: number;
  /** Labels of the fixed samples of a conditional model (item i has class i mod numClasses), else null. */
  readonly fixedLabels: Tensor | null;
  private readonly conditional: ConditionalSpec | undefined;
  /**
   * The draws of the run being built (record: each draw and how to redraw it) or the pre-drawn
   * tensors it takes in order (queue), else null ({@link Trainer.draw}, {@link TrainerOptions.replay}).
   */
  private draws: { readonly mode: 'record'; readonly log: Draw[] } | { readonly mode: 'queue'; readonly queue: Tensor[] } | null = null;
  /** The kept graph of each kind of run ({@link TrainerOptions.replay}). */
  private readonly kept = new Map<RunKind, KeptRun>();

  constructor(opts: TrainerOptions) {
    checkLoss(opts.loss);
    for (const k of ['nCritic', 'batchSize'] as const) {
      if (!Number.isInteger(opts[k]) || opts[k] < 1) throw new Error(`Trainer: ${k} must be a positive integer, got ${opts[k]}`);
    }
    if (opts.criticShards !== undefined) {
      const n = opts.criticShards.length;
      if (!Array.isArray(opts.criticShards) || n < 2 || opts.criticShards.some((b) => typeof b?.execute !== 'function')) {
        throw new Error('Trainer: criticShards must be an array of at least 2 backends (e.g. [ortBackend({ threads: 1 }), ortWorkerBackend({ threads: 1 })])');
      }
      if (opts.batchSize < n) throw new Error(`Trainer: criticShards splits the batch into ${n} shards, but batchSize is ${opts.batchSize}`);
    }
    this.opts = opts;
    this.generator = opts.generator;
    this.critic = opts.critic;
    this.loss = opts.loss;
    this.nCritic = opts.nCritic;
    this.batchSize = opts.batchSize;
    this.generatorBatchSize = opts.generatorBatchSize ?? opts.batchSize;
    this.generatorOptimizer = opts.generatorOptimizer;
    this.criticOptimizer = opts.criticOptimizer;
    const streams = seedStreams(opts.seed);
    this.dataRng = streams.data;
    this.noiseRng = streams.noise;
    this.epsRng = streams.eps;
    const noiseDim = opts.noiseDim ?? 2;
    this.noise = opts.noise ?? ((n, rng) => rng.normal([n, noiseDim]));
    this.eps = opts.eps ?? ((n, rng) => rng.uniform([n]));
    this.fixedNoiseRng = streams.fixedNoise;
    this.fixedSize = opts.fixedNoiseSize ?? 128;
    if (!Number.isInteger(this.fixedSize) || this.fixedSize < 1) throw new Error(`Trainer: fixedNoiseSize must be a positive integer, got ${this.fixedSize}`);
    this.conditional = opts.conditional;
    this.fixedLabels = null;
    if (opts.conditional) {
      const k = opts.conditional.numClasses;
      if (!Number.isInteger(k) || k < 2) throw new Error(`Trainer: conditional.numClasses must be an integer >= 2, got ${k}`);
      if (opts.conditional.acgan && typeof (opts.critic as Partial<AcganCritic>).scoresAndLogits !== 'function') {
        throw new Error('Trainer: conditional.acgan needs a critic with scoresAndLogits(x) (an AC-GAN head)');
      }
      this.fixedLabels = cyclicLabels(this.fixedSize, k);
    }
  }

  /**
   * Noise drawn once from the seed's own stream (on first use); samples from it show the
   * generator's progress over time.
   */
  get fixedNoise(): Tensor {
    this.fixed ??= this.drawNoise(this.fixedSize, this.fixedNoiseRng, 'fixed');
    return this.fixed;
  }

  /** The noise hook's batch, checked to have `n` rows. */
  private drawNoise(n: number, rng: Rng, purpose: NoisePurpose): Tensor {
    return this.draw(() => checkBatch('noise', this.noise(n, rng, purpose), n));
  }

  /** A real batch of `n` from the data source's stream. */
  private drawReal(n: number): Tensor {
    return this.draw(() => this.opts.data.sample(n, this.dataRng));
  }

  /**
   * A fresh draw (`make`: a real batch, its labels, noise, ε): recorded while a run's graph is built
   * for replay, or the next pre-drawn tensor when a replay falls back to building.
   */
  private draw(make: () => Tensor): Tensor {
    const d = this.draws;
    if (d?.mode === 'queue') {
      const t = d.queue.shift();
      if (t === undefined) throw new Error('internal: a run drew more than its replay did');
      return t;
    }
    const t = make();
    if (d?.mode !== 'record') return t;
    // The kept graph reads the draw through a leaf of the trainer's own (sharing the values, not
    // copying them): a replay writes its next values there, never into a tensor a hook handed out.
    const leaf = t.op === null && !t.isConst && t.hostValue !== null ? tensor(t.hostValue, t.shape, t.dtype) : t;
    d.log.push({ redraw: make, leaf });
    return leaf;
  }

  /** The ε hook's weights, checked to be [n]. */
  private drawEps(n: number, rng: Rng): Tensor {
    return this.draw(() => {
      const eps = this.eps(n, rng);
      if (!eps?.shape || eps.shape.length !== 1 || eps.shape[0] !== n) {
        throw new Error(`Trainer: the eps hook must return a tensor [${n}], got ${eps?.shape ? `[${eps.shape.join(', ')}]` : String(eps)}`);
      }
      return eps;
    });
  }

  /** G(z), or G(z, labels) for a conditional model. */
  private generate(z: Tensor, labels: Tensor | undefined): Tensor {
    return labels ? this.generator.forward(z, labels) : this.generator.forward(z);
  }

  /** Scores [B] and, for an AC-GAN critic, its class logits. */
  private scoreWithLogits(x: Tensor): { scores: Tensor; logits: Tensor | null } {
    if (this.conditional?.acgan) return (this.critic as AcganCritic).scoresAndLogits(x);
    return { scores: this.critic.forward(x), logits: null };
  }

  /**
   * The generator's samples for the fixed noise (one backend run), e.g. for sample grids every N
   * iterations (the reference scripts' `fixed_noise_samples`).
   * @example const x = await trainer.fixedSamples(); // realized [128, ...] tensor
   */
  async fixedSamples(): Promise<Tensor> {
    const x = this.generate(this.fixedNoise, this.fixedLabels ?? undefined);
    await realize([x]);
    return x;
  }

  /**
   * `n` generator samples from fresh noise drawn from `rng` (the noise hook's `purpose`: 'sample';
   * a conditional model's labels are i mod numClasses), realized. Touches no training stream.
   * @example const x = await trainer.sample(1000, new Rng(0)); // toy: [1000, 2] points
   */
  async sample(n: number, rng: Rng): Promise<Tensor> {
    if (!Number.isInteger(n) || n < 1) throw new Error(`Trainer.sample: n must be a positive integer, got ${n}`);
    const k = this.conditional?.numClasses;
    const labels = k === undefined ? undefined : cyclicLabels(n, k);
    const x = this.generate(this.drawNoise(n, rng, 'sample'), labels);
    await realize([x]);
    return x;
  }

  /**
   * Runs one generator iteration: the generator step (not at iteration 0), then `nCritic` critic
   * steps. Returns the losses as numbers.
   */
  async iterate(): Promise<IterationStats> {
    this.opts.beforeIteration?.(this.iteration);
    if (this.opts.fuseIteration === true && !this.opts.criticShards) return this.fusedIteration();
    const gen = this.iteration > 0 ? await this.generatorUpdate() : undefined;
    let last: CriticStepStats | undefined;
    for (let i = 0; i < this.nCritic; i++) last = await this.criticStep();
    const stats: IterationStats = { iteration: this.iteration, ...last!, ...gen };
    this.iteration++;
    return stats;
  }

  /** One critic step: fresh real batch, fresh noise (and ε), loss, update; one backend run. */
  async criticStep(): Promise<CriticStepStats> {
    if (this.opts.criticShards) return this.shardedCriticStep(this.opts.criticShards);
    const logged = await this.runKept('critic', true, () => {
      const { logged, grads } = this.criticGraph();
      return { critic: logged, updates: [[this.criticOptimizer, this.criticOptimizer.update(grads)]] };
    });
    return this.criticStats(logged.critic!);
  }

  /**
   * A critic step's pending graph: fresh real batch, noise (and ε) drawn now; the logged values
   * (loss, the Wasserstein term, penalty and gradient norm for wgan-gp, the AC-GAN cross-entropy)
   * and the critic's gradients.
   */
  private criticGraph(): { logged: Tensor[]; grads: Tensor[] } {
    const B = this.batchSize;
    const real = this.drawReal(B);
    const labels = this.conditional ? this.draw(() => this.realLabels(B)) : undefined;
    const { loss, wLoss, penalty, gradNorm, acgan } = this.criticLoss(real, labels, this.noiseRng, this.epsRng);
    const logged = [loss, wLoss, ...(penalty ? [penalty, gradNorm!] : []), ...(acgan ? [acgan] : [])];
    return { logged, grads: gradients(loss, this.critic.parameters()) };
  }

  /** The stats of a critic step from its realized logged values (in {@link Trainer.criticGraph}'s order). */
  private criticStats(logged: readonly Tensor[]): CriticStepStats {
    const v = logged.map(scalarOf);
    const out: CriticStepStats = { criticLoss: v[0]!, wasserstein: -v[1]! };
    let k = 2;
    if (this.loss.name === 'wgan-gp') {
      out.penalty = v[k++]!;
      out.gradNorm = v[k++]!;
    }
    if (this.conditional?.acgan) out.criticAcgan = v[k]!;
    return out;
  }

  /**
   * One generator iteration as one backend run ({@link TrainerOptions.fuseIteration}): the steps
   * are built in the unfused order, each rewritten (`substitute`) to read the parameters the steps
   * before it computed, each optimizer update chained after the previous one of its optimizer.
   */
  private async fusedIteration(): Promise<IterationStats> {
    // Iteration 0 has no generator step: another graph, never kept.
    const logged = await this.runKept('iteration', this.iteration > 0, () => {
      // Parameter leaf → its pending value after the steps built so far (an update's outputs begin
      // with its optimizer's parameters, in that optimizer's order).
      const current = new Map<Tensor, Tensor>();
      const advance = (params: readonly Tensor[], update: PendingUpdate): void => params.forEach((p, i) => current.set(p, update.outputs[i]!));
      const updates: [Optimizer, PendingUpdate][] = [];
      let gen: Tensor[] | undefined;
      if (this.iteration > 0) {
        const g = this.generatorGraph();
        const update = this.generatorOptimizer.update(substitute(g.grads, current));
        gen = g.logged;
        advance(this.generatorOptimizer.params, update);
        updates.push([this.generatorOptimizer, update]);
      }
      let critic: { logged: Tensor[]; update: PendingUpdate } | undefined;
      for (let i = 0; i < this.nCritic; i++) {
        const c = this.criticGraph();
        const moved = substitute([...c.logged, ...c.grads], current);
        const update = this.criticOptimizer.update(moved.slice(c.logged.length), critic?.update);
        critic = { logged: moved.slice(0, c.logged.length), update };
        advance(this.criticOptimizer.params, update);
      }
      updates.push([this.criticOptimizer, critic!.update]);
      return { critic: critic!.logged, ...(gen ? { gen } : {}), updates };
    });
    return this.fusedStats(logged.critic!, logged.gen);
  }

  /**
   * Runs one kind of backend run (a critic step, a generator step, a fused iteration): the kept
   * plan of an earlier one on fresh draws where there is one ({@link TrainerOptions.replay}), else
   * `build`'s graph, kept for later when `keep` and every draw it made is a data leaf of its plan.
   * `build` returns the logged values and the optimizer updates (the last of each chain) to realize
   * and commit. Returns the realized logged values.
   */
  private async runKept(kind: RunKind, keep: boolean, build: () => BuiltRun): Promise<Logged> {
    const kept = this.kept.get(kind);
    // The loss settings are constants of the kept graph (the playground changes λ live): rebuild.
    if (kept !== undefined && kept.loss === JSON.stringify(this.loss)) {
      // Draw what building would draw, in the same order.
      const drawn = kept.draws.map((d) => d.redraw());
      if (drawn.every((x, i) => sameLeafShape(x, kept.draws[i]!.leaf))) {
        drawn.forEach((x, i) => kept.draws[i]!.leaf.assignData(x.value!));
        const commits = kept.updates.map(([opt, u]) => opt.replay(u));
        await realizePlan(kept.plan, kept.outputs, undefined, { keepOnDevice: kept.keep });
        commits.forEach((commit) => commit());
        return kept.logged;
      }
      // Another shape than the kept graph's: build from these very draws, and keep the next one.
      this.kept.delete(kind);
      return this.buildRun(kind, build, { mode: 'queue', queue: drawn });
    }
    this.kept.delete(kind);
    const record = keep && this.opts.replay !== false;
    return this.buildRun(kind, build, record ? { mode: 'record', log: [] } : null);
  }

  /** Builds a run with `draws` as the draw mode, realizes and commits it; keeps it when its draws were recorded. */
  private async buildRun(kind: RunKind, build: () => BuiltRun, draws: Trainer['draws']): Promise<Logged> {
    this.draws = draws;
    let built: BuiltRun;
    try {
      built = build();
    } finally {
      this.draws = null;
    }
    const keep = built.updates.flatMap(([, u]) => u.outputs);
    const outputs = [...new Set([...(built.critic ?? []), ...(built.gen ?? []), ...keep])];
    const plan = buildPlan(outputs);
    await realizePlan(plan, outputs, undefined, { keepOnDevice: keep });
    built.updates.forEach(([, u]) => u.commit());
    const logged: Logged = { ...(built.critic ? { critic: built.critic } : {}), ...(built.gen ? { gen: built.gen } : {}) };
    // Kept for replay when every draw is a data leaf of the plan (a hook's pending result is not).
    const feeds = new Set(plan.feeds.map((i) => plan.values[i]!.tensor));
    if (draws?.mode === 'record' && draws.log.every((d) => d.leaf.op === null && !d.leaf.isConst && feeds.has(d.leaf))) {
      this.kept.set(kind, { plan, outputs, keep, draws: draws.log, updates: built.updates, logged, loss: JSON.stringify(this.loss) });
    }
    return logged;
  }

  /** The stats of a fused iteration from its realized logged values; advances the iteration count. */
  private fusedStats(criticLogged: readonly Tensor[], genLogged: readonly Tensor[] | undefined): IterationStats {
    const stats: IterationStats = { iteration: this.iteration, ...this.criticStats(criticLogged), ...(genLogged ? this.generatorStats(genLogged) : {}) };
    this.iteration++;
    return stats;
  }

  /**
   * The critic step of `criticShards`: the same draws as {@link Trainer.criticStep}; the fakes come
   * from one generator run over the whole batch on the default backend (batch norm sees the batch),
   * then each shard's loss and gradients run on its backend concurrently, and the update (gradients
   * weighted by shard size / batch) on the default backend. Three backend runs instead of one.
   */
  private async shardedCriticStep(backends: readonly Backend[]): Promise<CriticStepStats> {
    const B = this.batchSize;
    const real = this.drawReal(B);
    const labels = this.conditional ? this.realLabels(B) : undefined;
    const fake = this.generate(this.drawNoise(B, this.noiseRng, 'critic'), labels);
    const eps = this.loss.name === 'wgan-gp' ? this.drawEps(B, this.epsRng) : undefined;
    await realize([real, fake]);
    const params = this.critic.parameters();
    const bounds = backends.map((_, s) => [Math.round((s * B) / backends.length), Math.round(((s + 1) * B) / backends.length)] as const);
    const runShard = async (s: number): Promise<{ weight: number; logged: number[]; grads: Tensor[] }> => {
      const [a, b] = bounds[s]!;
      const part = (t: Tensor | undefined): Tensor | undefined => (t ? rowsOf(t, a, b) : undefined);
      const l = this.criticLossOf(part(real)!, part(labels), part(fake)!, part(eps));
      const logged = [l.loss, l.wLoss, ...(l.penalty ? [l.penalty, l.gradNorm!] : []), ...(l.acgan ? [l.acgan] : [])];
      const grads = gradients(l.loss, params);
      await realize([...logged, ...grads], backends[s]);
      return { weight: (b - a) / B, logged: logged.map(scalarOf), grads };
    };
    // Off-thread shards first, and only once their runs are posted (a macrotask later) the shards
    // that block this thread: otherwise a blocking run could start before a worker got its work.
    const started: Promise<Awaited<ReturnType<typeof runShard>>>[] = new Array(backends.length);
    const start = (s: number): void => {
      started[s] = runShard(s);
      started[s].catch(() => undefined); // awaited below; a failure meanwhile is not "unhandled"
    };
    backends.forEach((b, s) => b.offThread === true && start(s));
    if (backends.some((b) => b.offThread === true)) await new Promise((r) => setTimeout(r, 0));
    backends.forEach((b, s) => b.offThread !== true && start(s));
    const shards = await Promise.all(started);
    const grads = params.map((_, i) => shards.map((sh) => mul(sh.grads[i]!, sh.weight)).reduce((x, y) => add(x, y)));
    const { outputs, commit } = this.criticOptimizer.update(grads);
    await realize(outputs, undefined, { keepOnDevice: outputs });
    commit();
    const mean = (k: number): number => shards.reduce((acc, sh) => acc + sh.weight * sh.logged[k]!, 0);
    const out: CriticStepStats = { criticLoss: mean(0), wasserstein: -mean(1) };
    let k = 2;
    if (this.loss.name === 'wgan-gp') {
      out.penalty = mean(k++);
      out.gradNorm = mean(k++);
    }
    if (this.conditional?.acgan) out.criticAcgan = mean(k);
    return out;
  }

  /**
   * The critic loss on a given real batch (with its labels for a conditional model), changing
   * nothing: e.g. gan_mnist.py's dev-set critic cost. Noise and ε come from `rng`, never from the
   * training streams, so evaluating does not alter the run. One backend run.
   * @example const devCost = await trainer.criticLossOn(devBatch, new Rng(7));
   */
  async criticLossOn(real: Tensor, rng: Rng, labels?: Tensor): Promise<number> {
    if (this.conditional && !labels) throw new Error('Trainer.criticLossOn: a conditional model needs the batch labels');
    const { loss } = this.criticLoss(real, labels, rng, rng);
    await realize([loss]);
    return scalarOf(loss);
  }

  /** The pending critic loss of a real batch against fresh fakes, with its logged parts (`acgan`: the unweighted class cross-entropy). */
  private criticLoss(
    real: Tensor,
    labels: Tensor | undefined,
    noiseRng: Rng,
    epsRng: Rng,
  ): { loss: Tensor; wLoss: Tensor; penalty?: Tensor; gradNorm?: Tensor; acgan?: Tensor } {
    const B = real.shape[0]!;
    const z = this.drawNoise(B, noiseRng, 'critic');
    const fake = this.generate(z, labels);
    // One ε ~ U[0, 1] per sample (Algorithm 1), from its own stream.
    const eps = this.loss.name === 'wgan-gp' ? this.drawEps(B, epsRng) : undefined;
    return this.criticLossOf(real, labels, fake, eps);
  }

  /** The pending critic loss of given real and fake batches (ε: the penalty's mixing weights, wgan-gp only). */
  private criticLossOf(
    real: Tensor,
    labels: Tensor | undefined,
    fake: Tensor,
    eps: Tensor | undefined,
  ): { loss: Tensor; wLoss: Tensor; penalty?: Tensor; gradNorm?: Tensor; acgan?: Tensor } {
    const D = (x: Tensor): Tensor => this.critic.forward(x);
    const { scores: dReal, logits: realLogits } = this.scoreWithLogits(real);
    const dFake = D(fake);
    const wLoss = wassersteinCriticLoss(dReal, dFake);
    let loss: Tensor;
    let penalty: Tensor | undefined;
    let gradNorm: Tensor | undefined;
    switch (this.loss.name) {
      case 'wgan-gp': {
        const gp = gradientPenalty(D, real, fake, eps!, { lambda: this.loss.lambda, oneSided: this.loss.oneSided ?? false });
        penalty = gp.penalty;
        gradNorm = gp.gradNorm;
        loss = add(wLoss, penalty);
        break;
      }
      case 'wgan':
        loss = wLoss;
        break;
      case 'gan':
        loss = ganDiscriminatorLoss(dReal, dFake);
        break;
      case 'lsgan':
        loss = lsganDiscriminatorLoss(dReal, dFake);
        break;
    }
    // AC-GAN: the critic's classifier learns from real data only (reference ACGAN_SCALE).
    const acgan = realLogits ? softmaxCrossEntropy(realLogits, labels!) : undefined;
    if (acgan) loss = add(loss, mul(acgan, this.conditional!.acgan!.criticScale));
    return { loss, wLoss, ...(penalty ? { penalty, gradNorm: gradNorm! } : {}), ...(acgan ? { acgan } : {}) };
  }

  /** One generator step on fresh noise; one backend run. Returns the generator loss. */
  async generatorStep(): Promise<number> {
    return (await this.generatorUpdate()).generatorLoss;
  }

  /**
   * One generator step on fresh noise; one backend run. Returns the generator loss and, for AC-GAN,
   * the generator's unweighted class cross-entropy.
   * @example const { generatorLoss, generatorAcgan } = await trainer.generatorUpdate();
   */
  async generatorUpdate(): Promise<GeneratorStepStats> {
    const logged = await this.runKept('generator', true, () => {
      const { logged, grads } = this.generatorGraph();
      return { gen: logged, updates: [[this.generatorOptimizer, this.generatorOptimizer.update(grads)]] };
    });
    return this.generatorStats(logged.gen!);
  }

  /** The stats of a generator step from its realized logged values (the loss, then the AC-GAN cross-entropy). */
  private generatorStats(logged: readonly Tensor[]): GeneratorStepStats {
    return logged.length > 1 ? { generatorLoss: scalarOf(logged[0]!), generatorAcgan: scalarOf(logged[1]!) } : { generatorLoss: scalarOf(logged[0]!) };
  }

  /** A generator step's pending graph, noise (and labels) drawn now: the logged loss (and AC-GAN cross-entropy) and the generator's gradients. */
  private generatorGraph(): { logged: Tensor[]; grads: Tensor[] } {
    const n = this.generatorBatchSize;
    const z = this.drawNoise(n, this.noiseRng, 'generator');
    let labels: Tensor | undefined;
    if (this.conditional) {
      const k = this.conditional.numClasses;
      labels = this.draw(() => tensor(Int32Array.from({ length: n }, () => this.noiseRng.int(k)), [n], 'int32'));
    }
    const { scores: dFake, logits } = this.scoreWithLogits(this.generate(z, labels));
    let loss: Tensor;
    switch (this.loss.name) {
      case 'wgan-gp':
      case 'wgan':
        loss = wassersteinGeneratorLoss(dFake);
        break;
      case 'gan':
        loss = ganGeneratorLoss(dFake, this.loss.variant ?? 'non-saturating');
        break;
      case 'lsgan':
        loss = lsganGeneratorLoss(dFake);
        break;
    }
    const acgan = logits ? softmaxCrossEntropy(logits, labels!) : undefined;
    if (acgan) loss = add(loss, mul(acgan, this.conditional!.acgan!.generatorScale));
    return { logged: [loss, ...(acgan ? [acgan] : [])], grads: gradients(loss, this.generator.parameters()) };
  }

  /** The real batch's labels as an int32 tensor (conditional training). */
  private realLabels(n: number): Tensor {
    const l = this.opts.data.lastLabels?.();
    if (!l || l.length !== n) {
      throw new Error(`Trainer: conditional training needs the data source's labels of each batch (lastLabels() gave ${l ? `${l.length} labels for a batch of ${n}` : 'none'})`);
    }
    return tensor(Int32Array.from(l), [n], 'int32');
  }

  /** The trainer's resumable state (iteration, random streams, data position). */
  state(): TrainerState {
    const s: TrainerState = {
      iteration: this.iteration,
      rng: { data: this.dataRng.state(), noise: this.noiseRng.state(), eps: this.epsRng.state() },
    };
    const d = this.opts.data.state?.();
    if (d !== undefined) s.data = d;
    return s;
  }

  /** Restores a state returned by {@link Trainer.state}. */
  loadState(s: TrainerState): void {
    if (!Number.isInteger(s.iteration) || s.iteration < 0) throw new Error(`Trainer.loadState: bad iteration ${String(s.iteration)}`);
    this.iteration = s.iteration;
    this.kept.clear(); // their redraws read the streams replaced here
    this.dataRng = new Rng(s.rng.data);
    this.noiseRng = new Rng(s.rng.noise);
    this.epsRng = new Rng(s.rng.eps);
    if (s.data !== undefined) this.opts.data.restore?.(s.data);
  }
}

/** A draw of a run being built: the leaf its graph reads, and how to draw the next one. */
interface Draw {
  readonly redraw: () => Tensor;
  readonly leaf: Tensor;
}

/** The kinds of backend run the trainer keeps a graph of, one each. */
type RunKind = 'critic' | 'generator' | 'iteration';

/** The logged values of a run: the (last) critic step's and the generator step's. */
interface Logged {
  readonly critic?: Tensor[];
  readonly gen?: Tensor[];
}

/** What building a run gives: its logged values and its optimizer updates (each the last of its chain). */
interface BuiltRun extends Logged {
  readonly updates: readonly (readonly [Optimizer, PendingUpdate])[];
}

/** A run kept for replay: its plan and outputs (those kept on the device), its draws' leaves, its updates and logged values. */
interface KeptRun {
  readonly plan: Plan;
  readonly outputs: readonly Tensor[];
  readonly keep: readonly Tensor[];
  readonly draws: readonly Draw[];
  readonly updates: BuiltRun['updates'];
  readonly logged: Logged;
  /** The loss settings it was built with (JSON): its constants (λ, the clipping bound). */
  readonly loss: string;
}

/** Whether a fresh draw is a realized data leaf of the kept leaf's shape and dtype. */
function sameLeafShape(x: Tensor, leaf: Tensor): boolean {
  return x.op === null && x.hostValue !== null && x.dtype === leaf.dtype && shapesEqual(x.shape, leaf.shape);
}

/** Rows [a, b) of a realized tensor along its first axis, as a new data tensor. */
function rowsOf(t: Tensor, a: number, b: number): Tensor {
  const row = t.shape.slice(1).reduce((x, y) => x * y, 1);
  return tensor(t.value!.slice(a * row, b * row), [b - a, ...t.shape.slice(1)], t.dtype);
}

/** The value of a realized one-element tensor. */
function scalarOf(t: Tensor): number {
  const v = t.value;
  if (!v || v.length !== 1) throw new Error(`internal: ${t.describe()} is not a realized scalar`);
  return Number(v[0]);
}

/**
 * The independent random streams of a run, all derived from one seed: model initialisation for the
 * generator and the critic, data, noise, ε, and the fixed noise used for sample plots.
 * @example const { generatorInit, criticInit } = seedStreams(1);
 */
export function seedStreams(seed: number): { generatorInit: Rng; criticInit: Rng; data: Rng; noise: Rng; eps: Rng; fixedNoise: Rng } {
  const root = new Rng(seed);
  return {
    generatorInit: root.fork(),
    criticInit: root.fork(),
    data: root.fork(),
    noise: root.fork(),
    eps: root.fork(),
    fixedNoise: root.fork(),
  };
}

/** A hook's batch, checked to be a tensor of `n` rows. */
function checkBatch(hook: string, t: Tensor, n: number): Tensor {
  if (!t?.shape || t.shape[0] !== n) {
    throw new Error(`Trainer: the ${hook} hook must return a tensor of ${n} rows, got ${t?.shape ? `[${t.shape.join(', ')}]` : String(t)}`);
  }
  return t;
}

/** Validates a loss spec, naming the bad field. */
export function checkLoss(loss: LossSpec): void {
  const names: readonly LossName[] = ['wgan-gp', 'wgan', 'gan', 'lsgan'];
  if (!loss || !names.includes(loss.name)) throw new Error(`loss must be one of ${names.join(', ')}, got ${JSON.stringify(loss)}`);
  if (loss.name === 'wgan-gp' && !(Number.isFinite(loss.lambda) && loss.lambda >= 0)) {
    throw new Error(`wgan-gp: lambda must be a finite number >= 0, got ${loss.lambda}`);
  }
  if (loss.name === 'wgan' && !(Number.isFinite(loss.clip) && loss.clip > 0)) {
    throw new Error(`wgan: clip must be a finite number > 0, got ${loss.clip}`);
  }
}
