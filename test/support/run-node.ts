/**
 * Runs a Node.js child process as a user runs a command (for the tests of the CLI and the tools).
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface NodeRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Spawns `node <args>` and collects its output; `onStderr` may act on the child (e.g. send a
 * signal) as its error output arrives.
 * @example const r = await runNode([BIN, 'train', '--help']);
 */
export function runNode(args: readonly string[], opts: { cwd?: string; onStderr?: (text: string, child: ChildProcess) => void } = {}): Promise<NodeRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], ...(opts.cwd ? { cwd: opts.cwd } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      opts.onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}
