/**
 * A RunEnv for tests of experiment kinds: onnxruntime-node on the CPU, messages collected in
 * `said`, command output in `written`.
 */
import type { RunEnv } from '../../src/app/experiment.js';
import { ortBackend } from '../../src/node.js';
import { setBackend, type Backend } from '../../src/tensor/tensor.js';

export interface TestRunEnv extends RunEnv {
  readonly said: string[];
  readonly written: string[];
}

/**
 * `backend` (if given) is the backend every command uses, instead of a new onnxruntime-node backend.
 * @example const env = testRunEnv(() => backend); await trainRun(toyExperiment, config, dir, env);
 */
export function testRunEnv(backend?: () => Backend): TestRunEnv {
  const said: string[] = [];
  const written: string[] = [];
  return {
    said,
    written,
    say: (t) => void said.push(t),
    write: (t) => void written.push(t),
    useBackend: async (threads) => setBackend(backend ? backend() : ortBackend({ threads })),
  };
}
