/**
 * gan_mnist.py networks: parameter counts derived layer by layer from the reference code, the batch
 * norms its MODE switches on, the 7×7 crop, input forms and argument errors. (Forward values against
 * an independent PyTorch statement of the reference, shapes on onnxruntime and the WGAN-GP critic
 * step are checked for every family in image-models.test.ts.)
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BatchNorm } from '../../nn/batch-norm.js';
import { LayerNorm } from '../../nn/layer-norm.js';
import { summaryRows } from '../../nn/summary.js';
import { Rng } from '../../tensor/random.js';
import { tensor } from '../../tensor/tensor.js';
import { asImages, createMnist, criticNormLayer, MnistCritic, MnistGenerator } from './mnist.js';

// Parameter counts of tflib layers: Linear W [in, out] + b; Conv2D/Deconv2D filters k·k·in·out + biases;
// Batchnorm/Layernorm one offset and one scale per normalized channel (moving averages are not trained).
const lin = (i: number, o: number): number => i * o + o;
const conv = (i: number, o: number, k: number): number => i * o * k * k + o;
const norm = (c: number): number => 2 * c;

describe('gan_mnist.py networks', () => {
  const D = 64;
  // Generator.Input, Generator.2 (deconv 4D → 2D), Generator.3 (2D → D), Generator.5 (D → 1).
  const gBase = lin(128, 4 * 4 * 4 * D) + conv(4 * D, 2 * D, 5) + conv(2 * D, D, 5) + conv(D, 1, 5);
  // Discriminator.1-3 (stride-2 5×5 convs) and Discriminator.Output.
  const dBase = conv(1, D, 5) + conv(D, 2 * D, 5) + conv(2 * D, 4 * D, 5) + lin(4 * 4 * 4 * D, 1);

  test('wgan-gp (and dcgan) models have the reference parameter counts and no normalization', () => {
    for (const loss of ['wgan-gp', 'gan'] as const) {
      const { generator, critic } = createMnist({ loss, rng: new Rng(1) });
      assert.equal(generator.numParameters(), gBase);
      assert.equal(critic.numParameters(), dBase);
      assert.equal(gBase, 1_554_177);
      assert.equal(dBase, 1_030_145);
      for (const m of [generator, critic]) {
        assert.ok(!m.namedModules().some(([, x]) => x instanceof BatchNorm || x instanceof LayerNorm), `${loss}: no norm layers`);
      }
    }
  });

  test('wgan (clipping) mode adds BN1 over the 4096 Linear features, BN2, BN3 in G and BN2, BN3 in D', () => {
    const { generator, critic } = createMnist({ loss: 'wgan', rng: new Rng(1) });
    assert.equal(generator.numParameters(), gBase + norm(4 * 4 * 4 * D) + norm(2 * D) + norm(D));
    assert.equal(critic.numParameters(), dBase + norm(2 * D) + norm(4 * D));
    assert.ok(generator.bn1 instanceof BatchNorm && critic.norm2 instanceof BatchNorm);
  });

  test('criticNorm overrides the mode and DIM scales every layer', () => {
    const { critic } = createMnist({ dim: 16, criticNorm: 'layer', rng: new Rng(1) });
    assert.ok(critic.norm2 instanceof LayerNorm && critic.norm3 instanceof LayerNorm);
    assert.equal(critic.numParameters(), conv(1, 16, 5) + conv(16, 32, 5) + conv(32, 64, 5) + lin(4 * 4 * 64, 1) + norm(32) + norm(64));
  });

  test('summary rows count the layers of each kind and add up to the parameter count', () => {
    const { generator, critic } = createMnist({ rng: new Rng(1) });
    for (const [m, kinds] of [
      [generator, { Linear: 1, ConvTranspose2d: 3 }],
      [critic, { Conv2d: 3, Linear: 1 }],
    ] as const) {
      const rows = summaryRows(m);
      assert.equal(rows.reduce((n, r) => n + r.params, 0), m.numParameters());
      for (const [type, n] of Object.entries(kinds)) assert.equal(rows.filter((r) => r.type === type).length, n, type);
    }
  });

  test('the generator crops 8×8 to 7×7 so three doublings give 28×28; the critic takes flat rows too', () => {
    const rng = new Rng(2);
    const G = new MnistGenerator({ dim: 8, rng });
    const x = G.forward(rng.normal([3, 128]));
    assert.deepEqual(x.shape, [3, 1, 28, 28]);
    const Dc = new MnistCritic({ dim: 8, rng });
    assert.deepEqual(Dc.forward(x).shape, [3]);
    assert.deepEqual(Dc.forward(tensor(new Float32Array(3 * 784), [3, 784])).shape, [3]);
  });

  test('bad inputs and options fail with messages that name the model and the shapes', () => {
    const rng = new Rng(3);
    const { generator, critic } = createMnist({ dim: 8, rng });
    assert.throws(() => generator.forward(rng.normal([2, 100])), /MnistGenerator.*\[B, 128\].*\[2,100\]/);
    assert.throws(() => critic.forward(rng.normal([2, 3, 28, 28])), /MnistCritic.*\[B, 1, 28, 28\].*\[2,3,28,28\]/);
    assert.throws(() => asImages(rng.normal([2, 785]), [1, 28, 28], 'X'), /X: expected images/);
    assert.throws(() => createMnist({ dim: 0 }), /dim must be a positive integer/);
    assert.throws(() => criticNormLayer('group' as never, 4), /criticNorm must be one of layer, batch, none/);
  });
});
