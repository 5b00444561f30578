/**
 * The fault-injection suite's tools: the CLI run in-process (`main(argv, io)`, no process start per
 * case), checksums of every file under a folder before and after a case, and a table runner that
 * asserts, for each case, the exit code, that the message names the culprit, and that no earlier
 * file changed.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { Writable } from 'node:stream';
import { it } from 'node:test';
import { main } from '../../src/cli/main.js';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `wgan-gp ARGS` in this process and collects its output.
 * @example const r = await cli(['train', '--iters', '0x10']); r.code // 2
 */
export async function cli(args: readonly string[]): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const out = new Writable({ write: (c: Buffer, _e, cb) => ((stdout += c.toString()), cb()) });
  const err = Object.assign(new Writable({ write: (c: Buffer, _e, cb) => ((stderr += c.toString()), cb()) }), { isTTY: false, columns: 100 });
  const code = await main(['node', 'wgan-gp', ...args], { stdout: out, stderr: err as unknown as NodeJS.WriteStream });
  return { code, stdout, stderr };
}

/** Every entry under `root` (recursively) and its SHA-256 (files), link target (links) or 'folder'. */
export async function snapshot(root: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (d: string): Promise<void> => {
    for (const name of (await readdir(d)).sort()) {
      const p = join(d, name);
      const st = await lstat(p);
      const key = relative(root, p);
      if (st.isSymbolicLink()) out[key] = `link ${await readlink(p)}`;
      else if (st.isDirectory()) {
        out[key] = 'folder';
        await walk(p);
      } else if (st.isFile()) out[key] = createHash('sha256').update(await readFile(p)).digest('hex');
      else out[key] = 'special';
    }
  };
  await walk(root);
  return out;
}

/** One fault: the command line, what it must answer, and what it may create. */
export interface FaultCase {
  name: string;
  /** Prepares the case (files to break); runs before the "before" checksums. */
  setup?: () => Promise<void>;
  args: () => readonly string[];
  code: number;
  /** What stderr must say: the culprit (flag, field, file) and the problem. */
  message: RegExp;
  /** Entries (relative to the watched folder) the case may add or change, e.g. an output it writes. */
  mayChange?: readonly string[];
  /** Extra checks after the run. */
  after?: (r: CliResult) => Promise<void> | void;
}

/**
 * Registers one test per case: checksums of everything under `watch()` before and after must be
 * equal (except `mayChange`), the exit code and the message as declared. `prepare` runs first (e.g.
 * training a run the cases share).
 * @example faultCases(() => tmp.root, [{ name: '--iters 0x10', args: () => ['train', '--iters', '0x10'], code: 2, message: /--iters.*0x10/ }]);
 */
export function faultCases(watch: () => string, cases: readonly FaultCase[], prepare?: () => Promise<void>): void {
  for (const c of cases) {
    it(c.name, async () => {
      await prepare?.();
      await c.setup?.();
      const before = await snapshot(watch());
      const r = await cli(c.args());
      assert.equal(r.code, c.code, `exit code of ${c.args().join(' ')}\n${r.stderr}`);
      assert.match(r.stderr, c.message);
      assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+\)?\n/, 'no stack trace');
      const after = await snapshot(watch());
      const allowed = (k: string): boolean => (c.mayChange ?? []).some((m) => k === m || k.startsWith(`${m}/`));
      const strip = (s: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(s).filter(([k]) => !allowed(k)));
      assert.deepEqual(strip(after), strip(before), 'no earlier file changed, nothing left behind');
      await c.after?.(r);
    });
  }
}

/** Tiny toy networks: a run of a few iterations trains in well under a second. */
export const TINY = ['--hidden', '8', '--batch-size', '16', '--log-every', '2', '--eval-every', '2', '--eval-samples', '32', '--checkpoint-every', '2', '--threads', '1', '--progress', 'none'];
