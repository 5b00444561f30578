/**
 * PyTorch-compatible weights: a module's parameters as a PyTorch `state_dict` of the equivalent
 * `torch.nn` model, and back. Where the layouts differ from PyTorch's:
 *
 * - `Linear.weight` is [in, out] here (tflib's y = x W + b) and [out, in] in `torch.nn.Linear`:
 *   transposed both ways.
 * - `BatchNorm` / `LayerNorm` name their scale and offset `gamma` / `beta`; PyTorch `weight` / `bias`.
 *   BatchNorm here always normalizes with the batch's statistics (the reference has no running
 *   averages), so the export adds `running_mean` 0, `running_var` 1 and `num_batches_tracked` 0 for a
 *   strict `load_state_dict`, and the import ignores them; use the PyTorch model in `train()` mode.
 * - `LayerNorm` is tflib's: per-sample moments over [C, H, W] with a per-channel scale [C], which is
 *   `torch.nn.GroupNorm(1, C)` (not `torch.nn.LayerNorm([C, H, W])`, whose scale is [C, H, W]).
 * - Conv2d [out, in, kh, kw], ConvTranspose2d [in, out, kh, kw], Conv1d and Embedding already have
 *   PyTorch's layouts; `Sequential` children are named `0`, `1`, ... as in `torch.nn.Sequential`.
 *   A PyTorch model of the same structure (same attribute names) then loads the dict directly.
 *
 * The files are safetensors (`safetensors.torch.save_file(model.state_dict(), path)` writes one,
 * `model.load_state_dict(safetensors.torch.load_file(path))` reads one).
 */
import { toHost, type Tensor } from '../tensor/tensor.js';
import { readSafetensors, SafetensorsError, writeSafetensors, type SafetensorsData, type SafetensorsEntry } from '../io/safetensors.js';
import { BatchNorm } from './batch-norm.js';
import { LayerNorm } from './layer-norm.js';
import { Linear } from './linear.js';
import type { Module } from './module.js';

/** How one parameter is stored in PyTorch: its name there and whether a 2-D transpose maps the layouts. */
interface TorchSlot {
  torchName: string;
  param: Tensor;
  transpose: boolean;
}

/** PyTorch's name for a parameter field of module `m` (`gamma` → `weight` for the norms). */
function torchField(m: Module, field: string): string {
  if (m instanceof BatchNorm || m instanceof LayerNorm) return field === 'gamma' ? 'weight' : field === 'beta' ? 'bias' : field;
  return field;
}

/** Every parameter with its PyTorch name, in `namedParameters()` order, and the BatchNorm buffers' prefixes. */
function torchSlots(module: Module): { slots: TorchSlot[]; batchNorms: [string, BatchNorm][] } {
  const slots: TorchSlot[] = [];
  const batchNorms: [string, BatchNorm][] = [];
  const seen = new Set<Tensor>();
  for (const [prefix, m] of module.namedModules()) {
    const dot = prefix ? `${prefix}.` : '';
    if (m instanceof BatchNorm) batchNorms.push([dot, m]);
    for (const [field, param] of m.ownParameters()) {
      if (seen.has(param)) continue;
      seen.add(param);
      slots.push({ torchName: dot + torchField(m, field), param, transpose: m instanceof Linear && field === 'weight' });
    }
  }
  return { slots, batchNorms };
}

/** A row-major [r, c] matrix transposed to [c, r]. */
function transpose2d(data: ArrayLike<number>, r: number, c: number): Float32Array {
  const out = new Float32Array(r * c);
  for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) out[j * r + i] = data[i * c + j]!;
  return out;
}

/**
 * The module's parameters as the `state_dict` of the equivalent PyTorch model (float32 entries,
 * PyTorch names and layouts; see the file comment). Parameters must be realized (`await toHost(...)`,
 * or use {@link saveTorchSafetensors}).
 * @example
 * const D = new Sequential(new Linear(2, 512), new ReLU(), new Linear(512, 1));
 * torchStateDict(D)['0.weight'].shape // [512, 2], as torch.nn.Linear(2, 512).weight
 */
export function torchStateDict(module: Module): Record<string, SafetensorsEntry> {
  const { slots, batchNorms } = torchSlots(module);
  const out: Record<string, SafetensorsEntry> = {};
  for (const { torchName, param, transpose } of slots) {
    if (param.value === null) throw new Error(`torchStateDict: parameter '${torchName}' is not realized (await toHost(module.parameters()) first)`);
    const [r, c] = param.shape as [number, number];
    out[torchName] = transpose
      ? { dtype: 'F32', shape: [c, r], data: transpose2d(param.value, r, c) }
      : { dtype: 'F32', shape: [...param.shape], data: Float32Array.from(param.value) };
  }
  for (const [prefix, m] of batchNorms) {
    out[`${prefix}running_mean`] = { dtype: 'F32', shape: [m.numFeatures], data: new Float32Array(m.numFeatures) };
    out[`${prefix}running_var`] = { dtype: 'F32', shape: [m.numFeatures], data: new Float32Array(m.numFeatures).fill(1) };
    out[`${prefix}num_batches_tracked`] = { dtype: 'I64', shape: [], data: new BigInt64Array(1) };
  }
  return out;
}

/**
 * Assigns a PyTorch `state_dict` (names and layouts as {@link torchStateDict} writes them) to the
 * module's parameters. Every parameter must be present with PyTorch's shape; an entry that names no
 * parameter is an error (BatchNorm's running statistics excepted) unless `allowExtra`. One error
 * lists every missing, extra and mismatched name.
 * @example loadTorchStateDict(G, (await readSafetensors('generator.safetensors')).tensors);
 */
export function loadTorchStateDict(
  module: Module,
  tensors: Readonly<Record<string, SafetensorsEntry<SafetensorsData>>>,
  opts: { source?: string; allowExtra?: boolean } = {},
): void {
  const { slots, batchNorms } = torchSlots(module);
  const buffers = new Set(batchNorms.flatMap(([p]) => ['running_mean', 'running_var', 'num_batches_tracked'].map((b) => p + b)));
  const problems: string[] = [];
  for (const { torchName, param, transpose } of slots) {
    const e = tensors[torchName];
    const want = transpose ? [param.shape[1]!, param.shape[0]!] : [...param.shape];
    if (!e) problems.push(`missing '${torchName}' [${want.join(', ')}]`);
    else if (JSON.stringify(e.shape) !== JSON.stringify(want)) problems.push(`'${torchName}' is [${e.shape.join(', ')}], expected [${want.join(', ')}]`);
    else if (!['F32', 'F64', 'F16', 'BF16'].includes(e.dtype)) problems.push(`'${torchName}' is ${e.dtype}, expected a float`);
  }
  if (!opts.allowExtra) {
    const names = new Set(slots.map((s) => s.torchName));
    for (const k of Object.keys(tensors)) if (!names.has(k) && !buffers.has(k)) problems.push(`unexpected '${k}'`);
  }
  if (problems.length > 0) throw new SafetensorsError(opts.source ?? '<state_dict>', `does not match the module: ${problems.join('; ')}`);
  for (const { torchName, param, transpose } of slots) {
    const data = tensors[torchName]!.data as ArrayLike<number>;
    param.assignData(transpose ? transpose2d(data, param.shape[1]!, param.shape[0]!) : Float32Array.from(data));
  }
}

/**
 * Writes the module's parameters as a PyTorch `state_dict` in a safetensors file
 * (`model.load_state_dict(safetensors.torch.load_file(path))` in PyTorch).
 * @example await saveTorchSafetensors('critic.safetensors', D);
 */
export async function saveTorchSafetensors(path: string, module: Module, metadata?: Readonly<Record<string, string>>): Promise<void> {
  await toHost(module.parameters());
  await writeSafetensors(path, torchStateDict(module), metadata);
}

/**
 * Reads a PyTorch `state_dict` saved as safetensors (`safetensors.torch.save_file(model.state_dict(), path)`)
 * into the module, returning the file's metadata.
 * @example await loadTorchSafetensors('generator.safetensors', G);
 */
export async function loadTorchSafetensors(path: string, module: Module, opts: { allowExtra?: boolean } = {}): Promise<Record<string, string>> {
  const file = await readSafetensors(path);
  loadTorchStateDict(module, file.tensors, { source: path, ...opts });
  return file.metadata;
}
