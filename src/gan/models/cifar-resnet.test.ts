/**
 * gan_cifar_resnet.py networks: parameter counts derived layer by layer from the reference code,
 * tflib init choices (he for 3×3 convs, Glorot for 1×1 shortcuts and the output conv), the order
 * of convolution and mean-pooling in each resampling conv, conditional batch norm and the AC-GAN head.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { referenceBackend } from '../../backends/reference/reference-backend.js';
import { BatchNorm } from '../../nn/batch-norm.js';
import { ConditionalBatchNorm } from '../../nn/conditional-batch-norm.js';
import { Conv2d } from '../../nn/conv2d.js';
import { summaryRows } from '../../nn/summary.js';
import { add } from '../../ops/add.js';
import { avgPool2d } from '../../ops/avg-pool2d.js';
import { conv2d } from '../../ops/conv2d.js';
import { reshape } from '../../ops/reshape.js';
import { upsampleNearest2d } from '../../ops/upsample-nearest2d.js';
import { Rng } from '../../tensor/random.js';
import { realize, tensor, type Tensor } from '../../tensor/tensor.js';
import {
  CifarResBlock,
  CifarResnetCritic,
  CifarResnetGenerator,
  ConvMeanPool,
  createCifarResnet,
  MeanPoolConv,
  OptimizedDiscBlock,
  UpsampleConv,
} from './cifar-resnet.js';

const lin = (i: number, o: number): number => i * o + o;
const conv = (i: number, o: number, k: number): number => i * o * k * k + o;
const norm = (c: number): number => 2 * c;

const ref = referenceBackend();

async function values(t: Tensor): Promise<number[]> {
  await realize([t], ref);
  return Array.from(t.value!);
}

function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  assert.equal(a.length, b.length);
  return a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);
}

/** A conv layer's own computation, bias included, for composing the expected orderings. */
function convWith(c: Conv2d, x: Tensor): Tensor {
  const y = conv2d(x, c.weight, { padding: 'same' });
  return c.bias ? add(y, reshape(c.bias, [1, c.outChannels, 1, 1])) : y;
}

describe('gan_cifar_resnet.py networks', () => {
  const D = 128;
  // ResidualBlock 'up': N1, UpsampleConv 3×3, N2, Conv2D 3×3, UpsampleConv 1×1 shortcut.
  const upBlock = (nrm: number): number => 2 * nrm + 2 * conv(D, D, 3) + conv(D, D, 1);
  const gUncond = lin(128, 4 * 4 * D) + 3 * upBlock(norm(D)) + norm(D) + conv(D, 3, 3);
  // Conditional BN: a [10, C] offset table and a [10, C] scale table; OutputN stays unconditional.
  const gCond = lin(128, 4 * 4 * D) + 3 * upBlock(2 * 10 * D) + norm(D) + conv(D, 3, 3);
  // OptimizedResBlockDisc1 (conv 3→D, ConvMeanPool D→D, MeanPoolConv 1×1 shortcut), a down block
  // (conv, ConvMeanPool, ConvMeanPool 1×1 shortcut), two plain blocks (identity shortcuts), Output.
  const dCount = conv(3, D, 3) + conv(D, D, 3) + conv(3, D, 1) + (2 * conv(D, D, 3) + conv(D, D, 1)) + 2 * (2 * conv(D, D, 3)) + lin(D, 1);

  test('unconditional: reference parameter counts, batch norm in G, no norm in D', () => {
    const { generator, critic } = createCifarResnet({ rng: new Rng(1) });
    assert.equal(generator.numParameters(), gUncond);
    assert.equal(critic.numParameters(), dCount);
    assert.equal(gUncond, 1_204_483);
    assert.equal(dCount, 1_053_825);
    assert.equal(critic.acganOutput, null);
    assert.ok(!critic.namedModules().some(([, m]) => m instanceof BatchNorm || m instanceof ConditionalBatchNorm));
  });

  test('conditional: per-class gamma/beta in the blocks, plain BN at the output, AC-GAN head Linear(DIM, 10)', () => {
    const { generator, critic } = createCifarResnet({ conditional: true, rng: new Rng(1) });
    assert.equal(generator.numParameters(), gCond);
    assert.equal(critic.numParameters(), dCount + lin(D, 10));
    assert.ok(generator.blocks.every((b) => b.norm1 instanceof ConditionalBatchNorm && b.norm2 instanceof ConditionalBatchNorm));
    assert.ok(generator.outputNorm instanceof BatchNorm);
    assert.equal(createCifarResnet({ conditional: true, acgan: false, rng: new Rng(1) }).critic.numParameters(), dCount);
    assert.throws(() => createCifarResnet({ acgan: true }), /acgan needs conditional/);
  });

  test('init: 3×3 convs use he_init, 1×1 shortcuts and the generator output conv use Glorot', () => {
    const { generator, critic } = createCifarResnet({ rng: new Rng(1) });
    const convs = [...generator.namedModules(), ...critic.namedModules()].filter(([, m]) => m instanceof Conv2d) as [string, Conv2d][];
    for (const [name, c] of convs) {
      const want = name.includes('shortcut') || name === 'output' ? 'glorot' : 'he';
      assert.equal(c.init, want, `${name} (k${c.kernelSize})`);
      assert.equal(c.kernelSize === 1, name.includes('shortcut'), name);
    }
  });

  test('block wiring: down = conv then ConvMeanPool (shortcut ConvMeanPool 1×1); the optimized block shortcut is MeanPoolConv', () => {
    const down = new CifarResBlock(4, 6, 'down', { rng: new Rng(1) });
    assert.ok(down.conv1 instanceof Conv2d && (down.conv1 as Conv2d).outChannels === 4, 'down: conv1 keeps the input width');
    assert.ok(down.conv2 instanceof ConvMeanPool && down.shortcut instanceof ConvMeanPool);
    const upb = new CifarResBlock(4, 6, 'up', { norm: 'batch', rng: new Rng(1) });
    assert.ok(upb.conv1 instanceof UpsampleConv && upb.conv2 instanceof Conv2d && upb.shortcut instanceof UpsampleConv);
    const plain = new CifarResBlock(4, 4, null, { rng: new Rng(1) });
    assert.equal(plain.shortcut, null);
    const opt = new OptimizedDiscBlock(3, 4, { rng: new Rng(1) });
    assert.ok(opt.shortcut instanceof MeanPoolConv && opt.conv2 instanceof ConvMeanPool);
  });

  test('ConvMeanPool convolves then pools, MeanPoolConv pools then convolves (different for 3×3), UpsampleConv is nearest then conv', async () => {
    const rng = new Rng(5);
    const x = rng.normal([2, 3, 8, 8]);
    const cmp = new ConvMeanPool(3, 4, 3, { rng });
    const mpc = new MeanPoolConv(3, 4, 3, { rng });
    mpc.conv.weight.assign(cmp.conv.weight);
    const upc = new UpsampleConv(3, 4, 3, { rng });
    const got = await Promise.all([cmp.forward(x), mpc.forward(x), upc.forward(x)].map(values));
    const want = await Promise.all(
      [avgPool2d(convWith(cmp.conv, x), 2), convWith(mpc.conv, avgPool2d(x, 2)), convWith(upc.conv, upsampleNearest2d(x, 2))].map(values),
    );
    for (let i = 0; i < 3; i++) assert.ok(maxAbsDiff(got[i]!, want[i]!) < 1e-9, `layer ${i}`);
    assert.ok(maxAbsDiff(got[0]!, got[1]!) > 1e-3, 'pool/conv order matters for a 3×3 kernel');
    assert.deepEqual(cmp.forward(x).shape, [2, 4, 4, 4]);
    assert.deepEqual(upc.forward(x).shape, [2, 4, 16, 16]);
  });

  test('shapes and labels: conditional G needs int32 labels; the critic returns scores [B] and logits [B, 10]', () => {
    const rng = new Rng(2);
    const G = new CifarResnetGenerator({ dim: 8, conditional: true, rng });
    const labels = tensor(new Int32Array([1, 9]), [2], 'int32');
    const x = G.forward(rng.normal([2, 128]), labels);
    assert.deepEqual(x.shape, [2, 3, 32, 32]);
    assert.throws(() => G.forward(rng.normal([2, 128])), /CifarResnetGenerator: a conditional model needs int32 labels \[2\]/);
    assert.throws(() => G.forward(rng.normal([2, 128]), tensor([1, 2], [2])), /needs int32 labels/);
    const Dc = new CifarResnetCritic({ dim: 8, acgan: true, rng });
    const { scores, logits } = Dc.scoresAndLogits(x);
    assert.deepEqual(scores.shape, [2]);
    assert.deepEqual(logits!.shape, [2, 10]);
    assert.deepEqual(Dc.forward(rng.normal([2, 3072])).shape, [2]);
  });

  test('summary rows add up; 11 conv layers in the generator, 12 (incl. 2 shortcuts) in the critic', () => {
    const { generator, critic } = createCifarResnet({ conditional: true, rng: new Rng(1) });
    const convs = (m: typeof generator | typeof critic): number => summaryRows(m).filter((r) => r.type === 'Conv2d').length;
    assert.equal(convs(generator), 3 * 3 + 1); // 2 convs + 1 shortcut per up block, output conv
    assert.equal(convs(critic), 3 + 3 + 4);
    for (const m of [generator, critic]) assert.equal(summaryRows(m).reduce((n, r) => n + r.params, 0), m.numParameters());
  });
});
