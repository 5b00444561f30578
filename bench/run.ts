/**
 * Benchmarks our engine against PyTorch on the same machine, in the same run, interleaved.
 *
 *   npm run bench -- [workload ...] [--rounds 6] [--steps N] [--warmup N] [--seed 0]
 *                    [--ours t2s,t2,t1s,t1,t1x2,webgpu,webgpu-host] [--torch-threads 1,2] [--torch-device cuda]
 *                    [--no-torch] [--no-ceiling]
 *
 * Workloads are listed in bench/workloads.ts (`npm run bench -- --list`). Every round times
 * `steps` steps of each onnxruntime setting (`t<threads>` plus `s` for spinning threads, plus `x<n>`
 * for critic steps split into n data-parallel shards, one per thread: TrainerOptions.criticShards) and of
 * PyTorch at each thread count, alternating which side goes first; each side reports the median
 * over all its timed steps and is represented by its best setting. Steps, warm-up and settings
 * default to the workload's own (the image workloads: 1 warm-up step, ours t2,t1, PyTorch 1,2).
 *
 * Besides wall-clock time, each step's CPU time (whole process, all threads) is recorded: on a
 * shared machine it moves much less with the load than wall time, and at one thread it is the
 * step's cost (cpu_ratio: cheapest CPU ms of PyTorch ÷ ours). Before and after each workload's rounds the matmul ceiling is
 * measured (one 2048³ MatMul through onnxruntime at 1 and 2 threads, best kept) and the GFLOP/s of
 * both sides are reported against it. Peak RSS: ours over one trainer's set-up and warm-up
 * (/proc/self/clear_refs, then VmHWM), PyTorch's server process over the whole workload.
 *
 * On a GPU machine: `--ours webgpu` runs our steps on onnxruntime's WebGPU provider (parameters and
 * optimizer state kept in GPU memory; `webgpu-host`: copied to and from the host each step) and
 * `--torch-device cuda` PyTorch on CUDA (PyTorch >= 2.0; BENCH_PYTHON names the interpreter);
 * add --no-ceiling (the ceiling is a CPU figure). bench/webgpu-device.sh is the prepared run.
 *
 * The last line of the output is one JSON object with every figure (one per workload, or
 * {"results": [...]} for several).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { criticShardBackends, ortBackend, type OrtBackend } from '../src/node.js';
import { matmul } from '../src/ops/matmul.js';
import { Rng } from '../src/tensor/random.js';
import { realize, setBackend, tensor } from '../src/tensor/tensor.js';
import { TORCH_INSTALL_HINT, TorchServer, torchVersion } from './torch-client.js';
import { WORKLOADS, type Step, type Workload } from './workloads.js';

interface Args {
  filters: string[];
  rounds: number;
  /** undefined: each workload's own default (Workload.stepsPerRound, .warmup, .ours, .torchThreads). */
  steps: number | undefined;
  warmup: number | undefined;
  seed: number;
  ours: OrtSetting[] | undefined;
  torchThreads: number[] | undefined;
  /** PyTorch's device: 'cpu' or 'cuda'. */
  torchDevice: 'cpu' | 'cuda';
  torch: boolean;
  list: boolean;
  /** Measure the matmul ceiling (default true). */
  ceiling: boolean;
}

interface OrtSetting {
  readonly label: string;
  /** Threads of each session (of each shard's, with shards). */
  readonly threads: number;
  readonly spinning: boolean;
  readonly device: 'cpu' | 'webgpu';
  /** Data-parallel critic shards (TrainerOptions.criticShards); 1: none. */
  readonly shards: number;
  /** WebGPU: parameters and optimizer state kept in GPU memory between steps (OrtBackendOptions.resident). */
  readonly resident?: boolean;
}

function parseSetting(s: string): OrtSetting {
  if (s.trim() === 'webgpu') return { label: 'webgpu', threads: 1, spinning: false, device: 'webgpu', shards: 1, resident: true };
  if (s.trim() === 'webgpu-host') return { label: 'webgpu-host', threads: 1, spinning: false, device: 'webgpu', shards: 1, resident: false };
  const m = /^t(\d+)(s?)(?:x(\d+))?$/.exec(s.trim());
  if (!m || Number(m[3] ?? 2) < 2) {
    throw new Error(`--ours: settings look like t2s (2 threads, spinning), t1 (1 thread, no spinning), t1x2 (critic steps in 2 shards of 1 thread), webgpu or webgpu-host (state copied to and from the host each step), got '${s}'`);
  }
  return { label: s.trim(), threads: Number(m[1]), spinning: m[2] === 's', device: 'cpu', shards: m[3] ? Number(m[3]) : 1 };
}

/**
 * The onnxruntime backends of one setting: the default one (generator steps, updates; with shards,
 * as many threads as all shards together) and the critic shards' (the first on this thread, the
 * others in workers).
 */
function settingBackends(s: OrtSetting): { backend: OrtBackend; shards: OrtBackend[] } {
  if (s.device === 'webgpu') return { backend: ortBackend({ device: 'webgpu', resident: s.resident ?? true }), shards: [] };
  const o = { threads: s.threads, spinning: s.spinning };
  if (s.shards === 1) return { backend: ortBackend(o), shards: [] };
  return { backend: ortBackend({ ...o, threads: s.threads * s.shards }), shards: criticShardBackends(s.shards, o) };
}

function parseArgs(argv: readonly string[]): Args {
  const a: Args = {
    filters: [],
    rounds: 6,
    steps: undefined,
    warmup: undefined,
    seed: 0,
    ours: undefined,
    torchThreads: undefined,
    torchDevice: 'cpu',
    torch: true,
    list: false,
    ceiling: true,
  };
  const int = (flag: string, v: string | undefined, min: number): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) throw new Error(`${flag} needs an integer >= ${min}, got '${v ?? ''}'`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i]!;
    if (f === '--rounds') a.rounds = int(f, argv[++i], 1);
    else if (f === '--steps') a.steps = int(f, argv[++i], 1);
    else if (f === '--warmup') a.warmup = int(f, argv[++i], 0);
    else if (f === '--seed') a.seed = int(f, argv[++i], 0);
    else if (f === '--ours') a.ours = (argv[++i] ?? '').split(',').map(parseSetting);
    else if (f === '--torch-threads') a.torchThreads = (argv[++i] ?? '').split(',').map((s) => int(f, s, 1));
    else if (f === '--torch-device') {
      const d = argv[++i];
      if (d !== 'cpu' && d !== 'cuda') throw new Error(`--torch-device must be cpu or cuda, got '${d ?? ''}'`);
      a.torchDevice = d;
    } else if (f === '--no-torch') a.torch = false;
    else if (f === '--no-ceiling') a.ceiling = false;
    else if (f === '--list') a.list = true;
    else if (f.startsWith('--')) throw new Error(`unknown flag ${f} (see the header of bench/run.ts)`);
    else a.filters.push(f);
  }
  return a;
}

/** Exact names win; otherwise substring matches; no filter = every workload. */
function select(filters: readonly string[]): Workload[] {
  if (filters.length === 0) return [...WORKLOADS];
  const out = new Set<Workload>();
  for (const f of filters) {
    const exact = WORKLOADS.filter((w) => w.name === f);
    const hits = exact.length > 0 ? exact : WORKLOADS.filter((w) => w.name.includes(f));
    if (hits.length === 0) throw new Error(`no workload matches '${f}'; known: ${WORKLOADS.map((w) => w.name).join(', ')}`);
    hits.forEach((w) => out.add(w));
  }
  return [...out];
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
};
const quantile = (xs: readonly number[], q: number): number => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))]!;
};
const round = (x: number, d = 2): number => Number(x.toFixed(d));

/** Wall-clock and CPU milliseconds of each step. */
interface StepTimes {
  wall: number[];
  /** CPU time of the whole process (every thread: onnxruntime's pool and JavaScript) per step. */
  cpu: number[];
}

async function timeSteps(step: Step, n: number): Promise<StepTimes> {
  const out: StepTimes = { wall: [], cpu: [] };
  for (let i = 0; i < n; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    await step();
    out.wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    out.cpu.push((c.user + c.system) / 1000);
  }
  return out;
}

/** onnxruntime-node's version, as node resolves the package (also from a bundle of this file). */
function ortVersion(): string {
  try {
    const path = createRequire(import.meta.url).resolve('onnxruntime-node/package.json');
    return (JSON.parse(readFileSync(path, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/**
 * Resets this process's peak-RSS mark (Linux: writing 5 to /proc/self/clear_refs sets VmHWM to the
 * current RSS), so that {@link peakRssMb} reports the peak of what follows. False where unsupported.
 */
function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** This process's peak RSS in MB since the last {@link resetPeakRss} (VmHWM), else since it started. */
function peakRssMb(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) / 1024;
  } catch {
    // not Linux
  }
  return process.resourceUsage().maxRSS / 1024;
}

/** This process's current RSS in MB. */
function rssMb(): number {
  return process.memoryUsage().rss / 2 ** 20;
}

/** The machine's matmul ceiling: onnxruntime's best time for one float32 [n, n] × [n, n] product. */
interface Ceiling {
  readonly gflops: number;
  readonly setting: string;
  readonly bySetting: Record<string, number>;
  /** FLOPs per CPU-second at one thread (GFLOP/s of one busy core): the load-robust ceiling. */
  readonly cpuGflops: number;
}

const CEILING_N = 2048;

/**
 * Times one MatMul of two fed 2048×2048 float32 matrices (a one-node ONNX session, through our
 * backend: the same onnxruntime kernels the steps use) at 1 and 2 threads; median of `runs` runs
 * after one warm-up, best setting. The feed/fetch copies (48 MB) are included: ~1% of the time.
 */
async function measureCeiling(runs = 5): Promise<Ceiling> {
  const n = CEILING_N;
  const rng = new Rng(1);
  const a = rng.uniformArray(n * n, -1, 1);
  const b = rng.uniformArray(n * n, -1, 1);
  const flops = 2 * n * n * n;
  const bySetting: Record<string, number> = {};
  let cpuGflops = 0;
  for (const s of ['t1', 't2'].map(parseSetting)) {
    const backend = ortBackend({ threads: s.threads, spinning: s.spinning });
    const times: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i <= runs; i++) {
      const c = matmul(tensor(a, [n, n]), tensor(b, [n, n]));
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await realize([c], backend);
      const dc = process.cpuUsage(c0);
      if (i > 0) {
        times.push(performance.now() - t0);
        cpu.push((dc.user + dc.system) / 1000);
      }
    }
    await backend.dispose?.();
    bySetting[s.label] = round(flops / (median(times) * 1e-3) / 1e9, 1);
    if (s.threads === 1) cpuGflops = round(flops / (median(cpu) * 1e-3) / 1e9, 1);
  }
  const best = Object.entries(bySetting).sort((x, y) => y[1] - x[1])[0]!;
  return { gflops: best[1], setting: best[0], bySetting, cpuGflops };
}

interface OursRun {
  setting: OrtSetting;
  backend: OrtBackend;
  /** The critic shards' backends (t1x2 and the like), else empty. */
  shards: OrtBackend[];
  step: Step;
  times: number[];
  cpu: number[];
}

async function benchWorkload(w: Workload, args: Args, torch: string | null): Promise<Record<string, unknown>> {
  const steps = args.steps ?? w.stepsPerRound;
  const warmup = args.warmup ?? w.warmup ?? 3;
  const settings = args.ours ?? (w.ours ?? ['t2s', 't2', 't1s', 't1']).map(parseSetting);
  const torchThreads = args.torchThreads ?? [...(w.torchThreads ?? [1, 2])];
  const load0 = loadavg();
  console.log(`\n== ${w.name}: ${w.description}`);
  console.log(`   ${(w.flops / 1e9).toFixed(3)} GFLOP per step; ${args.rounds} rounds × ${steps} steps per setting, interleaved; warm-up ${warmup}`);

  // Ours: one backend (one session cache) and one freshly initialised trainer per setting. The peak
  // RSS is measured over the first setting's set-up and warm-up: one trainer, its sessions, a step
  // (in a process that already holds node, onnxruntime and what earlier workloads left: rss before).
  const oursRssBase = rssMb();
  const rssReset = resetPeakRss();
  let oursRss = 0;
  const ours: OursRun[] = [];
  for (const setting of settings) {
    const { backend, shards } = settingBackends(setting);
    setBackend(backend);
    const step = w.setup(args.seed, shards.length > 0 ? { criticShards: shards } : {});
    await timeSteps(step, Math.max(1, warmup)); // the first call builds and compiles the sessions: never timed
    if (ours.length === 0) oursRss = peakRssMb();
    ours.push({ setting, backend, shards, step, times: [], cpu: [] });
  }
  if (!rssReset) oursRss = peakRssMb(); // the whole process so far

  let server: TorchServer | null = null;
  const torchTimes = new Map<number, number[]>(torchThreads.map((t) => [t, []]));
  const torchCpu = new Map<number, number[]>(torchThreads.map((t) => [t, []]));
  if (torch) {
    server = new TorchServer();
    await server.setup(w.torch, args.seed, torchThreads[0]!, args.torchDevice);
    for (const t of torchThreads) if (warmup > 0) await server.run(t, warmup);
  }

  const ceilings: Ceiling[] = [];
  if (args.ceiling) {
    ceilings.push(await measureCeiling());
    console.log(`   matmul ceiling (${CEILING_N}³, onnxruntime): ${JSON.stringify(ceilings[0]!.bySetting)} GFLOP/s; ${ceilings[0]!.cpuGflops} GFLOP per CPU-second at 1 thread`);
  }

  for (let r = 0; r < args.rounds; r++) {
    const runOurs = async (): Promise<void> => {
      for (const o of ours) {
        setBackend(o.backend);
        const t = await timeSteps(o.step, steps);
        o.times.push(...t.wall);
        o.cpu.push(...t.cpu);
      }
    };
    const runTorch = async (): Promise<void> => {
      if (!server) return;
      for (const t of torchThreads) {
        const r = await server.run(t, steps);
        torchTimes.get(t)!.push(...r.wall);
        torchCpu.get(t)!.push(...r.cpu);
      }
    };
    if (r % 2 === 0) {
      await runOurs();
      await runTorch();
    } else {
      await runTorch();
      await runOurs();
    }
    if (process.stdout.isTTY) process.stdout.write(`   round ${r + 1}/${args.rounds} done\r`);
  }
  const torchRss = server ? await server.peakRssMb() : null;
  server?.close();
  for (const o of ours) for (const b of [o.backend, ...o.shards]) await b.dispose?.();

  if (args.ceiling) {
    ceilings.push(await measureCeiling());
    console.log(`   matmul ceiling after the rounds: ${JSON.stringify(ceilings[1]!.bySetting)} GFLOP/s; ${ceilings[1]!.cpuGflops} GFLOP per CPU-second at 1 thread`);
  }
  const ceiling = ceilings.length > 0 ? ceilings.reduce((b, c) => (c.gflops > b.gflops ? c : b)) : null;
  const cpuCeiling = ceilings.length > 0 ? Math.max(...ceilings.map((c) => c.cpuGflops)) : null;

  const gflops = (ms: number): number => w.flops / (ms * 1e-3) / 1e9;
  const pct = (ms: number): string => (ceiling ? `${((100 * gflops(ms)) / ceiling.gflops).toFixed(1)}%` : '');
  const rows: string[][] = [['engine', 'setting', 'median ms', 'p10-p90 ms', 'CPU ms', 'GFLOP/s', '% ceiling', 'sessions']];
  const oursMedian: Record<string, number> = {};
  const oursCpu: Record<string, number> = {};
  for (const o of ours) {
    const m = median(o.times);
    oursMedian[o.setting.label] = round(m);
    oursCpu[o.setting.label] = round(median(o.cpu));
    rows.push([
      `ours (onnxruntime ${ortVersion()})`,
      o.setting.device === 'webgpu'
        ? `WebGPU, state ${o.setting.resident === false ? 'on host' : 'on GPU'}`
        : `${o.setting.shards > 1 ? `critic in ${o.setting.shards} shards of ` : ''}${o.setting.threads} thread${o.setting.threads > 1 ? 's' : ''}, spinning ${o.setting.spinning ? 'on' : 'off'}`,
      m.toFixed(2),
      `${quantile(o.times, 0.1).toFixed(1)}-${quantile(o.times, 0.9).toFixed(1)}`,
      median(o.cpu).toFixed(0),
      gflops(m).toFixed(1),
      pct(m),
      String(o.backend.sessionsCreated),
    ]);
  }
  const torchMedian: Record<string, number> = {};
  const torchCpuMedian: Record<string, number> = {};
  for (const [t, times] of torchTimes) {
    if (times.length === 0) continue;
    const m = median(times);
    const cpu = torchCpu.get(t)!;
    torchMedian[String(t)] = round(m);
    if (cpu.length > 0) torchCpuMedian[String(t)] = round(median(cpu));
    rows.push([
      `PyTorch ${torch}`,
      args.torchDevice === 'cuda' ? `CUDA (${t} CPU thread${t > 1 ? 's' : ''})` : `${t} thread${t > 1 ? 's' : ''}`,
      m.toFixed(2),
      `${quantile(times, 0.1).toFixed(1)}-${quantile(times, 0.9).toFixed(1)}`,
      cpu.length > 0 ? median(cpu).toFixed(0) : '',
      gflops(m).toFixed(1),
      pct(m),
      '',
    ]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  for (const row of rows) console.log(`   ${row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')}`);

  const bestOurs = ours.reduce((b, o) => (median(o.times) < median(b.times) ? o : b));
  const oursMs = median(bestOurs.times);
  const torchEntries = Object.entries(torchMedian).sort((x, y) => x[1] - y[1]);
  const torchMs = torchEntries.length > 0 ? torchEntries[0]![1] : null;
  const ofCeiling = (ms: number | null): number | null => (ceiling && ms !== null ? round((100 * gflops(ms)) / ceiling.gflops, 1) : null);

  // CPU time: the cheapest setting of each side (the work a step costs, whatever the load).
  const minOf = (r: Record<string, number>): number | null => (Object.keys(r).length > 0 ? Math.min(...Object.values(r)) : null);
  const oursCpuBest = minOf(oursCpu);
  const torchCpuBest = minOf(torchCpuMedian);

  const result: Record<string, unknown> = {
    workload: w.name,
    ours_ms: round(oursMs),
    ours_setting: bestOurs.setting.label,
    torch_ms: torchMs,
    torch_threads: torchEntries.length > 0 ? Number(torchEntries[0]![0]) : null,
    torch_device: args.torchDevice,
    ratio: torchMs !== null ? round(torchMs / oursMs, 3) : null,
    ours_gflops: round(gflops(oursMs), 1),
    torch_gflops: torchMs !== null ? round(gflops(torchMs), 1) : null,
    gflop_per_step: round(w.flops / 1e9, 4),
    ceiling_gflops: ceiling?.gflops ?? null,
    ceiling_setting: ceiling?.setting ?? null,
    ceiling_by_setting: ceilings.map((c) => c.bySetting),
    ours_pct_of_ceiling: ofCeiling(oursMs),
    torch_pct_of_ceiling: ofCeiling(torchMs),
    ours_peak_rss_mb: round(oursRss, 1),
    ours_rss_before_mb: round(oursRssBase, 1),
    torch_peak_rss_mb: torchRss === null ? null : round(torchRss, 1),
    ours_by_setting: oursMedian,
    torch_by_threads: torchMedian,
    ours_cpu_ms_by_setting: oursCpu,
    torch_cpu_ms_by_threads: torchCpuMedian,
    cpu_ratio_1_thread: oursCpu.t1 !== undefined && torchCpuMedian['1'] !== undefined ? round(torchCpuMedian['1'] / oursCpu.t1, 3) : null,
    cpu_ratio: oursCpuBest !== null && torchCpuBest !== null ? round(torchCpuBest / oursCpuBest, 3) : null,
    ours_gflop_per_cpu_s: oursCpuBest !== null ? round(gflops(oursCpuBest), 1) : null,
    torch_gflop_per_cpu_s: torchCpuBest !== null ? round(gflops(torchCpuBest), 1) : null,
    ceiling_gflop_per_cpu_s: cpuCeiling,
    ours_pct_of_ceiling_cpu: oursCpuBest !== null && cpuCeiling ? round((100 * gflops(oursCpuBest)) / cpuCeiling, 1) : null,
    torch_pct_of_ceiling_cpu: torchCpuBest !== null && cpuCeiling ? round((100 * gflops(torchCpuBest)) / cpuCeiling, 1) : null,
    rounds: args.rounds,
    steps_per_round: steps,
    warmup,
    loadavg_before: load0.map((x) => round(x)),
    loadavg_after: loadavg().map((x) => round(x)),
  };
  if (result.ratio !== null) {
    console.log(`   best: ours ${oursMs.toFixed(2)} ms (${bestOurs.setting.label}) vs PyTorch ${String(torchMs)} ms (${args.torchDevice === 'cuda' ? 'CUDA' : `${String(result.torch_threads)} threads`}): ${String(result.ratio)}× faster`);
  }
  if (oursCpuBest !== null && torchCpuBest !== null) {
    console.log(`   CPU time per step (cheapest setting): ours ${oursCpuBest.toFixed(0)} ms vs PyTorch ${torchCpuBest.toFixed(0)} ms: ${String(result.cpu_ratio)}× less work`);
  }
  if (cpuCeiling) console.log(`   GFLOP per CPU-second against the 1-thread matmul's ${cpuCeiling}: ours ${String(result.ours_pct_of_ceiling_cpu)}%${torchCpuBest !== null ? `, PyTorch ${String(result.torch_pct_of_ceiling_cpu)}%` : ''}`);
  if (ceiling) console.log(`   of the matmul ceiling (${ceiling.gflops} GFLOP/s, ${ceiling.setting}): ours ${String(result.ours_pct_of_ceiling)}%${torchMs !== null ? `, PyTorch ${String(result.torch_pct_of_ceiling)}%` : ''}`);
  console.log(
    `   peak RSS: ours ${oursRss.toFixed(0)} MB (${rssReset ? `node process during one trainer's set-up and warm-up; ${oursRssBase.toFixed(0)} MB before` : 'whole node process'})${torchRss === null ? '' : `, PyTorch ${torchRss.toFixed(0)} MB (its server process)`}`,
  );
  return result;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  if (args.list) {
    for (const w of WORKLOADS) console.log(`${w.name.padEnd(28)} ${(w.flops / 1e9).toFixed(3).padStart(9)} GFLOP  ${w.description}`);
    return;
  }
  const workloads = select(args.filters);
  const torch = args.torch ? torchVersion() : null;
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(`machine: ${cpu}, ${cpus().length} cores; node ${process.version}; onnxruntime-node ${ortVersion()}; PyTorch ${torch ?? 'not used'}`);
  console.log(`command: npm run bench -- ${process.argv.slice(2).join(' ')}`);
  if (args.torch && torch === null) {
    console.log(`PyTorch is not importable by ${process.env.BENCH_PYTHON ?? '/usr/bin/python3'}; reporting ours only. To compare, install it with:\n  ${TORCH_INSTALL_HINT}`);
  }
  const results: Record<string, unknown>[] = [];
  for (const w of workloads) {
    const r = await benchWorkload(w, args, torch);
    results.push({ ...r, machine: `${cpu} x${cpus().length}`, node: process.version, onnxruntime: ortVersion(), torch });
  }
  console.log(JSON.stringify(results.length === 1 ? results[0] : { results }));
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exit(1);
});
