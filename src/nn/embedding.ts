/**
 * Embedding table: rows of a [num, dim] weight looked up by int32 indices.
 */
import { gather } from '../ops/gather.js';
import type { Rng } from '../tensor/random.js';
import { ShapeError } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { checkPositiveInt } from './checks.js';
import { checkInit, initValues, type Init } from './init.js';
import { defaultRng, Module, parameter } from './module.js';

export interface EmbeddingOptions {
  /** Initial values (default { normal: 1 }, as PyTorch's nn.Embedding). */
  init?: Init;
  /** Stream for the initial values (default: the global stream, see `manualSeed`). */
  rng?: Rng;
}

/**
 * indices (int32, any shape) → [...indices.shape, dim].
 * @example const emb = new Embedding(10, 128); const e = emb.forward(labels); // [N, 128]
 */
export class Embedding extends Module {
  readonly weight: Tensor;
  readonly init: Init;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    opts: EmbeddingOptions = {},
  ) {
    super();
    checkPositiveInt('Embedding', 'numEmbeddings', numEmbeddings);
    checkPositiveInt('Embedding', 'embeddingDim', embeddingDim);
    this.init = checkInit('Embedding', opts.init ?? { normal: 1 });
    this.weight = parameter([numEmbeddings, embeddingDim]);
    this.resetParameters(opts.rng ?? defaultRng());
  }

  override resetParameters(rng: Rng): void {
    const fans = { fanIn: this.numEmbeddings, fanOut: this.embeddingDim };
    this.weight.assignData(initValues(this.init, fans, this.weight.size, rng));
  }

  override forward(indices: Tensor): Tensor {
    if (indices.dtype !== 'int32') throw new ShapeError('Embedding', `indices must be int32, got ${indices.describe()}`);
    return gather(this.weight, indices, 0);
  }

  override extraRepr(): string {
    return `${this.numEmbeddings} × ${this.embeddingDim}`;
  }
}
