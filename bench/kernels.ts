/**
 * Microbenchmarks of onnxruntime kernels and small graphs on the toy's and the image models' shapes:
 * the measurements behind docs/BENCHMARKS.md, "The floor on this machine". Not part of the library.
 *
 *   node --import tsx bench/kernels.ts gemm [--threads 2] [--rounds 6]    # product forms, [256,512]·[512,512]
 *   node --import tsx bench/kernels.ts rows [--threads 1,2]               # MatMul GFLOP/s by rows, K = N = 512
 *   node --import tsx bench/kernels.ts merge [--batches 3]                # products sharing a weight, merged
 *   node --import tsx bench/kernels.ts parallel [--rows 128] [--matmul-only]  # two chains: executors
 *   node --import tsx bench/kernels.ts col2im                             # ≤ 16-pixel input gradients
 *
 * Each variant is one session, created, warmed up, timed and released before the next: sessions
 * alive side by side each keep a spinning thread pool, and those pools fight over the two cores (an
 * interleaved comparison of live sessions measured that fight, not the kernels). Variants alternate
 * round by round; the figures are medians. Sessions use graph optimization level 'all' and spinning
 * intra-op threads, as the CLI's toy runs do.
 */
import { loadavg } from 'node:os';
import * as ort from 'onnxruntime-node';
import { encodeModel, ONNX_DTYPE, type AttrValue, type InitializerSpec, type NodeSpec } from '../src/backends/onnx/proto.js';
import { Rng } from '../src/tensor/random.js';

function flag(name: string, def: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] ?? def : def;
}
const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const f32 = ONNX_DTYPE.float32;
const node = (opType: string, inputs: string[], out: string | string[], attrs: Record<string, AttrValue> = {}, domain?: string): NodeSpec => ({
  opType,
  inputs,
  outputs: typeof out === 'string' ? [out] : out,
  attrs,
  ...(domain ? { domain } : {}),
});
const ints = (v: number[]): AttrValue => ({ ints: v });
const scalar = (name: string, v: number): InitializerSpec => ({ name, dtype: f32, dims: [], raw: new Uint8Array(new Float32Array([v]).buffer) });
const i64 = (name: string, v: number[]): InitializerSpec => ({ name, dtype: ONNX_DTYPE.int64, dims: [v.length], raw: new Uint8Array(new BigInt64Array(v.map(BigInt)).buffer) });
const rng = new Rng(1);
const randn = (dims: number[], scale = 1): ort.Tensor =>
  new ort.Tensor('float32', rng.normalArray(dims.reduce((a, b) => a * b, 1)).map((v) => v * scale), dims);

interface Variant {
  readonly label: string;
  readonly nodes: readonly NodeSpec[];
  /** Values for the graph inputs: every name the nodes read that no node or initializer gives (more may be held). */
  readonly feeds: Readonly<Record<string, ort.Tensor>>;
  readonly outputs: readonly (readonly [string, readonly number[]])[];
  readonly initializers?: readonly InitializerSpec[];
  readonly session?: Partial<ort.InferenceSession.SessionOptions>;
}

interface Timed {
  readonly times: number[];
  /** The first output of the last run. */
  out: Float32Array;
}

/** Times each variant `runs` times per round, one session at a time (see the header). */
async function timeVariants(variants: readonly Variant[], opts: { threads: number; rounds: number; runs: number }): Promise<Map<string, Timed>> {
  // Each variant's model and inputs, built once.
  const models = variants.map((v) => {
    const produced = new Set(v.nodes.flatMap((n) => n.outputs));
    const inits = (v.initializers ?? []).filter((i) => v.nodes.some((n) => n.inputs.includes(i.name)));
    const inputNames = [...new Set(v.nodes.flatMap((n) => n.inputs))].filter((x) => !produced.has(x) && !inits.some((i) => i.name === x));
    const bytes = encodeModel({
      nodes: v.nodes,
      initializers: inits,
      inputs: inputNames.map((name) => {
        const t = v.feeds[name];
        if (!t) throw new Error(`${v.label}: no feed for input '${name}'`);
        return { name, dtype: f32, dims: t.dims };
      }),
      outputs: v.outputs.map(([name, dims]) => ({ name, dtype: f32, dims })),
      opset: 18,
      extraOpsets: [{ domain: 'com.microsoft', version: 1 }],
    });
    return { bytes, feeds: Object.fromEntries(inputNames.map((name) => [name, v.feeds[name]!])) };
  });
  const result = new Map<string, Timed>();
  for (let r = 0; r < opts.rounds; r++) {
    for (const [k, v] of variants.entries()) {
      const { bytes, feeds } = models[k]!;
      const session = await ort.InferenceSession.create(bytes, {
        graphOptimizationLevel: 'all',
        intraOpNumThreads: opts.threads,
        executionMode: 'sequential',
        logSeverityLevel: 3,
        extra: { session: { 'intra_op.allow_spinning': '1' } },
        ...v.session,
      });
      const entry = result.get(v.label) ?? { times: [], out: new Float32Array() };
      for (let i = 0; i < 2; i++) entry.out = (await session.run(feeds))[v.outputs[0]![0]]!.data as Float32Array;
      for (let i = 0; i < opts.runs; i++) {
        const t0 = performance.now();
        await session.run(feeds);
        entry.times.push(performance.now() - t0);
      }
      result.set(v.label, entry);
      await session.release();
    }
  }
  return result;
}

const loadLine = (): string => `load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`;

/** A chain of `layers` steps, each `step(prev, l)` → nodes ending in `<prefix>p<l>`. */
function chain(layers: number, first: string, step: (prev: string, l: number) => NodeSpec[], prefix = ''): NodeSpec[] {
  const nodes: NodeSpec[] = [];
  let prev = first;
  for (let l = 0; l < layers; l++) {
    nodes.push(...step(prev, l));
    prev = `${prefix}p${l}`;
  }
  return nodes;
}

/**
 * The forms the toy's [256, 512]·[512, 512] products take after onnxruntime's fusions, as chains of
 * 30 layers: per layer one product (two for the weight-gradient forms, whose second product maps the
 * [512, 512] result back to [256, 512]).
 */
async function gemm(): Promise<void> {
  const [M, K, N, L] = [256, 512, 512, 30];
  const threads = Number(flag('threads', '2'));
  const w = (l: number): string => `w${l % 3}`;
  const feeds = {
    x: randn([M, K]),
    w0: randn([K, N], 1 / Math.sqrt(K)),
    w1: randn([K, N], 1 / Math.sqrt(K)),
    w2: randn([K, N], 1 / Math.sqrt(K)),
    b: randn([N]),
    g: randn([M, N], 1 / 16),
    x0: randn([M, K], 1 / 22),
  };
  const forms: [string, (p: string, l: number) => NodeSpec[]][] = [
    ['MatMul', (p, l) => [node('MatMul', [p, w(l)], `p${l}`)]],
    ['Gemm transB', (p, l) => [node('Gemm', [p, w(l)], `p${l}`, { transB: { int: 1 } })]],
    ['Gemm + bias', (p, l) => [node('Gemm', [p, w(l), 'b'], `p${l}`)]],
    ['MatMul, Add bias (fused: Gemm)', (p, l) => [node('MatMul', [p, w(l)], `q${l}`), node('Add', [`q${l}`, 'b'], `p${l}`)]],
    ['MatMul, Sum bias', (p, l) => [node('MatMul', [p, w(l)], `q${l}`), node('Sum', [`q${l}`, 'b'], `p${l}`)]],
    ['Gemm + bias, Relu (FusedGemm)', (p, l) => [node('Gemm', [p, w(l), 'b'], `q${l}`), node('Relu', [`q${l}`], `p${l}`)]],
    ['2 products: dW transA, no C', (p, l) => [node('FusedMatMul', [p, 'g'], `d${l}`, { transA: { int: 1 } }, 'com.microsoft'), node('MatMul', ['x0', `d${l}`], `p${l}`)]],
    ['2 products: dW transA + C', (p, l) => [node('Gemm', [p, 'g', w(l)], `d${l}`, { transA: { int: 1 } }), node('MatMul', ['x0', `d${l}`], `p${l}`)]],
    ['2 products: Transpose, dW + C', (p, l) => [node('Transpose', [p], `t${l}`, { perm: ints([1, 0]) }), node('Gemm', [`t${l}`, 'g', w(l)], `d${l}`), node('MatMul', ['x0', `d${l}`], `p${l}`)]],
  ];
  const variants = forms.map(([label, step]): Variant => ({ label, nodes: chain(L, 'x', step), feeds, outputs: [[`p${L - 1}`, [M, N]]] }));
  const res = await timeVariants(variants, { threads, rounds: Number(flag('rounds', '6')), runs: 8 });
  for (const [label, r] of res) console.log(`${label.padEnd(34)} ${((median(r.times) * 1000) / L).toFixed(0).padStart(5)} µs per layer`);
  console.log(`${threads} thread(s); ${loadLine()}`);
}

/** MatMul GFLOP/s by rows M at K = N = 512 (a chain of 30), at each thread count. */
async function rows(): Promise<void> {
  const [K, L] = [512, 30];
  const ws = { w0: randn([K, K], 1 / Math.sqrt(K)), w1: randn([K, K], 1 / Math.sqrt(K)), w2: randn([K, K], 1 / Math.sqrt(K)) };
  for (const threads of flag('threads', '1,2').split(',').map(Number)) {
    const line: string[] = [];
    for (const M of [64, 128, 256, 512, 768]) {
      const v: Variant = { label: `M ${M}`, nodes: chain(L, 'x', (p, l) => [node('MatMul', [p, `w${l % 3}`], `p${l}`)]), feeds: { ...ws, x: randn([M, K]) }, outputs: [[`p${L - 1}`, [M, K]]] };
      const r = (await timeVariants([v], { threads, rounds: 1, runs: 15 })).get(v.label)!;
      line.push(`M ${M}: ${((2 * M * K * K * L) / 1e9 / (median(r.times) / 1000)).toFixed(0)}`);
    }
    console.log(`${threads} thread(s), GFLOP/s: ${line.join(', ')}`);
  }
  console.log(loadLine());
}

/**
 * Products sharing a weight (the real, fake and interpolated batches through one layer): separate
 * [256, 512]·[512, 512] MatMuls, the rows concatenated and split around one MatMul, and one MatMul on
 * rows already together; 6 layers. Also whether the merged products are bit for bit the separate ones.
 */
async function merge(): Promise<void> {
  const B = Number(flag('batches', '3'));
  const L = 6;
  const threads = Number(flag('threads', '2'));
  const xs = Array.from({ length: B }, (_, j) => `x${j}`);
  const ws = Object.fromEntries(Array.from({ length: L }, (_, l) => [`w${l}`, randn([512, 512], 1 / 22.6)]));
  const feeds = { ...ws, ...Object.fromEntries(xs.map((x) => [x, randn([256, 512])])), xc: randn([256 * B, 512]) };
  const separate: NodeSpec[] = [];
  const merged: NodeSpec[] = [];
  const one: NodeSpec[] = [];
  for (let l = 0; l < L; l++) {
    for (let j = 0; j < B; j++) separate.push(node('MatMul', [l === 0 ? `x${j}` : `h${l - 1}_${j}`, `w${l}`], `h${l}_${j}`));
    merged.push(node('Concat', xs.map((_, j) => (l === 0 ? `x${j}` : `m${l - 1}_${j}`)), `c${l}`, { axis: { int: 0 } }));
    merged.push(node('MatMul', [`c${l}`, `w${l}`], `q${l}`));
    merged.push(node('Split', [`q${l}`], xs.map((_, j) => `m${l}_${j}`), { axis: { int: 0 }, num_outputs: { int: B } }));
    one.push(node('MatMul', [l === 0 ? 'xc' : `o${l - 1}`, `w${l}`], `o${l}`));
  }
  const variants: Variant[] = [
    { label: `${B} MatMuls per layer`, nodes: separate, feeds, outputs: xs.map((_, j) => [`h${L - 1}_${j}`, [256, 512]] as const) },
    { label: 'Concat, MatMul, Split', nodes: merged, feeds, outputs: xs.map((_, j) => [`m${L - 1}_${j}`, [256, 512]] as const) },
    { label: `one MatMul of ${256 * B} rows`, nodes: one, feeds, outputs: [[`o${L - 1}`, [256 * B, 512]]] },
  ];
  const res = await timeVariants(variants, { threads, rounds: Number(flag('rounds', '10')), runs: 3 });
  const gflop = (2 * 256 * B * 512 * 512 * L) / 1e9;
  for (const [label, r] of res) console.log(`${label.padEnd(26)} ${median(r.times).toFixed(2)} ms  ${(gflop / (median(r.times) / 1000)).toFixed(0)} GFLOP/s`);
  const [a, b] = [res.get(variants[0]!.label)!.out, res.get(variants[1]!.label)!.out];
  console.log(`first batch's output merged = separate, bit for bit: ${a.length === b.length && a.every((v, i) => v === b[i])}; ${threads} thread(s); ${loadLine()}`);
}

/**
 * Two independent chains (MatMul [rows, 512]·[512, 512], Relu, Mul, Add per layer; `--matmul-only`:
 * the MatMuls alone) in one graph: the sequential executor at 2 intra-op threads against onnxruntime's
 * parallel executor (2 inter-op threads of 1 intra-op thread), and one chain of twice the rows.
 */
async function parallel(): Promise<void> {
  const r = Number(flag('rows', '128'));
  const L = 30;
  const matmulOnly = process.argv.includes('--matmul-only');
  const ws = { w0: randn([512, 512], 1 / 16), w1: randn([512, 512], 1 / 16), w2: randn([512, 512], 1 / 16) };
  const chains = (k: number): NodeSpec[] =>
    Array.from({ length: k }, (_, c) => {
      const v = (name: string, l: number): string => `c${c}${name}${l}`;
      return [
        ...chain(
          L,
          `x${c}`,
          (p, l) =>
            matmulOnly
              ? [node('MatMul', [p, `w${l % 3}`], v('p', l))]
              : [node('MatMul', [p, `w${l % 3}`], v('q', l)), node('Relu', [v('q', l)], v('r', l)), node('Mul', [v('r', l), 's'], v('m', l)), node('Add', [v('m', l), v('r', l)], v('p', l))],
          `c${c}`,
        ),
        node('ReduceSum', [v('p', L - 1)], `y${c}`, { keepdims: { int: 0 } }),
      ];
    }).flat();
  const two = { ...ws, x0: randn([r, 512]), x1: randn([r, 512]) };
  const initializers = [scalar('s', -0.5)];
  const out2 = [['y0', []], ['y1', []]] as const;
  const variants: Variant[] = [
    { label: `2 chains of ${r} rows, sequential, 2 threads`, nodes: chains(2), feeds: two, outputs: out2, initializers },
    { label: `2 chains of ${r} rows, parallel 2 × 1`, nodes: chains(2), feeds: two, outputs: out2, initializers, session: { intraOpNumThreads: 1, interOpNumThreads: 2, executionMode: 'parallel', extra: { session: { 'intra_op.allow_spinning': '1', 'inter_op.allow_spinning': '1' } } } },
    { label: `1 chain of ${2 * r} rows, sequential, 2 threads`, nodes: chains(1), feeds: { ...ws, x0: randn([2 * r, 512]) }, outputs: [['y0', []]], initializers },
    { label: `1 chain of ${2 * r} rows, 1 thread`, nodes: chains(1), feeds: { ...ws, x0: randn([2 * r, 512]) }, outputs: [['y0', []]], initializers, session: { intraOpNumThreads: 1 } },
  ];
  const res = await timeVariants(variants, { threads: 2, rounds: Number(flag('rounds', '6')), runs: 5 });
  const gflop = (2 * 2 * r * 512 * 512 * L) / 1e9;
  for (const [label, t] of res) console.log(`${label.padEnd(44)} ${median(t.times).toFixed(2)} ms  ${(gflop / (median(t.times) / 1000)).toFixed(0)} GFLOP/s of products`);
  console.log(`${matmulOnly ? 'MatMuls only; ' : ''}${loadLine()}`);
}

/**
 * The ≤ 16-pixel input gradient (conv2d_input_grad) of MNIST's and the DCGAN's 4×4 layers: today's
 * lowering (src/backends/onnx/conv-lowering.ts: g·w, the columns transposed per image, a batched 2-D
 * Col2Im) against wᵀ·g, whose columns are already those of ONE 3-D Col2Im over the batch as depth
 * (kernel depth 1), and a Transpose of the smaller output; and that Col2Im alone.
 */
async function col2im(): Promise<void> {
  const threads = Number(flag('threads', '2'));
  const cases = [
    { name: 'mnist [50,256,4,4] → [50,128,7,7]', N: 50, O: 256, C: 128, H: 7 },
    { name: 'dcgan [64,512,4,4] → [64,256,8,8]', N: 64, O: 512, C: 256, H: 8 },
  ];
  const [k, s, p, Ho] = [5, 2, 2, 4];
  for (const { name, N, O, C, H } of cases) {
    const L = Ho * Ho;
    const ck = C * k * k;
    const initializers = [i64('sGn', [N * L, O]), i64('sW', [O, ck]), i64('sProd', [N, L, ck]), i64('img2', [H, H]), i64('blk2', [k, k]), i64('sGo', [O, N * L]), i64('sCols', [1, ck, N * L]), i64('img3', [N, H, H]), i64('blk3', [1, k, k]), i64('sCN', [C, N, H, H])];
    const col2im3 = [
      node('Col2Im', ['cols', 'img3', 'blk3'], 'y5', { pads: ints([0, p, p, 0, p, p]), strides: ints([1, s, s]), dilations: ints([1, 1, 1]) }),
      node('Reshape', ['y5', 'sCN'], 'ycn'),
      node('Transpose', ['ycn'], 'y', { perm: ints([1, 0, 2, 3]) }),
    ];
    const feeds = { g: randn([N, O, Ho, Ho]), w: randn([O, C, k, k]), cols: randn([1, ck, N * L]) };
    const out = [['y', [N, C, H, H]]] as const;
    const variants: Variant[] = [
      {
        label: 'today: g·w, Transpose, 2-D Col2Im',
        nodes: [
          node('Transpose', ['g'], 'gt', { perm: ints([0, 2, 3, 1]) }),
          node('Reshape', ['gt', 'sGn'], 'gn'),
          node('Reshape', ['w', 'sW'], 'w2'),
          node('MatMul', ['gn', 'w2'], 'pr'),
          node('Reshape', ['pr', 'sProd'], 'pr3'),
          node('Transpose', ['pr3'], 'cols2', { perm: ints([0, 2, 1]) }),
          node('Col2Im', ['cols2', 'img2', 'blk2'], 'y', { pads: ints([p, p, p, p]), strides: ints([s, s]), dilations: ints([1, 1]) }),
        ],
        feeds,
        outputs: out,
        initializers,
      },
      {
        label: 'wᵀ·g, 3-D Col2Im, Transpose',
        nodes: [
          node('Reshape', ['w', 'sW'], 'w2'),
          node('Transpose', ['w2'], 'wt', { perm: ints([1, 0]) }),
          node('Transpose', ['g'], 'gt', { perm: ints([1, 0, 2, 3]) }),
          node('Reshape', ['gt', 'sGo'], 'go'),
          node('MatMul', ['wt', 'go'], 'pr'),
          node('Reshape', ['pr', 'sCols'], 'cols'),
          ...col2im3,
        ],
        feeds,
        outputs: out,
        initializers,
      },
      { label: '3-D Col2Im, Transpose alone', nodes: col2im3, feeds, outputs: out, initializers },
    ];
    const res = await timeVariants(variants, { threads, rounds: Number(flag('rounds', '5')), runs: 8 });
    const [a, b] = [res.get(variants[0]!.label)!.out, res.get(variants[1]!.label)!.out];
    console.log(`${name}: ${[...res].map(([label, t]) => `${label} ${median(t.times).toFixed(2)} ms`).join('; ')}; 3-D = 2-D bit for bit: ${a.every((v, i) => v === b[i])}`);
  }
  console.log(`${threads} thread(s); ${loadLine()}`);
}

const commands: Record<string, () => Promise<void>> = { gemm, rows, merge, parallel, col2im };
const cmd = process.argv[2];
if (!cmd || !commands[cmd]) {
  console.error(`usage: kernels.ts ${Object.keys(commands).join('|')} [flags] (see the header)`);
  process.exit(1);
}
await commands[cmd]();
