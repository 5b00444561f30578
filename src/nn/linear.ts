/**
 * Fully connected layer, as tflib's Linear: y = x @ W + b with W of shape [in, out].
 */
import { add } from '../ops/add.js';
import { matmul } from '../ops/matmul.js';
import type { Rng } from '../tensor/random.js';
import { fmt, ShapeError } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkInit, initValues, linearFans, type Init } from './init.js';
import { checkPositiveInt } from './checks.js';
import { defaultRng, Module, parameter } from './module.js';

export interface LinearOptions {
  /** Add a bias (default true). */
  bias?: boolean;
  /** Weight rule (default 'glorot', tflib's default; the toy MLPs use 'he' except the last layer). */
  init?: Init;
  /** Stream for the initial values (default: the global stream, see `manualSeed`). */
  rng?: Rng;
}

/**
 * y = x @ W + b on the last axis of x: [..., in] → [..., out]. W is [in, out] (tflib's layout;
 * `torch.nn.Linear.weight` is [out, in]: {@link torchStateDict} / {@link loadTorchStateDict} transpose it).
 * @example const fc = new Linear(2, 512, { init: 'he', rng: new Rng(1) }); const h = fc.forward(x);
 */
export class Linear extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  readonly init: Init;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    opts: LinearOptions = {},
  ) {
    super();
    checkPositiveInt('Linear', 'inFeatures', inFeatures);
    checkPositiveInt('Linear', 'outFeatures', outFeatures);
    this.init = checkInit('Linear', opts.init ?? 'glorot');
    this.weight = parameter([inFeatures, outFeatures]);
    this.bias = opts.bias === false ? null : parameter([outFeatures]);
    this.resetParameters(opts.rng ?? defaultRng());
  }

  override resetParameters(rng: Rng): void {
    const fans = linearFans(this.inFeatures, this.outFeatures);
    this.weight.assignData(initValues(this.init, fans, this.weight.size, rng));
    this.bias?.assignData(new Float32Array(this.outFeatures));
  }

  override forward(x: Tensor): Tensor {
    if (x.rank < 2 || x.shape[x.rank - 1] !== this.inFeatures) {
      throw new ShapeError('Linear', `expected input [batch, ..., ${this.inFeatures}], got ${fmt(x.shape)}`);
    }
    const y = matmul(x, this.weight);
    return this.bias ? add(y, this.bias) : y;
  }

  override extraRepr(): string {
    return `${this.inFeatures} → ${this.outFeatures}${this.bias ? '' : ', no bias'}`;
  }
}
