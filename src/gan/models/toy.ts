/**
 * The toy-experiment networks of gan_toy.py: ReLU MLPs 2 → DIM → … → DIM → out, hidden layers with
 * tflib's 'he' init and the last layer with its default Glorot init, no normalization.
 */
import { Linear } from '../../nn/linear.js';
import { defaultRng, Module } from '../../nn/module.js';
import { relu } from '../../ops/relu.js';
import type { Rng } from '../../tensor/random.js';
import type { Tensor } from '../../tensor/tensor.js';

export interface ToyMlpOptions {
  /** Hidden width (reference DIM = 512). */
  hidden?: number;
  /** Number of hidden ReLU layers (reference: 3; Figure 1b: 12). */
  layers?: number;
  /** Stream for the initial weights (default: the global stream). */
  rng?: Rng;
}

/**
 * A ReLU MLP `inFeatures → hidden ×layers → outFeatures`: the reference toy Generator (2 → 2) and
 * Discriminator (2 → 1), and the deeper nets of Figure 1b.
 * @example const D = new ToyMlp(2, 1, { hidden: 512, layers: 3, rng: new Rng(1) });
 */
/**
 * Deepest toy MLPs whose generator iterations run as one graph (TrainerOptions.fuseIteration): the
 * CLI's toy runs and the playground; deeper ones would cross ortBackend's AUTO_ALL_MAX_NODES.
 */
export const FUSE_MAX_LAYERS = 8;

/** Whether a toy MLP of `layers` hidden layers trains with fused iterations (and spinning threads). */
export const fusesIteration = (layers: number): boolean => layers <= FUSE_MAX_LAYERS;

export class ToyMlp extends Module {
  /** All layers in order; every one but the last is followed by a ReLU. */
  readonly layers: Linear[];

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: ToyMlpOptions = {},
  ) {
    super();
    const hidden = opts.hidden ?? 512;
    const depth = opts.layers ?? 3;
    if (!Number.isInteger(depth) || depth < 1) throw new Error(`ToyMlp: layers must be a positive integer, got ${depth}`);
    const rng = opts.rng ?? defaultRng();
    this.layers = [];
    for (let i = 0; i < depth; i++) {
      // gan_toy.py ReLULayer: initialization='he'.
      this.layers.push(new Linear(i === 0 ? inFeatures : hidden, hidden, { init: 'he', rng }));
    }
    // gan_toy.py final lib.ops.linear.Linear: tflib's default (Glorot) init.
    this.layers.push(new Linear(hidden, outFeatures, { init: 'glorot', rng }));
  }

  override forward(x: Tensor): Tensor {
    let h = x;
    this.layers.forEach((layer, i) => {
      h = layer.forward(h);
      if (i < this.layers.length - 1) h = relu(h);
    });
    return h;
  }

  override extraRepr(): string {
    return `${this.inFeatures} → ${this.layers.map((l) => l.outFeatures).join(' → ')}`;
  }
}
