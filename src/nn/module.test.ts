import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { gradients } from '../autodiff/grad.js';
import { referenceBackend } from '../backends/reference/reference-backend.js';
import { ortBackend } from '../node.js';
import { sum } from '../ops/sum.js';
import { Rng } from '../tensor/random.js';
import { realize, tensor, type Tensor } from '../tensor/tensor.js';
import { LeakyReLU, PaperSoftplus, ReLU, Sigmoid, Tanh } from './activations.js';
import { BatchNorm } from './batch-norm.js';
import { ConditionalBatchNorm } from './conditional-batch-norm.js';
import { Conv1d } from './conv1d.js';
import { Conv2d } from './conv2d.js';
import { ConvTranspose2d } from './conv-transpose2d.js';
import { Embedding } from './embedding.js';
import { LayerNorm } from './layer-norm.js';
import { Linear } from './linear.js';
import { Module, parameter } from './module.js';
import { Flatten, Reshape } from './reshape.js';
import { Sequential } from './sequential.js';
import { summary, summaryRows } from './summary.js';

const ref = referenceBackend();
const ort = ortBackend({ threads: 1 });
after(() => ort.dispose?.());

async function values(t: Tensor): Promise<number[]> {
  await realize([t], ref);
  return Array.from(t.value!);
}

class Block extends Module {
  readonly conv: Conv2d;
  readonly norm: LayerNorm;
  constructor(c: number, rng: Rng) {
    super();
    this.conv = new Conv2d(c, c, 3, { rng });
    this.norm = new LayerNorm(c);
  }
  override forward(x: Tensor): Tensor {
    return new ReLU().forward(this.norm.forward(this.conv.forward(x)));
  }
}

class Net extends Module {
  readonly scale = parameter([1], 1);
  readonly stem: Conv2d;
  readonly blocks: Block[];
  readonly head: Linear;
  readonly _cache = parameter([3]); // private: not a parameter
  readonly label = 'not a tensor';
  constructor(rng: Rng) {
    super();
    this.stem = new Conv2d(1, 4, 3, { stride: 2, rng });
    this.blocks = [new Block(4, rng), new Block(4, rng)];
    this.head = new Linear(4 * 4 * 4, 1, { rng });
  }
  override forward(x: Tensor): Tensor {
    let h = this.stem.forward(x);
    for (const b of this.blocks) h = b.forward(h);
    return this.head.forward(new Flatten().forward(h));
  }
}

describe('Module', () => {
  test('namedParameters walks own fields first, then children and arrays of children, in field order', () => {
    const net = new Net(new Rng(0));
    assert.deepEqual(
      net.namedParameters().map(([n]) => n),
      [
        'scale',
        'stem.weight',
        'stem.bias',
        'blocks.0.conv.weight',
        'blocks.0.conv.bias',
        'blocks.0.norm.gamma',
        'blocks.0.norm.beta',
        'blocks.1.conv.weight',
        'blocks.1.conv.bias',
        'blocks.1.norm.gamma',
        'blocks.1.norm.beta',
        'head.weight',
        'head.bias',
      ],
    );
    assert.equal(net.parameters().length, 13);
    const expected = 1 + (4 * 9 + 4) + 2 * (4 * 4 * 9 + 4 + 4 + 4) + (64 + 1);
    assert.equal(net.numParameters(), expected);
    assert.deepEqual(
      net.namedModules().map(([n, m]) => `${n}:${m.typeName()}`),
      ['Net', 'stem:Conv2d', 'blocks.0:Block', 'blocks.0.conv:Conv2d', 'blocks.0.norm:LayerNorm', 'blocks.1:Block', 'blocks.1.conv:Conv2d', 'blocks.1.norm:LayerNorm', 'head:Linear'].map((s) => (s === 'Net' ? ':Net' : s)),
    );
  });

  test('a shared parameter or module is listed once', () => {
    const fc = new Linear(3, 3);
    const seq = new Sequential(fc, new ReLU(), fc);
    assert.deepEqual(seq.namedParameters().map(([n]) => n), ['0.weight', '0.bias']);
  });

  test('Sequential names children by position and chains forward', async () => {
    const rng = new Rng(3);
    const mlp = new Sequential(new Linear(2, 8, { init: 'he', rng }), new ReLU(), new Linear(8, 1, { rng }));
    assert.deepEqual(mlp.namedParameters().map(([n]) => n), ['0.weight', '0.bias', '2.weight', '2.bias']);
    const x = tensor([1, 2, -1, 0.5], [2, 2]);
    const y = mlp.forward(x);
    assert.deepEqual(y.shape, [2, 1]);
    const l0 = mlp.layers[0] as Linear;
    const l2 = mlp.layers[2] as Linear;
    const w0 = Array.from(l0.weight.value!);
    const w2 = Array.from(l2.weight.value!);
    const manual = [0, 1].map((r) => {
      let out = 0;
      for (let j = 0; j < 8; j++) {
        const h = Math.max(0, x.value![r * 2]! * w0[j]! + x.value![r * 2 + 1]! * w0[8 + j]!);
        out += h * w2[j]!;
      }
      return out;
    });
    const got = await values(y);
    got.forEach((v, i) => assert.ok(Math.abs(v - manual[i]!) < 1e-5, `row ${i}: ${v} vs ${manual[i]}`));
  });

  test('train() and eval() set the flag on the whole tree', () => {
    const net = new Net(new Rng(0));
    net.eval();
    assert.ok(net.namedModules().every(([, m]) => !m.training));
    net.train();
    assert.ok(net.namedModules().every(([, m]) => m.training));
  });

  test('gradients reach every parameter', async () => {
    const net = new Net(new Rng(1));
    const x = new Rng(2).normal([2, 1, 8, 8]);
    const gs = gradients(sum(net.forward(x)), net.parameters());
    await realize(gs, ref);
    gs.forEach((g, i) => assert.deepEqual(g.shape, net.parameters()[i]!.shape));
    const headGrad = Array.from(gs[gs.length - 2]!.value!);
    assert.ok(headGrad.some((v) => v !== 0), 'the head weight gets a nonzero gradient');
  });

  test('summary lists every layer with its parameter count and the total', () => {
    const net = new Net(new Rng(0));
    const text = summary(net);
    assert.match(text, /blocks\.1\.conv\s+Conv2d\(4 → 4, k3/);
    assert.match(text, /head\s+Linear\(64 → 1\)\s+65\s+weight \[64,1\], bias \[1\]/);
    assert.match(text, new RegExp(`total: ${net.numParameters()} parameters`));
    assert.equal(summaryRows(net).reduce((n, r) => n + r.params, 0), net.numParameters());
  });
});

describe('layers', () => {
  test('Linear computes x @ W + b with W [in, out] and rejects a wrong input width', async () => {
    const fc = new Linear(3, 2);
    fc.weight.assignData([1, 2, 3, 4, 5, 6]);
    fc.bias!.assignData([0.5, -0.5]);
    assert.deepEqual(await values(fc.forward(tensor([1, 0, -1], [1, 3]))), [1 - 5 + 0.5, 2 - 6 - 0.5]);
    assert.throws(() => fc.forward(tensor([1, 2], [1, 2])), /Linear: expected input \[batch, \.\.\., 3\], got \[1,2\]/);
    assert.equal(new Linear(3, 2, { bias: false }).parameters().length, 1);
  });

  test('conv layers: SAME stride-2 halves, the deconv doubles, conv1d keeps the length; bias per channel', async () => {
    const rng = new Rng(5);
    const x = rng.normal([2, 1, 28, 28]);
    assert.deepEqual(new Conv2d(1, 8, 5, { stride: 2, rng }).forward(x).shape, [2, 8, 14, 14]);
    const deconv = new ConvTranspose2d(8, 4, 5, { rng });
    assert.deepEqual(deconv.forward(rng.normal([2, 8, 7, 7])).shape, [2, 4, 14, 14]);
    assert.deepEqual(new Conv1d(6, 3, 5, { rng }).forward(rng.normal([2, 6, 32])).shape, [2, 3, 32]);
    // A 1×1 conv with identity weights and a bias adds the bias per channel.
    const c = new Conv2d(2, 2, 1, { rng });
    c.weight.assignData([1, 0, 0, 1]);
    c.bias!.assignData([10, 20]);
    const y = await values(c.forward(tensor([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 2, 2])));
    assert.deepEqual(y, [11, 12, 13, 14, 25, 26, 27, 28]);
    assert.throws(() => c.forward(x), /Conv2d: expected input \[N, 2, H, W\], got \[2,1,28,28\]/);
  });

  test('BatchNorm normalizes each channel over the batch and space; LayerNorm each sample', async () => {
    const rng = new Rng(6);
    const x = rng.normal([4, 3, 5, 5], 2, 3);
    const bn = await values(new BatchNorm(3).forward(x));
    for (let c = 0; c < 3; c++) {
      const v: number[] = [];
      for (let n = 0; n < 4; n++) for (let i = 0; i < 25; i++) v.push(bn[(n * 3 + c) * 25 + i]!);
      const m = v.reduce((a, b) => a + b, 0) / v.length;
      const s = v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length;
      assert.ok(Math.abs(m) < 1e-6 && Math.abs(s - 1) < 1e-3, `channel ${c}: mean ${m}, var ${s}`);
    }
    const ln = new LayerNorm(3);
    ln.gamma!.assignData([1, 2, 3]);
    const y = await values(ln.forward(x));
    for (let n = 0; n < 4; n++) {
      // Undo the per-channel scale: the normalized sample has mean 0, variance 1 over [C, H, W].
      const v = Array.from({ length: 75 }, (_, i) => y[n * 75 + i]! / (1 + Math.floor(i / 25)));
      const m = v.reduce((a, b) => a + b, 0) / 75;
      const s = v.reduce((a, b) => a + (b - m) ** 2, 0) / 75;
      assert.ok(Math.abs(m) < 1e-6 && Math.abs(s - 1) < 1e-3, `sample ${n}: mean ${m}, var ${s}`);
    }
    const flat = await values(new BatchNorm(3).forward(rng.normal([8, 3])));
    assert.ok(Math.abs(flat.filter((_, i) => i % 3 === 0).reduce((a, b) => a + b, 0)) < 1e-6);
  });

  test('ConditionalBatchNorm takes each sample’s scale and offset from its class row', async () => {
    const cbn = new ConditionalBatchNorm(3, 2);
    cbn.gamma.assignData([1, 1, 2, 2, 0, 0]);
    cbn.beta.assignData([0, 0, 5, 5, 7, 8]);
    const x = new Rng(7).normal([3, 2, 2, 2]);
    const plain = await values(new BatchNorm(2, { affine: false }).forward(x));
    const y = await values(cbn.forward(x, tensor([0, 1, 2], [3], 'int32')));
    for (let i = 0; i < 8; i++) assert.ok(Math.abs(y[i]! - plain[i]!) < 1e-9);
    for (let i = 8; i < 16; i++) assert.ok(Math.abs(y[i]! - (2 * plain[i]! + 5)) < 1e-9);
    assert.deepEqual(y.slice(16), [7, 7, 7, 7, 8, 8, 8, 8]);
    assert.throws(() => cbn.forward(x), /ConditionalBatchNorm: forward\(x, labels\) needs the int32 class labels/);
  });

  test('Embedding gathers rows; Reshape and Flatten keep the batch axis', async () => {
    const emb = new Embedding(4, 2);
    emb.weight.assignData([0, 1, 10, 11, 20, 21, 30, 31]);
    assert.deepEqual(await values(emb.forward(tensor([3, 0, 2], [3], 'int32'))), [30, 31, 0, 1, 20, 21]);
    assert.throws(() => emb.forward(tensor([1], [1])), /Embedding: indices must be int32/);
    const x = tensor(new Float32Array(24), [2, 12]);
    assert.deepEqual(new Reshape([3, 2, 2]).forward(x).shape, [2, 3, 2, 2]);
    assert.deepEqual(new Flatten().forward(new Reshape([3, 2, 2]).forward(x)).shape, [2, 12]);
    assert.throws(() => new Reshape([5]).forward(x), /Reshape: cannot reshape \[2,12\] to \[N, 5\]/);
  });

  test('activation modules', async () => {
    const x = tensor([-2, -0.5, 0.5, 2], [4]);
    assert.deepEqual(await values(new ReLU().forward(x)), [0, 0, 0.5, 2]);
    const l = await values(new LeakyReLU().forward(x));
    l.forEach((v, i) => assert.ok(Math.abs(v - [-0.4, -0.1, 0.5, 2][i]!) < 1e-12, `leaky ${i}: ${v}`));
    const t = await values(new Tanh().forward(x));
    t.forEach((v, i) => assert.ok(Math.abs(v - Math.tanh([-2, -0.5, 0.5, 2][i]!)) < 1e-12));
    const s = await values(new Sigmoid().forward(x));
    s.forEach((v, i) => assert.ok(Math.abs(v - 1 / (1 + Math.exp(-[-2, -0.5, 0.5, 2][i]!))) < 1e-12));
    const p = await values(new PaperSoftplus().forward(x));
    p.forEach((v, i) => {
      const xv = [-2, -0.5, 0.5, 2][i]!;
      assert.ok(Math.abs(v - (Math.log1p(Math.exp(2 * xv + 2)) / 2 - 1)) < 1e-12);
    });
    assert.equal(new LeakyReLU().alpha, 0.2);
  });
});

describe('layers on onnxruntime', () => {
  test('a conv / norm / deconv stack and its parameter gradients match the reference interpreter', async () => {
    const rng = new Rng(11);
    const net = new Sequential(
      new Conv2d(2, 4, 3, { stride: 2, rng }),
      new LayerNorm(4),
      new LeakyReLU(),
      new ConvTranspose2d(4, 3, 5, { rng }),
      new BatchNorm(3),
      new Tanh(),
      new Conv1dView(),
      new Conv1d(3, 2, 3, { rng }),
      new Flatten(),
      new Linear(2 * 64, 1, { rng }),
    );
    const x = rng.normal([2, 2, 8, 8]);
    const evaluate = async (backend: typeof ref): Promise<number[][]> => {
      const y = net.forward(x);
      const gs = gradients(sum(y), net.parameters());
      await realize([y, ...gs], backend);
      return [y, ...gs].map((t) => Array.from(t.value!));
    };
    const want = await evaluate(ref);
    const got = await evaluate(ort);
    want.forEach((w, k) => {
      const scale = Math.max(1, ...w.map(Math.abs));
      w.forEach((v, i) => assert.ok(Math.abs(got[k]![i]! - v) < 1e-4 * scale, `output ${k}[${i}]: ort ${got[k]![i]}, reference ${v}`));
    });
  });
});

/** [N, C, H, W] → [N, C, H·W], to run a Conv1d after image layers. */
class Conv1dView extends Module {
  override forward(x: Tensor): Tensor {
    return new Reshape([x.shape[1]!, x.shape[2]! * x.shape[3]!]).forward(x);
  }
}
