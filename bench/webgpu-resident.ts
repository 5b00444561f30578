/**
 * Can training state stay on the GPU between session runs? A probe of onnxruntime-node's WebGPU
 * provider with device-resident outputs (`preferredOutputLocation: 'gpu-buffer'`), for a GPU
 * machine (bench/webgpu-device.sh runs it). It prints one line per stage, so that when the native
 * side aborts the process the last line says how far it got:
 *   1. a run whose output stays on the GPU (location, dims);
 *   2. that output fed back as the next run's input;
 *   3. the result read back through a second session whose output is on the host (y fed in);
 *   4. an "optimizer state" loop: a state of `--size` floats updated `--steps` times, kept on the
 *      GPU between runs, against the same loop copying it to and from the host every run (the
 *      GPU state read back as in 3);
 *   5. host-to-GPU copies: one input of 4M floats against 40 inputs of 100K (same bytes), reduced
 *      to one scalar output: the cost per input beyond the bytes;
 *   6. a GPU output read with Tensor.getData() (aborted the process with onnxruntime-node 1.30).
 *
 * Usage: node --import tsx bench/webgpu-resident.ts [--size 4000000] [--steps 20]
 * Exit status 0 when every stage ran and the values matched, 1 otherwise.
 */
import * as ort from 'onnxruntime-node';
import { encodeModel, ONNX_DTYPE } from '../src/backends/onnx/proto.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name} must be a positive integer, got '${process.argv[i + 1] ?? ''}'`);
  return v;
}

/** A float32 scalar initializer. */
const scalar = (name: string, v: number): { name: string; dtype: number; dims: number[]; raw: Uint8Array } => ({
  name,
  dtype: ONNX_DTYPE.float32,
  dims: [],
  raw: new Uint8Array(new Float32Array([v]).buffer),
});

/** y = x * 2 + 1 over n floats. */
function affineModel(n: number): Uint8Array {
  return encodeModel({
    nodes: [
      { opType: 'Mul', inputs: ['x', 'two'], outputs: ['t'], attrs: {} },
      { opType: 'Add', inputs: ['t', 'one'], outputs: ['y'], attrs: {} },
    ],
    initializers: [scalar('two', 2), scalar('one', 1)],
    inputs: [{ name: 'x', dtype: ONNX_DTYPE.float32, dims: [n] }],
    outputs: [{ name: 'y', dtype: ONNX_DTYPE.float32, dims: [n] }],
    opset: 17,
  });
}

/** One Adam-like state update: m' = 0.9 m + 0.1 g, p' = p - 0.01 m' (g an input from the host). */
function updateModel(n: number): Uint8Array {
  const v = (name: string): { name: string; dtype: number; dims: number[] } => ({ name, dtype: ONNX_DTYPE.float32, dims: [n] });
  return encodeModel({
    nodes: [
      { opType: 'Mul', inputs: ['m', 'b1'], outputs: ['m1'], attrs: {} },
      { opType: 'Mul', inputs: ['g', 'b2'], outputs: ['g1'], attrs: {} },
      { opType: 'Add', inputs: ['m1', 'g1'], outputs: ['m_out'], attrs: {} },
      { opType: 'Mul', inputs: ['m_out', 'lr'], outputs: ['step'], attrs: {} },
      { opType: 'Sub', inputs: ['p', 'step'], outputs: ['p_out'], attrs: {} },
    ],
    initializers: [scalar('b1', 0.9), scalar('b2', 0.1), scalar('lr', 0.01)],
    inputs: [v('p'), v('m'), v('g')],
    outputs: [v('p_out'), v('m_out')],
    opset: 17,
  });
}

const say = (s: string): void => void process.stdout.write(`${s}\n`);

async function main(): Promise<number> {
  const size = arg('--size', 4_000_000);
  const steps = arg('--steps', 20);
  const n = 1024;
  const x = new Float32Array(n).map((_, i) => i / n);
  const opts: ort.InferenceSession.SessionOptions = { executionProviders: ['webgpu'], logSeverityLevel: 3 };

  say('stage 0: creating a WebGPU session');
  const s1 = await ort.InferenceSession.create(affineModel(n), { ...opts, preferredOutputLocation: { y: 'gpu-buffer' } });
  say('stage 1: run with the output kept on the GPU');
  const r1 = await s1.run({ x: new ort.Tensor('float32', x, [n]) });
  const y1 = r1.y!;
  say(`  location ${y1.location}, dims [${y1.dims.join(', ')}]`);
  say('stage 2: that output fed back as the input');
  const r2 = await s1.run({ x: y1 });
  const y2 = r2.y!;
  say(`  location ${y2.location}`);
  say('stage 3: reading the result back through a session with its output on the host');
  const toHost = await ort.InferenceSession.create(affineModel(n), { ...opts, preferredOutputLocation: 'cpu' });
  const y3 = (await toHost.run({ x: y2 })).y!;
  say(`  location ${y3.location}`);
  const got = new Float32Array(n);
  const y3data = y3.data as Float32Array;
  for (let i = 0; i < n; i++) got[i] = (y3data[i]! - 1) / 2; // undo the third application
  let err = 0;
  for (let i = 0; i < n; i++) err = Math.max(err, Math.abs(got[i]! - ((x[i]! * 2 + 1) * 2 + 1)));
  say(`  max abs error ${err}`);
  y1.dispose();
  if (!(err < 1e-5)) return 1;

  say(`stage 4: a state of ${size} floats updated ${steps} times`);
  const bytes = updateModel(size);
  const g = new ort.Tensor('float32', new Float32Array(size).fill(1), [size]);
  const p0 = new Float32Array(size).fill(1);
  const m0 = new Float32Array(size);
  const loops: Record<string, number> = {};
  const finals: Record<string, Float32Array> = {};
  for (const where of ['cpu', 'gpu-buffer'] as const) {
    const s = await ort.InferenceSession.create(bytes, { ...opts, preferredOutputLocation: where });
    // Reads a GPU state back: the update with g = 0 and m = 0 leaves p unchanged, output on the host.
    const reader = await ort.InferenceSession.create(bytes, { ...opts, preferredOutputLocation: 'cpu' });
    const zeros = new ort.Tensor('float32', new Float32Array(size), [size]);
    let p: ort.Tensor = new ort.Tensor('float32', p0.slice(), [size]);
    let m: ort.Tensor = new ort.Tensor('float32', m0.slice(), [size]);
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) {
      const r = await s.run({ p, m, g });
      if (where === 'gpu-buffer' && i > 0) {
        p.dispose();
        m.dispose();
      }
      p = r.p_out!;
      m = r.m_out!;
    }
    const host = where === 'cpu' ? p : (await reader.run({ p, m: zeros, g: zeros })).p_out!;
    finals[where] = Float32Array.from(host.data as Float32Array);
    loops[where] = (performance.now() - t0) / steps;
    say(`  state on ${where === 'cpu' ? 'the host' : 'the GPU'}: ${loops[where]!.toFixed(2)} ms per update (location ${p.location})`);
    await s.release();
    await reader.release();
  }
  const a = finals.cpu!;
  const b = finals['gpu-buffer']!;
  let diff = 0;
  for (let i = 0; i < size; i++) diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
  say(`  host vs GPU state after ${steps} updates: max abs difference ${diff}; speed-up ×${(loops.cpu! / loops['gpu-buffer']!).toFixed(2)}`);
  say('stage 5: host-to-GPU copies, 1 input of 4M floats vs 40 inputs of 100K floats');
  for (const k of [1, 40]) {
    const len = 4_000_000 / k;
    const nodes = Array.from({ length: k }, (_, i) => ({ opType: 'ReduceSum', inputs: [`x${i}`], outputs: [`s${i}`], attrs: { keepdims: { int: 0 } } }));
    const model = encodeModel({
      nodes: [...nodes, { opType: 'Sum', inputs: nodes.map((nd) => nd.outputs[0]!), outputs: ['y'], attrs: {} }],
      initializers: [],
      inputs: nodes.map((nd) => ({ name: nd.inputs[0]!, dtype: ONNX_DTYPE.float32, dims: [len] })),
      outputs: [{ name: 'y', dtype: ONNX_DTYPE.float32, dims: [] }],
      opset: 17,
    });
    const s = await ort.InferenceSession.create(model, opts);
    const feeds = Object.fromEntries(nodes.map((nd) => [nd.inputs[0]!, new ort.Tensor('float32', new Float32Array(len).fill(1), [len])]));
    const times: number[] = [];
    for (let i = 0; i < 12; i++) {
      const t0 = performance.now();
      const y = (await s.run(feeds)).y!;
      if (i >= 2) times.push(performance.now() - t0);
      if (Math.abs((y.data as Float32Array)[0]! - 4_000_000) > 1) say(`  wrong sum ${String((y.data as Float32Array)[0])}`);
    }
    times.sort((a, b) => a - b);
    say(`  ${k} input${k > 1 ? 's' : ''} of ${len} floats: median ${times[times.length >> 1]!.toFixed(2)} ms per run`);
    await s.release();
  }
  say('stage 6: Tensor.getData() on a GPU output');
  const direct = (await y2.getData()) as Float32Array;
  say(`  read ${direct.length} values`);
  say('all stages ran');
  return diff < 1e-5 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    say(`failed: ${(e as Error).stack ?? String(e)}`);
    process.exit(1);
  },
);
