/**
 * gan_cifar.py networks: parameter counts derived layer by layer from the reference code (note
 * Generator.BN1 normalizes the 8192 Linear features, not 512 channels), the critic's batch norm in
 * wgan (clipping) mode only, and shapes.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BatchNorm } from '../../nn/batch-norm.js';
import { LayerNorm } from '../../nn/layer-norm.js';
import { summaryRows } from '../../nn/summary.js';
import { Rng } from '../../tensor/random.js';
import { CifarDcganCritic, CifarDcganGenerator, createCifarDcgan } from './cifar-dcgan.js';

const lin = (i: number, o: number): number => i * o + o;
const conv = (i: number, o: number, k: number): number => i * o * k * k + o;
const norm = (c: number): number => 2 * c;

describe('gan_cifar.py networks', () => {
  const D = 128;
  // Generator.Input + BN1 (axes [0] of [B, 4·4·4·DIM]), Generator.2 + BN2, Generator.3 + BN3, Generator.5.
  const gCount =
    lin(128, 4 * 4 * 4 * D) + norm(4 * 4 * 4 * D) + conv(4 * D, 2 * D, 5) + norm(2 * D) + conv(2 * D, D, 5) + norm(D) + conv(D, 3, 5);
  const dBase = conv(3, D, 5) + conv(D, 2 * D, 5) + conv(2 * D, 4 * D, 5) + lin(4 * 4 * 4 * D, 1);

  test('the generator always has batch norm; wgan-gp and dcgan critics have none', () => {
    for (const loss of ['wgan-gp', 'gan'] as const) {
      const { generator, critic } = createCifarDcgan({ loss, rng: new Rng(1) });
      assert.equal(generator.numParameters(), gCount);
      assert.equal(critic.numParameters(), dBase);
      assert.equal(generator.bn1.numFeatures, 8192);
      assert.ok(!critic.namedModules().some(([, m]) => m instanceof BatchNorm || m instanceof LayerNorm));
    }
    assert.equal(gCount, 5_179_907);
    assert.equal(dBase, 4_114_689);
  });

  test('wgan (clipping) mode puts batch norm after the critic convs 2 and 3', () => {
    const { critic } = createCifarDcgan({ loss: 'wgan', rng: new Rng(1) });
    assert.equal(critic.numParameters(), dBase + norm(2 * D) + norm(4 * D));
    assert.ok(critic.norm2 instanceof BatchNorm && critic.norm3 instanceof BatchNorm);
    const ln = createCifarDcgan({ criticNorm: 'layer', rng: new Rng(1) }).critic;
    assert.ok(ln.norm2 instanceof LayerNorm);
  });

  test('summary rows: 1 Linear + 3 deconvs + 3 BN in G, 3 convs + 1 Linear in D', () => {
    const { generator, critic } = createCifarDcgan({ rng: new Rng(1) });
    const count = (m: typeof generator | typeof critic, type: string): number => summaryRows(m).filter((r) => r.type === type).length;
    assert.deepEqual([count(generator, 'Linear'), count(generator, 'ConvTranspose2d'), count(generator, 'BatchNorm')], [1, 3, 3]);
    assert.deepEqual([count(critic, 'Conv2d'), count(critic, 'Linear')], [3, 1]);
    assert.equal(summaryRows(critic).reduce((n, r) => n + r.params, 0), critic.numParameters());
  });

  test('shapes: noise [B, 128] → [B, 3, 32, 32] → scores [B]; flat [B, 3072] input accepted', () => {
    const rng = new Rng(2);
    const G = new CifarDcganGenerator({ dim: 8, rng });
    const Dc = new CifarDcganCritic({ dim: 8, rng });
    const x = G.forward(rng.normal([2, 128]));
    assert.deepEqual(x.shape, [2, 3, 32, 32]);
    assert.deepEqual(Dc.forward(x).shape, [2]);
    assert.deepEqual(Dc.forward(rng.normal([2, 3072])).shape, [2]);
    assert.throws(() => Dc.forward(rng.normal([2, 1, 28, 28])), /CifarDcganCritic: expected images \[B, 3, 32, 32\]/);
  });
});
