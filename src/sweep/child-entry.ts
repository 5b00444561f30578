/**
 * How a trial's own process is started and what it runs with: the entry file of a child (the
 * TypeScript source through tsx when running from source, the compiled file otherwise), the
 * RunEnv of a trial (messages on stderr prefixed with the trial id, onnxruntime-node as the
 * backend), and the guard that ends a trial process whose parent died (kill -9 of a worker must
 * not leave an orphan training in a folder that another worker is about to resume).
 */
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { DeviceName } from '../app/common.js';
import type { BackendHints, RunEnv } from '../app/experiment.js';

/** A module of this folder as a child process entry: its path and the node flags it needs. */
export interface ChildEntry {
  path: string;
  execArgv: string[];
}

/**
 * The entry `name` (without extension) of src/sweep (or dist/sweep).
 * @example const { path, execArgv } = childEntry('trial-child'); fork(path, [], { execArgv });
 */
export function childEntry(name: string): ChildEntry {
  const fromSource = import.meta.url.endsWith('.ts');
  const path = fileURLToPath(new URL(`./${name}${fromSource ? '.ts' : '.js'}`, import.meta.url));
  // Not the debugger's or the test runner's flags (a test's child is no test).
  const execArgv = process.execArgv.filter((a) => !a.startsWith('--inspect') && !a.startsWith('--test'));
  const hasTsx = execArgv.some((a) => a.includes('tsx'));
  return { path, execArgv: fromSource && !hasTsx ? [...execArgv, '--import', import.meta.resolve('tsx')] : execArgv };
}

/** The variable naming the executor or worker process that started a trial process (results record it). */
export const WORKER_ENV = 'WGAN_GP_SWEEP_WORKER';

/** Who runs trials from this process: `host:pid`. */
export function workerName(): string {
  return `${hostname()}:${process.pid}`;
}

/** The RunEnv of a trial process: messages on stderr prefixed `[trial]`, nothing on stdout. */
export function trialEnv(trialId: string): RunEnv {
  return {
    say: (t) => void process.stderr.write(`[${trialId}] ${t}\n`),
    write: () => undefined,
    useBackend: async (threads: number, device: DeviceName, hints: BackendHints = {}) => {
      const { ortBackend, setBackend } = await import('../node.js');
      setBackend(ortBackend({ threads, device, ...hints }));
    },
  };
}

/** Ends this process at once when its parent goes (the IPC channel closes): its trial resumes elsewhere from the last checkpoint. */
export function exitWithParent(): void {
  process.once('disconnect', () => process.exit(137));
}
