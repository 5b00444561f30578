/**
 * Drives bench/torch_bench.py in its `--serve` mode: one long-lived Python process per workload,
 * so PyTorch's import and warm-up happen once and its rounds interleave with ours.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const PYTHON = process.env.BENCH_PYTHON ?? '/usr/bin/python3';
export const TORCH_INSTALL_HINT = 'apt-get install python3-torch libopenblas0-pthread   (Debian; PyTorch 1.13, used only for comparison)';
const SCRIPT = fileURLToPath(new URL('./torch_bench.py', import.meta.url));

/** PyTorch's version when `PYTHON` can import torch, else null. */
export function torchVersion(): string | null {
  const r = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
}

export class TorchServer {
  private readonly proc: ChildProcessWithoutNullStreams;
  private readonly lines: Interface;
  private readonly pending: ((line: string) => void)[] = [];
  private stderr = '';

  constructor() {
    this.proc = spawn(PYTHON, [SCRIPT, '--serve'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.lines = createInterface({ input: this.proc.stdout });
    this.lines.on('line', (line) => this.pending.shift()?.(line));
    this.proc.on('exit', (code) => {
      for (const p of this.pending.splice(0)) p(JSON.stringify({ error: `torch_bench.py exited (${code}): ${this.stderr.slice(-2000)}` }));
    });
  }

  /** Sends one command and waits for its JSON reply; throws on an error reply. */
  async call<T>(cmd: Record<string, unknown>): Promise<T> {
    const reply = new Promise<string>((resolve) => this.pending.push(resolve));
    this.proc.stdin.write(`${JSON.stringify(cmd)}\n`);
    const obj = JSON.parse(await reply) as T & { error?: string };
    if (obj.error) throw new Error(obj.error);
    return obj;
  }

  setup(workload: string, seed: number, threads: number, device: 'cpu' | 'cuda' = 'cpu'): Promise<{ torch: string; device: string }> {
    return this.call({ cmd: 'setup', workload, seed, threads, device });
  }

  /** Times `steps` steps at `threads` threads: per-step wall-clock and process CPU milliseconds. */
  async run(threads: number, steps: number): Promise<{ wall: number[]; cpu: number[] }> {
    const r = await this.call<{ times_ms: number[]; cpu_ms?: number[] }>({ cmd: 'run', threads, steps });
    return { wall: r.times_ms, cpu: r.cpu_ms ?? [] };
  }

  async peakRssMb(): Promise<number> {
    return (await this.call<{ peak_rss_mb: number }>({ cmd: 'rss' })).peak_rss_mb;
  }

  close(): void {
    this.proc.stdin.end(`${JSON.stringify({ cmd: 'quit' })}\n`);
    this.lines.close();
  }
}
