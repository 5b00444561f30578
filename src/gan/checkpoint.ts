/**
 * Checkpoints of a {@link Trainer}: every parameter and optimizer slot in one safetensors file, and a
 * JSON manifest with the iteration, the optimizers' step counters and learning rates, the random
 * streams' states, the data position and whatever the caller adds (config, logging accumulators).
 *
 * Both files are written atomically (temp file + rename), the weights first, then the manifest that
 * names them, so an interruption at any moment leaves the previous checkpoint intact. The manifest
 * records the weights' size and SHA-256, so a damaged file is detected instead of silently loaded.
 *
 * Version 2 manifests also carry `manifestSha256`, the SHA-256 of the manifest's own JSON without
 * that field, so an edited or damaged manifest (iteration, learning rates, random streams, data
 * cursor, elapsed time) is detected too; every field is checked on load. Version 1 manifests
 * (written before) still load, with their fields checked but no manifest checksum.
 * No checkpoint holding a NaN or an infinity is written unless the caller asks for it.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { writeFileAtomic, writeJsonAtomic } from '../io/atomic-file.js';
import { entryProblems, moduleTensors, optimizerTensors, tensorEntries } from '../io/module-io.js';
import { readRegularFile } from '../io/safe-fs.js';
import { decodeSafetensors, encodeSafetensors } from '../io/safetensors.js';
import { toHost, type Tensor } from '../tensor/tensor.js';
import type { Trainer, TrainerState } from './trainer.js';

export const CHECKPOINT_FORMAT = 'wgan-gp-checkpoint';
export const CHECKPOINT_VERSION = 2;
/** Versions this program reads (1: no manifest checksum). */
const READABLE_VERSIONS = [1, 2];
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
  /** SHA-256 of this manifest's JSON without this field (version 2). */
  manifestSha256?: string;
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

function sha256(bytes: Uint8Array | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The checksum of a manifest: SHA-256 of its JSON (key order as written) without `manifestSha256`. */
function manifestChecksum(m: Readonly<Record<string, unknown>>): string {
  const { manifestSha256: _, ...rest } = m;
  return sha256(JSON.stringify(rest));
}

/**
 * The first tensor holding a NaN or an infinity, with that value; undefined if all are finite.
 * The tensors must be on the host.
 * @example const bad = nonFiniteEntry(checkpointTensors(trainer)); // { name: 'critic.fc1.weight', value: NaN }
 */
export function nonFiniteEntry(tensors: Readonly<Record<string, Tensor>>): { name: string; value: number } | undefined {
  for (const [name, t] of Object.entries(tensors)) {
    const d = t.value;
    if (!d) continue;
    for (let i = 0; i < d.length; i++) {
      const x = Number(d[i]);
      if (!Number.isFinite(x)) return { name, value: x };
    }
  }
  return undefined;
}

/**
 * Writes a checkpoint of `trainer` into folder `dir` (created if needed): `weights-<iteration>.safetensors`
 * then `checkpoint.json`; older weights files in `dir` are removed afterwards. Returns the manifest path.
 * @example await saveCheckpoint('runs/a/checkpoints', trainer, { config });
 */
export async function saveCheckpoint(dir: string, trainer: Trainer, extra: Record<string, unknown> = {}, opts: { allowNonfinite?: boolean } = {}): Promise<string> {
  await mkdir(dir, { recursive: true });
  const tensors = checkpointTensors(trainer);
  await toHost(Object.values(tensors)); // parameters and optimizer state kept on a GPU
  const iteration = trainer.iteration;
  const bad = opts.allowNonfinite ? undefined : nonFiniteEntry(tensors);
  if (bad) throw new CheckpointError(`refusing to write a checkpoint of iteration ${iteration} into '${dir}': tensor '${bad.name}' holds ${bad.value}`);
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
  manifest.manifestSha256 = manifestChecksum(manifest as unknown as Record<string, unknown>);
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
    text = (await readRegularFile(manifestPath, 'checkpoint manifest')).toString('utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CheckpointError(code === 'ENOENT' ? `no checkpoint: '${manifestPath}' does not exist` : (e as Error).message);
  }
  let m: CheckpointManifest;
  try {
    m = JSON.parse(text) as CheckpointManifest;
  } catch (e) {
    throw new CheckpointError(`corrupted checkpoint: '${manifestPath}' is not valid JSON (${(e as Error).message})`);
  }
  checkManifest(m, manifestPath);

  const weightsPath = join(dir, m.weights);
  let bytes: Uint8Array;
  try {
    bytes = await readRegularFile(weightsPath, 'weights file');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new CheckpointError(code === 'ENOENT' ? `incomplete checkpoint: weights file '${weightsPath}' is missing` : (e as Error).message);
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

/** Checks every field of a manifest (and its checksum from version 2); throws a {@link CheckpointError} naming the field. */
function checkManifest(m: CheckpointManifest, manifestPath: string): void {
  const bad = (what: string): never => {
    throw new CheckpointError(`corrupted checkpoint: '${manifestPath}' ${what}`);
  };
  const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
  const show = (x: unknown): string => (x === undefined ? 'nothing' : JSON.stringify(x)?.slice(0, 80) ?? String(x));
  if (!isObject(m) || m.format !== CHECKPOINT_FORMAT) bad(`is not a ${CHECKPOINT_FORMAT} manifest`);
  if (!READABLE_VERSIONS.includes(m.version)) bad(`has version ${show(m.version)}, this program reads versions ${READABLE_VERSIONS.join(', ')}`);
  if (m.version >= 2) {
    if (typeof m.manifestSha256 !== 'string') bad('has no manifestSha256 (its own checksum)');
    if (manifestChecksum(m as unknown as Record<string, unknown>) !== m.manifestSha256) bad('does not match its manifestSha256: it was edited or damaged');
  }
  const int = (x: unknown): boolean => Number.isSafeInteger(x) && (x as number) >= 0;
  if (!int(m.iteration)) bad(`field iteration must be a non-negative integer, got ${show(m.iteration)}`);
  if (typeof m.weights !== 'string' || basename(m.weights) !== m.weights || !/\.safetensors$/.test(m.weights)) bad(`field weights must name a .safetensors file in its folder, got ${show(m.weights)}`);
  if (!int(m.weightsBytes)) bad(`field weightsBytes must be a non-negative integer, got ${show(m.weightsBytes)}`);
  if (typeof m.weightsSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(m.weightsSha256)) bad(`field weightsSha256 must be 64 hex digits, got ${show(m.weightsSha256)}`);
  if (m.createdAt !== undefined && typeof m.createdAt !== 'string') bad(`field createdAt must be a string, got ${show(m.createdAt)}`);
  const t = m.trainer;
  if (!isObject(t)) bad(`field trainer must be an object, got ${show(t)}`);
  if (t.iteration !== m.iteration) bad(`field trainer.iteration (${show(t.iteration)}) differs from iteration (${m.iteration})`);
  const isRng = (r: unknown): boolean => Array.isArray(r) && r.length === 4 && r.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32) && r.some((x) => x !== 0);
  if (!isObject(t.rng)) bad(`field trainer.rng must be an object, got ${show(t.rng)}`);
  for (const k of ['data', 'noise', 'eps'] as const) if (!isRng(t.rng[k])) bad(`field trainer.rng.${k} must be 4 unsigned 32-bit integers, not all 0, got ${show(t.rng[k])}`);
  if (t.data !== undefined && !isObject(t.data)) bad(`field trainer.data must be an object, got ${show(t.data)}`);
  if (isObject(t.data)) {
    for (const [k, x] of Object.entries(t.data)) {
      if (typeof x === 'number' && !int(x)) bad(`field trainer.data.${k} must be a non-negative integer, got ${show(x)}`);
    }
  }
  if (!isObject(m.optimizers)) bad(`field optimizers must be an object, got ${show(m.optimizers)}`);
  for (const k of ['generator', 'critic'] as const) {
    const o = m.optimizers[k];
    if (!isObject(o)) bad(`field optimizers.${k} must be an object, got ${show(o)}`);
    if (typeof o.kind !== 'string') bad(`field optimizers.${k}.kind must be a string, got ${show(o.kind)}`);
    if (!int(o.step)) bad(`field optimizers.${k}.step must be a non-negative integer, got ${show(o.step)}`);
    if (!(typeof o.lr === 'number' && Number.isFinite(o.lr) && o.lr >= 0)) bad(`field optimizers.${k}.lr must be a finite number >= 0, got ${show(o.lr)}`);
  }
  if (!isObject(m.extra)) bad(`field extra must be an object, got ${show(m.extra)}`);
  const { elapsed, acc } = m.extra;
  if (elapsed !== undefined && !(typeof elapsed === 'number' && Number.isFinite(elapsed) && elapsed >= 0)) bad(`field extra.elapsed must be a finite number >= 0, got ${show(elapsed)}`);
  if (acc !== undefined) {
    if (!isObject(acc) || !isObject(acc.sums) || !isObject(acc.counts)) bad(`field extra.acc must hold sums and counts, got ${show(acc)}`);
    const { sums, counts } = acc as { sums: Record<string, unknown>; counts: Record<string, unknown> };
    for (const [k, x] of Object.entries(sums)) if (typeof x !== 'number') bad(`field extra.acc.sums.${k} must be a number, got ${show(x)}`);
    for (const [k, x] of Object.entries(counts)) if (!int(x) || x === 0) bad(`field extra.acc.counts.${k} must be a positive integer, got ${show(x)}`);
  }
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
  try {
    trainer.loadState(ckpt.manifest.trainer);
  } catch (e) {
    throw new CheckpointError(`checkpoint does not match the run: ${(e as Error).message}`);
  }
}

function restoreCounters(opt: Trainer['generatorOptimizer'], m: OptimizerManifest): void {
  // The slots were assigned above; loadState with the live slot tensors restores step and lr.
  opt.loadState({ step: m.step, lr: m.lr, slots: opt.state().slots });
}
