/**
 * Checkpoints of a {@link Trainer}: every parameter and optimizer slot in one safetensors file, and a
 * JSON manifest with the iteration, the optimizers' step counters and learning rates, the random
 * streams' states, the data position and whatever the caller adds (config, logging accumulators).
 *
 * Both files are written atomically (temp file + rename), the weights first, then the manifest that
 * names them, so an interruption at any moment leaves the previous checkpoint intact. The manifest
 * records the weights' size and SHA-256, so a damaged file is detected instead of silently loaded.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic-file.js';
import { entryProblems, moduleTensors, optimizerTensors, tensorEntries } from '../io/module-io.js';
import { decodeSafetensors, encodeSafetensors } from '../io/safetensors.js';
import { toHost, type Tensor } from '../tensor/tensor.js';
import type { Trainer, TrainerState } from './trainer.js';

export const CHECKPOINT_FORMAT = 'wgan-gp-checkpoint';
export const CHECKPOINT_VERSION = 1;
/** The manifest's file name inside a checkpoint folder. */
export const MANIFEST_NAME = 'checkpoint.json';

/** A missing, damaged or mismatched checkpoint; the message names the file and the problem. */
export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

export interface OptimizerManifest {
  kind: string;
  step: number;
  lr: number;
}

/** The JSON manifest of a checkpoint. */
export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  iteration: number;
  createdAt: string;
  /** The weights file, relative to the manifest's folder. */
  weights: string;
  weightsBytes: number;
  weightsSha256: string;
  trainer: TrainerState;
  optimizers: { generator: OptimizerManifest; critic: OptimizerManifest };
  /** Caller data (the run's config, logging accumulators, elapsed time). */
  extra: Record<string, unknown>;
}

/** A checkpoint read from disk and validated, not yet applied. */
export interface LoadedCheckpoint {
  manifest: CheckpointManifest;
  tensors: Record<string, { shape: readonly number[]; data: Float32Array }>;
}

/**
 * Every tensor a checkpoint holds, by name: `generator.<param>`, `critic.<param>`,
 * `optim.generator.<slot>.<param>`, `optim.critic.<slot>.<param>`.
 */
export function checkpointTensors(trainer: Trainer): Record<string, Tensor> {
  return {
    ...moduleTensors(trainer.generator, 'generator.'),
    ...moduleTensors(trainer.critic, 'critic.'),
    ...optimizerTensors(trainer.generatorOptimizer, 'optim.generator.'),
    ...optimizerTensors(trainer.criticOptimizer, 'optim.critic.'),
  };
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Writes a checkpoint of `trainer` into folder `dir` (created if needed): `weights-<iteration>.safetensors`
 * then `checkpoint.json`; older weights files in `dir` are removed afterwards. Returns the manifest path.
 * @example await saveCheckpoint('runs/a/checkpoints', trainer, { config });
 */
export async function saveCheckpoint(dir: string, trainer: Trainer, extra: Record<string, unknown> = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  const tensors = checkpointTensors(trainer);
  await toHost(Object.values(tensors)); // parameters and optimizer state kept on a GPU
  const iteration = trainer.iteration;
  const bytes = encodeSafetensors(tensorEntries(tensors, 'F32'), { format: CHECKPOINT_FORMAT, iteration: String(iteration) });
  const weights = `weights-${String(iteration).padStart(7, '0')}.safetensors`;
  await writeFileAtomic(join(dir, weights), bytes);
  const optManifest = (o: Trainer['generatorOptimizer']): OptimizerManifest => ({ kind: o.kind, step: o.stepCount, lr: o.lr });
  const manifest: CheckpointManifest = {
    format: CHECKPOINT_FORMAT,
    version: CHECKPOINT_VERSION,
    iteration,
    createdAt: new Date().toISOString(),
    weights,
    weightsBytes: bytes.length,
    weightsSha256: sha256(bytes),
    trainer: trainer.state(),
    optimizers: { generator: optManifest(trainer.generatorOptimizer), critic: optManifest(trainer.criticOptimizer) },
    extra,
  };
  const manifestPath = join(dir, MANIFEST_NAME);
  await writeJsonAtomic(manifestPath, manifest);
  // Only now is the previous checkpoint superseded: remove its weights.
  for (const f of await readdir(dir)) {
    if (f !== weights && /^weights-\d+\.safetensors$/.test(f)) await rm(join(dir, f), { force: true });
  }
  return manifestPath;
}

/** True when `dir` holds a checkpoint manifest. */
export async function hasCheckpoint(dir: string): Promise<boolean> {
  return stat(join(dir, MANIFEST_NAME)).then(
    (s) => s.isFile(),
    () => false,
  );
}

/**
 * Reads and validates the checkpoint in `dir`: manifest fields, weights size and SHA-256, and the
 * safetensors structure. Throws a {@link CheckpointError} that says what is wrong.
 * @example const ckpt = await loadCheckpoint('runs/a/checkpoints'); applyCheckpoint(trainer, ckpt);
 */
export async function loadCheckpoint(dir: string): Promise<LoadedCheckpoint> {
  const manifestPath = join(dir, MANIFEST_NAME);
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CheckpointError(code === 'ENOENT' ? `no checkpoint: '${manifestPath}' does not exist` : `cannot read '${manifestPath}': ${(e as Error).message}`);
  }
  let m: CheckpointManifest;
  try {
    m = JSON.parse(text) as CheckpointManifest;
  } catch (e) {
    throw new CheckpointError(`corrupted checkpoint: '${manifestPath}' is not valid JSON (${(e as Error).message})`);
  }
  const bad = (what: string): never => {
    throw new CheckpointError(`corrupted checkpoint: '${manifestPath}' ${what}`);
  };
  if (typeof m !== 'object' || m === null || m.format !== CHECKPOINT_FORMAT) bad(`is not a ${CHECKPOINT_FORMAT} manifest`);
  if (m.version !== CHECKPOINT_VERSION) bad(`has version ${String(m.version)}, this program reads version ${CHECKPOINT_VERSION}`);
  if (!Number.isInteger(m.iteration) || m.iteration < 0) bad('has no valid iteration');
  if (typeof m.weights !== 'string' || basename(m.weights) !== m.weights) bad('names no valid weights file');
  if (typeof m.weightsSha256 !== 'string' || !Number.isInteger(m.weightsBytes)) bad('has no weights checksum');
  const t = m.trainer;
  const isRng = (r: unknown): boolean => Array.isArray(r) && r.length === 4 && r.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32);
  if (!t || t.iteration !== m.iteration || !t.rng || !isRng(t.rng.data) || !isRng(t.rng.noise) || !isRng(t.rng.eps)) bad('has no valid trainer state');
  for (const k of ['generator', 'critic'] as const) {
    const o = m.optimizers?.[k];
    if (!o || !Number.isInteger(o.step) || o.step < 0 || !(typeof o.lr === 'number' && o.lr >= 0)) bad(`has no valid ${k} optimizer state`);
  }
  if (typeof m.extra !== 'object' || m.extra === null) bad('has no extra section');

  const weightsPath = join(dir, m.weights);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(weightsPath);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CheckpointError(code === 'ENOENT' ? `incomplete checkpoint: weights file '${weightsPath}' is missing` : `cannot read '${weightsPath}': ${(e as Error).message}`);
  }
  if (bytes.length !== m.weightsBytes || sha256(bytes) !== m.weightsSha256) {
    throw new CheckpointError(`corrupted checkpoint: '${weightsPath}' does not match the checksum in '${manifestPath}' (${bytes.length} bytes, expected ${m.weightsBytes})`);
  }
  let decoded;
  try {
    decoded = decodeSafetensors(bytes, weightsPath);
  } catch (e) {
    throw new CheckpointError(`corrupted checkpoint: ${(e as Error).message}`);
  }
  const tensors: LoadedCheckpoint['tensors'] = {};
  for (const [name, e] of Object.entries(decoded.tensors)) {
    if (e.dtype !== 'F32' || !(e.data instanceof Float32Array)) throw new CheckpointError(`corrupted checkpoint: tensor '${name}' in '${weightsPath}' is ${e.dtype}, expected F32`);
    tensors[name] = { shape: e.shape, data: e.data };
  }
  return { manifest: m, tensors };
}

/**
 * Restores parameters, optimizer slots and counters, random streams and data position from a loaded
 * checkpoint. Checks that every tensor exists with the right shape first, so a checkpoint of another
 * architecture is refused before anything changes.
 */
export function applyCheckpoint(trainer: Trainer, ckpt: LoadedCheckpoint): void {
  const targets = checkpointTensors(trainer);
  const problems = entryProblems(ckpt.tensors, targets);
  if (problems.length > 0) {
    const more = problems.length > 5 ? ` (and ${problems.length - 5} more)` : '';
    throw new CheckpointError(`checkpoint does not match the model: ${problems.slice(0, 5).join('; ')}${more}`);
  }
  for (const [name, t] of Object.entries(targets)) t.assignData(ckpt.tensors[name]!.data);
  const { generator, critic } = ckpt.manifest.optimizers;
  restoreCounters(trainer.generatorOptimizer, generator);
  restoreCounters(trainer.criticOptimizer, critic);
  trainer.loadState(ckpt.manifest.trainer);
}

function restoreCounters(opt: Trainer['generatorOptimizer'], m: OptimizerManifest): void {
  // The slots were assigned above; loadState with the live slot tensors restores step and lr.
  opt.loadState({ step: m.step, lr: m.lr, slots: opt.state().slots });
}
