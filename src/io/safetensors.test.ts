import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { gradients } from '../autodiff/grad.js';
import { referenceBackend } from '../backends/reference/reference-backend.js';
import { Conv2d } from '../nn/conv2d.js';
import { LayerNorm } from '../nn/layer-norm.js';
import { Linear } from '../nn/linear.js';
import { Sequential } from '../nn/sequential.js';
import { ReLU } from '../nn/activations.js';
import { mean, square } from '../ops/math.js';
import { sub } from '../ops/sub.js';
import { Adam } from '../optim/adam.js';
import { Rng } from '../tensor/random.js';
import { tensor } from '../tensor/tensor.js';
import { loadModule, loadOptimizer, saveModule, saveOptimizer } from './module-io.js';
import { decodeSafetensors, encodeSafetensors, readSafetensors, SafetensorsError, writeSafetensors, type SafetensorsEntry } from './safetensors.js';

const dir = mkdtempSync(join(tmpdir(), 'safetensors-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const ref = referenceBackend();

/** Builds a file by hand from a header object and a data section, as the spec lays it out. */
function handmade(header: unknown, data: Uint8Array, headerLength?: number): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(headerLength ?? json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function fileWith(name: string, bytes: Uint8Array): string {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
}

describe('safetensors format', () => {
  test('round trip of every dtype, shapes (incl. scalar and empty) and metadata through a file', async () => {
    const tensors: Record<string, SafetensorsEntry> = {
      f32: { dtype: 'F32', shape: [2, 3], data: Float32Array.from([1, -2.5, 3, 4, 1e-20, 6]) },
      f64: { dtype: 'F64', shape: [3], data: Float64Array.from([Math.PI, -1e300, 0]) },
      f16: { dtype: 'F16', shape: [4], data: [1, -0.5, 65504, 6.103515625e-5] },
      bf16: { dtype: 'BF16', shape: [2], data: [1.5, -256] },
      i64: { dtype: 'I64', shape: [2], data: BigInt64Array.from([-(2n ** 40n), 7n]) },
      i32: { dtype: 'I32', shape: [2], data: Int32Array.from([-7, 2 ** 31 - 1]) },
      i16: { dtype: 'I16', shape: [1], data: [-300] },
      i8: { dtype: 'I8', shape: [1], data: [-5] },
      u8: { dtype: 'U8', shape: [3], data: [0, 128, 255] },
      u16: { dtype: 'U16', shape: [1], data: [65535] },
      u32: { dtype: 'U32', shape: [1], data: [4e9] },
      bool: { dtype: 'BOOL', shape: [3], data: [1, 0, 1] },
      scalar: { dtype: 'F32', shape: [], data: [42] },
      empty: { dtype: 'F32', shape: [0, 4], data: [] },
    };
    const path = join(dir, 'all.safetensors');
    await writeSafetensors(path, tensors, { format: 'pt', note: 'ünïcode ✓' });
    const { tensors: got, metadata } = await readSafetensors(path);
    assert.deepEqual(metadata, { format: 'pt', note: 'ünïcode ✓' });
    assert.deepEqual(Object.keys(got), Object.keys(tensors));
    for (const [name, e] of Object.entries(tensors)) {
      assert.equal(got[name]!.dtype, e.dtype, name);
      assert.deepEqual(got[name]!.shape, e.shape, name);
      assert.deepEqual(Array.from(got[name]!.data as ArrayLike<unknown>), Array.from(e.data as ArrayLike<unknown>), name);
    }
    assert.ok(got.f32!.data instanceof Float32Array && got.i64!.data instanceof BigInt64Array && got.f16!.data instanceof Float32Array);
    assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temporary file is left behind');
  });

  test('the bytes follow the spec: u64 LE header length, JSON header, data 8-byte aligned, offsets relative to the data', () => {
    const bytes = encodeSafetensors({ a: { dtype: 'F32', shape: [2], data: [1, 2] }, b: { dtype: 'I32', shape: [1], data: [3] } }, { k: 'v' });
    const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    assert.equal((8 + n) % 8, 0);
    const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
    assert.deepEqual(header, {
      __metadata__: { k: 'v' },
      a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      b: { dtype: 'I32', shape: [1], data_offsets: [8, 12] },
    });
    const data = bytes.subarray(8 + n);
    assert.equal(data.length, 12);
    assert.deepEqual(Array.from(new Float32Array(data.slice(0, 8).buffer)), [1, 2]);
    // And a file made by hand (unaligned, tensors listed out of order) decodes.
    const f = new Float32Array([5, 6]);
    const i = new Int32Array([9]);
    const raw = new Uint8Array(12);
    raw.set(new Uint8Array(i.buffer), 0);
    raw.set(new Uint8Array(f.buffer), 4);
    const dec = decodeSafetensors(handmade({ x: { dtype: 'F32', shape: [2], data_offsets: [4, 12] }, y: { dtype: 'I32', shape: [1, 1], data_offsets: [0, 4] } }, raw));
    assert.deepEqual(Array.from(dec.tensors.x!.data as Float32Array), [5, 6]);
    assert.deepEqual(Array.from(dec.tensors.y!.data as Int32Array), [9]);
    assert.deepEqual(dec.metadata, {});
  });

  test('writing rejects a wrong value count, an unknown dtype and non-string metadata', () => {
    assert.throws(() => encodeSafetensors({ w: { dtype: 'F32', shape: [2, 2], data: [1, 2, 3] } }), /tensor 'w' has shape \[2,2\] \(4 values\) but 3 values/);
    assert.throws(() => encodeSafetensors({ w: { dtype: 'F8' as never, shape: [1], data: [1] } }), /tensor 'w' has unknown dtype 'F8'/);
    assert.throws(() => encodeSafetensors({}, { n: 3 as never }), /metadata 'n' must be a string/);
  });

  describe('reading a damaged file throws an error naming the file and the problem', () => {
    const good = encodeSafetensors({ a: { dtype: 'F32', shape: [2], data: [1, 2] }, b: { dtype: 'F32', shape: [1], data: [3] } });
    const f32 = (v: number[]): Uint8Array => new Uint8Array(Float32Array.from(v).buffer);
    const cases: [string, () => string, RegExp][] = [
      ['missing', () => join(dir, 'nope.safetensors'), /no such file/],
      ['shorter than 8 bytes', () => fileWith('short.st', good.subarray(0, 5)), /truncated: 5 bytes/],
      ['truncated data', () => fileWith('trunc.st', good.subarray(0, good.length - 2)), /data_offsets \[8, 12\] out of range \(the data section has 10 bytes; truncated\?\)/],
      ['header length beyond the file', () => fileWith('len.st', handmade({}, new Uint8Array(0), 999)), /bad header length 999: only 2 bytes follow/],
      ['header length 0', () => fileWith('len0.st', handmade('', new Uint8Array(4), 0)), /bad header length 0/],
      ['invalid JSON', () => fileWith('json.st', handmade('{"a": {"dtype": "F32",', new Uint8Array(0))), /invalid JSON header/],
      ['a JSON array header', () => fileWith('arr.st', handmade([1, 2], new Uint8Array(0))), /the header is not a JSON object/],
      ['unknown dtype', () => fileWith('dtype.st', handmade({ a: { dtype: 'F12', shape: [1], data_offsets: [0, 4] } }, f32([1]))), /tensor 'a': unknown dtype "F12"/],
      ['offsets out of range', () => fileWith('oor.st', handmade({ a: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, f32([1, 2]))), /tensor 'a': data_offsets \[4, 12\] out of range/],
      ['size disagreeing with the shape', () => fileWith('size.st', handmade({ a: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32([1, 2]))), /span 8 bytes, but F32 \[3\] needs 12/],
      ['malformed offsets', () => fileWith('offs.st', handmade({ a: { dtype: 'F32', shape: [1], data_offsets: [0] } }, f32([1]))), /tensor 'a': invalid data_offsets \[0\]/],
      ['a negative dimension', () => fileWith('shape.st', handmade({ a: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32([1]))), /tensor 'a': invalid shape \[-1\]/],
      ['overlapping tensors', () => fileWith('ovl.st', handmade({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32([1, 2]))), /overlaps/],
      ['a hole in the data', () => fileWith('hole.st', handmade({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32([1, 2]))), /a hole in the data section before tensor 'a'/],
      ['trailing bytes', () => fileWith('trail.st', handmade({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32([1, 2]))), /the data section has 8 bytes but the tensors cover 4/],
      ['non-string metadata', () => fileWith('meta.st', handmade({ __metadata__: { step: 3 } }, new Uint8Array(0))), /metadata 'step' is not a string/],
    ];
    for (const [what, makeFile, problem] of cases) {
      test(what, async () => {
        const path = makeFile();
        await assert.rejects(readSafetensors(path), (e: unknown) => {
          assert.ok(e instanceof SafetensorsError, `not a SafetensorsError: ${String(e)}`);
          assert.ok(e.message.includes(`'${path}'`), `the message names the file: ${e.message}`);
          assert.match(e.message, problem);
          return true;
        });
      });
    }
  });
});

describe('modules and optimizers in files', () => {
  const model = (seed: number): Sequential =>
    new Sequential(new Conv2d(1, 2, 3, { rng: new Rng(seed) }), new LayerNorm(2), new ReLU(), new Linear(2, 1, { rng: new Rng(seed + 1) }));

  test('saveModule / loadModule restore every parameter by name, with metadata', async () => {
    const a = model(1);
    const b = model(2);
    const path = join(dir, 'model.safetensors');
    await saveModule(path, a, { iteration: '1000' });
    assert.deepEqual(Object.keys((await readSafetensors(path)).tensors), a.namedParameters().map(([n]) => n));
    assert.notDeepEqual(Array.from(b.parameters()[0]!.value!), Array.from(a.parameters()[0]!.value!));
    const meta = await loadModule(path, b);
    assert.deepEqual(meta, { iteration: '1000' });
    b.parameters().forEach((p, i) => assert.deepEqual(Array.from(p.value!), Array.from(a.parameters()[i]!.value!)));
  });

  test('loadModule names the file and every missing, extra and mismatched parameter', async () => {
    const path = join(dir, 'other.safetensors');
    await saveModule(path, new Sequential(new Conv2d(1, 3, 3), new LayerNorm(3), new ReLU(), new Linear(2, 1), new Linear(1, 1)));
    await assert.rejects(loadModule(path, model(3)), (e: unknown) => {
      const msg = (e as Error).message;
      assert.ok(msg.includes(`'${path}'`), msg);
      assert.match(msg, /'0.weight' has shape \[3,1,3,3\] in the file, the model expects \[2,1,3,3\]/);
      assert.match(msg, /'1.gamma' has shape \[3\] in the file, the model expects \[2\]/);
      assert.match(msg, /extra '4.weight'/);
      assert.match(msg, /extra '4.bias'/);
      return true;
    });
    const small = join(dir, 'small.safetensors');
    await saveModule(small, new Sequential(new Conv2d(1, 2, 3)));
    await assert.rejects(loadModule(small, model(3)), /missing '1.gamma' \(\[2\]\).*missing '3.weight'/);
  });

  test('an optimizer saved and loaded continues exactly', async () => {
    const rng = new Rng(9);
    const x = rng.normal([4, 3]);
    const y = rng.normal([4, 1]);
    const train = async (fc: Linear, opt: Adam, n: number): Promise<void> => {
      for (let i = 0; i < n; i++) await opt.step(gradients(mean(square(sub(fc.forward(x), y))), fc.parameters()), [], ref);
    };
    const fa = new Linear(3, 1, { rng: new Rng(1) });
    const oa = new Adam(fa.namedParameters(), { lr: 0.01, beta1: 0.5 });
    await train(fa, oa, 3);
    const mp = join(dir, 'fa.safetensors');
    const op = join(dir, 'oa.safetensors');
    await saveModule(mp, fa, {}, { dtype: 'F64' });
    await saveOptimizer(op, oa, { run: 'x' });
    const fb = new Linear(3, 1, { rng: new Rng(2) });
    const ob = new Adam(fb.namedParameters(), { lr: 0.5, beta1: 0.5 });
    await loadModule(mp, fb);
    const md = await loadOptimizer(op, ob);
    assert.equal(md.run, 'x');
    assert.equal(ob.stepCount, 3);
    assert.equal(ob.lr, 0.01);
    // Slots were saved as float32; put the same rounding on the uninterrupted run's slots.
    for (const t of Object.values(oa.state().slots)) t.assignData(Float32Array.from(t.value!));
    await train(fa, oa, 2);
    await train(fb, ob, 2);
    fb.parameters().forEach((p, i) => assert.deepEqual(Array.from(p.value!), Array.from(fa.parameters()[i]!.value!)));
    await assert.rejects(loadOptimizer(mp, ob), (e: unknown) => {
      assert.match((e as Error).message, new RegExp(`'${mp.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'.*metadata 'step'`));
      return true;
    });
  });

  test('the format is deterministic: the same parameters give the same bytes', async () => {
    const p1 = join(dir, 'd1.safetensors');
    const p2 = join(dir, 'd2.safetensors');
    await saveModule(p1, model(5));
    await saveModule(p2, model(5));
    assert.deepEqual(readFileSync(p1), readFileSync(p2));
    assert.ok(tensor([1], [1]));
  });
});
