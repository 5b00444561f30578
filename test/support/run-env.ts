/**
 * A RunEnv for tests of experiment kinds: onnxruntime-node on the CPU, messages collected in
 * `said`, command output in `written`.
 */
import type { BackendHints, RunEnv } from '../../src/app/experiment.js';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { ortBackend, type OrtBackend } from '../../src/node.js';
import { setBackend, type Backend } from '../../src/tensor/tensor.js';

export interface TestRunEnv extends RunEnv {
  readonly said: string[];
  readonly written: string[];
  /** The backend hints of each useBackend call, in order. */
  readonly hints: (BackendHints | undefined)[];
}

/**
 * `backend` (if given) is the backend every command uses, instead of a new onnxruntime-node backend.
 * @example const env = testRunEnv(() => backend); await trainRun(toyExperiment, config, dir, env);
 */
export function testRunEnv(backend?: () => Backend): TestRunEnv {
  const said: string[] = [];
  const written: string[] = [];
  const hints: (BackendHints | undefined)[] = [];
  return {
    said,
    written,
    hints,
    say: (t) => void said.push(t),
    write: (t) => void written.push(t),
    useBackend: async (threads, _device, h) => {
      hints.push(h);
      setBackend(backend ? backend() : ortBackend({ threads, ...h }));
    },
  };
}

/**
 * A test file's temporary folder: made before its tests, removed after.
 * @example const tmp = testFolder('wgan-gp-cli-'); it('...', () => join(tmp.root, 'run'));
 */
export function testFolder(prefix: string): { readonly root: string } {
  const fx = {} as { root: string };
  before(async () => {
    fx.root = await mkdtemp(join(tmpdir(), prefix));
  });
  after(async () => {
    await rm(fx.root, { recursive: true, force: true });
  });
  return fx;
}

/**
 * A test file's onnxruntime-node backend and temporary folder: set up before its tests, removed after.
 * @example const fx = testFixture('wgan-gp-trainer-'); it('...', () => join(fx.root, 'run'));
 */
export function testFixture(prefix: string, threads = 2): { readonly backend: OrtBackend; readonly root: string } {
  const folder = testFolder(prefix);
  const fx = {} as { backend: OrtBackend; readonly root: string };
  Object.defineProperty(fx, 'root', { get: () => folder.root });
  before(() => {
    fx.backend = ortBackend({ threads });
    setBackend(fx.backend);
  });
  after(async () => {
    await fx.backend.dispose();
  });
  return fx;
}
