import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { exportOnnx } from '../backends/onnx/export.js';
import { referenceBackend } from '../backends/reference/reference-backend.js';
import * as o from '../ops/index.js';
import { Rng } from '../tensor/random.js';
import { realize, tensor, type Tensor } from '../tensor/tensor.js';
import { OnnxClassifier } from './classifier.js';
import { fid } from './inception.js';

const dir = mkdtempSync(join(tmpdir(), 'onnx-classifier-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const rng = new Rng(11);
const w = rng.normal([64, 3]);
const v = rng.normal([64, 5]);
/** A tiny "classifier" of 8×8 gray images: logits = flat(x)·W, features = tanh(flat(x)·V). */
const tiny = (x: Tensor): Tensor[] => {
  const flat = o.reshape(x, [x.shape[0]!, 64]);
  return [o.matmul(flat, w), o.tanh(o.matmul(flat, v))];
};
const tinyPath = join(dir, 'tiny.onnx');
writeFileSync(tinyPath, exportOnnx(tiny, [{ name: 'images', shape: [4, 1, 8, 8] }], ['logits', 'features']));

/** Models whose feature output is their input: they show exactly what the classifier fed them. */
function echoModel(name: string, shape: readonly number[], outputs: string[] = ['probs', 'echo']): string {
  const path = join(dir, name);
  const n = shape[0]!;
  const per = shape.slice(1).reduce((a, b) => a * b, 1);
  writeFileSync(
    path,
    exportOnnx(
      (x) => {
        const flat = o.reshape(x, [n, per]);
        return [o.softmax(o.slice(flat, [0, 0], [n, 2]), -1), o.mul(flat, 1)];
      },
      [{ name: 'pixels', shape }],
      outputs,
    ),
  );
  return path;
}

function softmaxRows(x: readonly number[], k: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < x.length; i += k) {
    const row = x.slice(i, i + k);
    const m = Math.max(...row);
    const e = row.map((t) => Math.exp(t - m));
    const s = e.reduce((a, b) => a + b, 0);
    out.push(...e.map((t) => t / s));
  }
  return out;
}

test('classify runs a fixed-batch model over any number of images (padding the last batch) and matches the engine', async () => {
  const judge = await OnnxClassifier.load(tinyPath);
  try {
    assert.equal(judge.inputName, 'images');
    assert.deepEqual(judge.inputShape, [4, 1, 8, 8]);
    assert.equal(judge.scoresOutput, 'logits');
    assert.equal(judge.featuresOutput, 'features');
    const n = 6;
    const images = rng.uniformArray(n * 64, -1, 1);
    const got = await judge.classify({ data: images, shape: [n, 1, 8, 8] });
    assert.equal(got.classes, 3);
    assert.equal(got.featureDim, 5);
    const [logits, feats] = tiny(tensor(images, [n, 1, 8, 8]));
    await realize([logits!, feats!], referenceBackend());
    const wantProbs = softmaxRows(await logits!.toArray(), 3);
    const wantFeats = await feats!.toArray();
    assert.equal(got.probs.length, n * 3);
    got.probs.forEach((p, i) => assert.ok(Math.abs(p - wantProbs[i]!) < 1e-5, `probs[${i}] ${p} vs ${wantProbs[i]}`));
    got.features!.forEach((f, i) => assert.ok(Math.abs(f - wantFeats[i]!) < 1e-5, `features[${i}] ${f} vs ${wantFeats[i]}`));
    // A lazy engine tensor is accepted too, and the metrics run through the same path.
    const again = await judge.classify(tensor(images, [n, 1, 8, 8]));
    assert.deepEqual(again.probs, got.probs);
    // A stream of batches (sizes unrelated to the model's batch) gives the same answers.
    async function* stream(): AsyncGenerator<{ data: Float32Array; shape: number[] }> {
      yield { data: images.subarray(0, 64), shape: [1, 1, 8, 8] };
      yield { data: images.subarray(64), shape: [5, 1, 8, 8] };
    }
    const streamed = await judge.classify(stream());
    assert.deepEqual(streamed.probs, got.probs);
    assert.deepEqual(streamed.features, got.features);
    const statsA = await judge.featureStats(stream());
    const statsB = await judge.featureStats([{ data: images, shape: [n, 1, 8, 8] }]);
    statsA.cov.forEach((c, i) => assert.ok(Math.abs(c - statsB.cov[i]!) < 1e-12));
    await assert.rejects(judge.classify([]), /classify: no images/);
    const is = await judge.inceptionScore({ data: images, shape: [n, 1, 8, 8] }, 2);
    assert.ok(is.mean >= 1 && is.mean <= 3);
    const d = await judge.fid({ data: images, shape: [n, 1, 8, 8] }, { data: images, shape: [n, 1, 8, 8] });
    assert.ok(Math.abs(d) < 1e-6, `FID of a set with itself: ${d}`);
    assert.ok(Math.abs(d - fid(got.features!, got.features!, 5)) < 1e-6);
  } finally {
    await judge.close();
  }
});

test('preprocessing: range map, gray → RGB, bilinear resize with half-pixel centres, normalisation, NCHW', async () => {
  const path = echoModel('echo-nchw.onnx', [2, 3, 4, 4]);
  const judge = await OnnxClassifier.load(path, { featuresOutput: 'echo', modelRange: [0, 255], mean: [10, 20, 30], std: [1, 2, 5] });
  try {
    assert.equal(judge.layout, 'NCHW');
    // Two 2×2 gray images in [−1, 1] → 4×4 RGB. Along a row [a, b] becomes [a, ¾a+¼b, ¼a+¾b, b].
    const imgs = Float32Array.of(-1, 1, -1, 1, 0, 0, 1, 1);
    const { features, featureDim } = await judge.classify({ data: imgs, shape: [2, 1, 2, 2] });
    assert.equal(featureDim, 48);
    const at = (i: number, c: number, y: number, x: number): number => features![i * 48 + c * 16 + y * 4 + x]!;
    const row0 = [-1, -0.5, 0.5, 1].map((t) => ((t + 1) / 2) * 255);
    for (let c = 0; c < 3; c++) {
      for (let y = 0; y < 4; y++) {
        for (let x = 0; x < 4; x++) {
          const want = (row0[x]! - [10, 20, 30][c]!) / [1, 2, 5][c]!;
          assert.ok(Math.abs(at(0, c, y, x) - want) < 1e-3, `image 0 c${c} (${y},${x}): ${at(0, c, y, x)} vs ${want}`);
        }
      }
    }
    const col1 = [0, 0.25, 0.75, 1].map((t) => ((t + 1) / 2) * 255);
    for (let y = 0; y < 4; y++) assert.ok(Math.abs(at(1, 0, y, 2) - (col1[y]! - 10)) < 1e-3, `image 1 row ${y}`);
  } finally {
    await judge.close();
  }
});

test('NHWC models are detected from the input shape and fed channels-last; nearest resize', async () => {
  const path = echoModel('echo-nhwc.onnx', [1, 2, 2, 3]);
  const judge = await OnnxClassifier.load(path, { featuresOutput: 'echo', resize: 'nearest', imageRange: [0, 1], modelRange: [0, 1] });
  try {
    assert.equal(judge.layout, 'NHWC');
    assert.deepEqual(judge.inputShape, [1, 2, 2, 3]);
    // One RGB 4×4 image whose value encodes channel and position; nearest picks pixels (1,1),(1,3),(3,1),(3,3).
    const img = new Float32Array(48);
    for (let c = 0; c < 3; c++) for (let p = 0; p < 16; p++) img[c * 16 + p] = (c * 16 + p) / 100;
    const { features } = await judge.classify({ data: img, shape: [1, 3, 4, 4] });
    const want: number[] = [];
    for (const p of [5, 7, 13, 15]) for (let c = 0; c < 3; c++) want.push((c * 16 + p) / 100);
    features!.forEach((f, i) => assert.ok(Math.abs(f - want[i]!) < 1e-6, `${i}: ${f} vs ${want[i]}`));
  } finally {
    await judge.close();
  }
});

test('probability outputs are detected and used as they are (no second softmax)', async () => {
  const path = echoModel('echo-probs.onnx', [2, 1, 2, 2], ['probs', 'echo']);
  const judge = await OnnxClassifier.load(path, { featuresOutput: null });
  try {
    assert.equal(judge.scoresOutput, 'probs');
    const imgs = Float32Array.of(0.5, -0.5, 0, 0, 1, 1, 1, 1);
    const { probs, classes, features } = await judge.classify({ data: imgs, shape: [2, 1, 2, 2] });
    assert.equal(classes, 2);
    assert.equal(features, null);
    const want = softmaxRows([0.5, -0.5, 1, 1], 2);
    probs.forEach((p, i) => assert.ok(Math.abs(p - want[i]!) < 1e-6, `${i}: ${p} vs ${want[i]}`));
    await assert.rejects(judge.featureStats({ data: imgs, shape: [2, 1, 2, 2] }), /no feature output configured; pass featuresOutput, one of the model's outputs 'probs', 'echo'/);
  } finally {
    await judge.close();
  }
});

test('clear errors: missing and corrupted files, unknown outputs/inputs, wrong sizes and channels', async () => {
  const missing = join(dir, 'nope.onnx');
  await assert.rejects(OnnxClassifier.load(missing), (e: Error) => e.message.includes(`model file '${missing}' does not exist`));
  const corrupted = join(dir, 'corrupted.onnx');
  writeFileSync(corrupted, Buffer.from('this is not a protobuf, just some text bytes that look nothing like a model'));
  await assert.rejects(OnnxClassifier.load(corrupted), (e: Error) => e.message.includes(`cannot load '${corrupted}' as an ONNX model`));
  const truncated = join(dir, 'truncated.onnx');
  const bytes = exportOnnx(tiny, [{ name: 'images', shape: [4, 1, 8, 8] }], ['logits', 'features']);
  writeFileSync(truncated, bytes.subarray(0, Math.floor(bytes.length / 2)));
  await assert.rejects(OnnxClassifier.load(truncated), /truncated\.onnx' as an ONNX model \(corrupted or truncated file\?\)/);
  await assert.rejects(OnnxClassifier.load(tinyPath, { scoresOutput: 'softmax:0' }), /no output named 'softmax:0' \(scoresOutput\); the model's outputs are 'logits', 'features'/);
  await assert.rejects(OnnxClassifier.load(tinyPath, { featuresOutput: 'pool3' }), /no output named 'pool3' \(featuresOutput\); the model's outputs are 'logits', 'features'/);
  await assert.rejects(OnnxClassifier.load(tinyPath, { inputName: 'x' }), /no input named 'x'; the model's inputs are 'images'/);
  await assert.rejects(OnnxClassifier.load(tinyPath, { inputSize: 299 }), /inputSize \[299, 299\] does not match input 'images' of shape \[4, 1, 8, 8\]/);
  await assert.rejects(OnnxClassifier.load(tinyPath, { mean: [0.5, 0.5, 0.5] }), /mean must hold 1 finite numbers/);
  const judge = await OnnxClassifier.load(tinyPath, { resize: 'none' });
  try {
    await assert.rejects(judge.classify({ data: new Float32Array(2 * 28 * 28), shape: [2, 1, 28, 28] }), /images are 28×28 \[2, 1, 28, 28\] but the model's input 'images' is 8×8/);
    await assert.rejects(judge.classify({ data: new Float32Array(2 * 3 * 64), shape: [2, 3, 8, 8] }), /images have 3 channel\(s\) \[2, 3, 8, 8\], the model takes 1/);
    await assert.rejects(judge.classify({ data: new Float32Array(10), shape: [2, 1, 8, 8] }), /need 128 values, got 10/);
    await assert.rejects(judge.classify({ data: new Float32Array(64), shape: [1, 64] }), /must be \[N, C, H, W\], got shape \[1, 64\]/);
  } finally {
    await judge.close();
  }
});
