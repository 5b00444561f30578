/**
 * A small AC-GAN conditional trainer for tests: the CIFAR ResNet at width 8 with 3 classes, random
 * 32×32 images whose labels the data source reports (lastLabels), SGD (Adam's first steps move each
 * parameter by ±lr whatever its gradient), WGAN-GP λ 10, one critic step per iteration.
 */
import { createCifarResnet } from '../../src/gan/models/cifar-resnet.js';
import { seedStreams, Trainer } from '../../src/gan/trainer.js';
import { SGD } from '../../src/optim/sgd.js';
import type { Backend } from '../../src/tensor/tensor.js';

export interface AcganTestTrainerOptions {
  readonly batchSize: number;
  /** Data-parallel critic shards (TrainerOptions.criticShards). */
  readonly criticShards?: readonly Backend[];
  /** TrainerOptions.replay (default true). */
  readonly replay?: boolean;
}

/** @example const t = acganTestTrainer({ batchSize: 4 }); await t.iterate(); */
export function acganTestTrainer(o: AcganTestTrainerOptions): Trainer {
  const s = seedStreams(2);
  const { generator, critic } = createCifarResnet({ dim: 8, conditional: true, acgan: true, numClasses: 3, rng: s.generatorInit });
  const labels = new Int32Array(o.batchSize);
  return new Trainer({
    generator,
    critic,
    data: {
      sample: (n, rng) => {
        for (let i = 0; i < n; i++) labels[i] = rng.int(3);
        return rng.uniform([n, 3, 32, 32]);
      },
      lastLabels: () => labels,
    },
    noise: (n, rng) => rng.normal([n, 128]),
    loss: { name: 'wgan-gp', lambda: 10 },
    nCritic: 1,
    batchSize: o.batchSize,
    generatorOptimizer: new SGD(generator.namedParameters(), { lr: 0.01 }),
    criticOptimizer: new SGD(critic.namedParameters(), { lr: 0.01 }),
    seed: 1,
    conditional: { numClasses: 3, acgan: { criticScale: 1, generatorScale: 0.1 } },
    ...(o.criticShards ? { criticShards: o.criticShards } : {}),
    ...(o.replay !== undefined ? { replay: o.replay } : {}),
  });
}
