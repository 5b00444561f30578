/**
 * Saving and loading module parameters and optimizer state as safetensors files.
 * Parameter names are `module.namedParameters()` names; slot names are `optimizer.state()` names.
 */
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import { fmt, shapesEqual } from '../tensor/shape.js';
import { toHost, type Tensor } from '../tensor/tensor.js';
import {
  readSafetensors,
  SafetensorsError,
  writeSafetensors,
  type SafetensorsData,
  type SafetensorsEntry,
  type SafetensorsFile,
} from './safetensors.js';

/** Float dtypes a parameter can be stored in. */
export type FloatStorage = 'F32' | 'F64';

/**
 * A tensor's current value as a safetensors entry (it must be realized, with a host value: after
 * `await toHost(...)` for values kept in device memory).
 * @example await writeSafetensors(path, { noise: tensorEntry('noise', fixedNoise) });
 */
export function tensorEntry(name: string, t: Tensor, dtype: FloatStorage = 'F32'): SafetensorsEntry {
  if (t.value === null) throw new Error(`tensor '${name}' (${t.describe()}) is not realized; realize it before saving`);
  if (t.dtype === 'float32') return { dtype, shape: [...t.shape], data: t.value };
  return { dtype: t.dtype === 'int32' ? 'I32' : 'BOOL', shape: [...t.shape], data: t.value };
}

/**
 * The module's parameters by name (`namedParameters()` names with an optional prefix).
 * @example const named = moduleTensors(G, 'generator.'); named['generator.fc.weight']
 */
export function moduleTensors(module: Module, prefix = ''): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, p] of module.namedParameters()) out[prefix + name] = p;
  return out;
}

/**
 * The optimizer's slots by name (`state().slots` names, e.g. `m.fc.weight`, with an optional prefix).
 * @example const named = optimizerTensors(optD, 'optim.critic.');
 */
export function optimizerTensors(opt: Optimizer, prefix = ''): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, t] of Object.entries(opt.state().slots)) out[prefix + name] = t;
  return out;
}

/**
 * Named tensors' current values as safetensors entries, in the record's order (each realized, with a
 * host value).
 * @example await writeSafetensors(path, tensorEntries({ ...moduleTensors(G, 'G.'), noise }));
 */
export function tensorEntries(named: Readonly<Record<string, Tensor>>, dtype: FloatStorage = 'F32'): Record<string, SafetensorsEntry> {
  const out: Record<string, SafetensorsEntry> = {};
  for (const [name, t] of Object.entries(named)) out[name] = tensorEntry(name, t, dtype);
  return out;
}

/**
 * The module's parameters as safetensors entries named by `namedParameters()` (with an optional prefix).
 * @example await writeSafetensors(path, { ...moduleEntries(G, 'G.'), ...moduleEntries(D, 'D.') });
 */
export function moduleEntries(module: Module, prefix = '', dtype: FloatStorage = 'F32'): Record<string, SafetensorsEntry> {
  return tensorEntries(moduleTensors(module, prefix), dtype);
}

const FLOAT_DTYPES = new Set(['F64', 'F32', 'F16', 'BF16']);

/**
 * Everything that keeps `entries` from being assigned to `targets` (full name → tensor): a missing
 * name, a shape that differs, a dtype that is not a float (when the entry has one) and, unless
 * `allowExtra`, an entry under `prefix` that names no target. Empty when they can be assigned; one
 * wording for modules, optimizers and checkpoints.
 * @example const problems = entryProblems(file.tensors, moduleTensors(G, 'G.'), { prefix: 'G.' });
 */
export function entryProblems(
  entries: Readonly<Record<string, { readonly shape: readonly number[]; readonly dtype?: string }>>,
  targets: Readonly<Record<string, Tensor>>,
  opts: { prefix?: string; allowExtra?: boolean } = {},
): string[] {
  const prefix = opts.prefix ?? '';
  const problems: string[] = [];
  for (const [key, t] of Object.entries(targets)) {
    const e = entries[key];
    if (!e) problems.push(`missing '${key}' (${fmt(t.shape)})`);
    else if (!shapesEqual(e.shape, t.shape)) problems.push(`'${key}' has shape ${fmt(e.shape)} in the file, the model expects ${fmt(t.shape)}`);
    else if (e.dtype !== undefined && !FLOAT_DTYPES.has(e.dtype)) problems.push(`'${key}' has dtype ${e.dtype}, expected a float dtype`);
  }
  if (!opts.allowExtra) {
    for (const key of Object.keys(entries)) if (key.startsWith(prefix) && !(key in targets)) problems.push(`extra '${key}' (not in the model)`);
  }
  return problems;
}

/**
 * Assigns entries (e.g. from {@link readSafetensors}) to a module's parameters. Every parameter must
 * be present with its shape and a float dtype, and (unless `allowExtra`) every entry under `prefix`
 * must name a parameter; otherwise throws one error listing every missing, extra and mismatched name.
 * @example applyModuleEntries(file.tensors, G, { source: path, prefix: 'G.' });
 */
export function applyModuleEntries(
  tensors: Readonly<Record<string, SafetensorsEntry<SafetensorsData>>>,
  module: Module,
  opts: { source?: string; prefix?: string; allowExtra?: boolean } = {},
): void {
  const targets = moduleTensors(module, opts.prefix ?? '');
  const problems = entryProblems(tensors, targets, opts);
  if (problems.length > 0) {
    throw new SafetensorsError(opts.source ?? '<tensors>', `does not match the module's parameters: ${problems.join('; ')}`);
  }
  // F64 data stays float64 (the reference backend then computes with it exactly); F32/F16/BF16 arrive as Float32Array.
  for (const [key, p] of Object.entries(targets)) p.assignData(tensors[key]!.data as Float32Array | Float64Array);
}

/**
 * Saves a module's parameters (names from `namedParameters()`, float32 by default) atomically.
 * @example await saveModule('run/G.safetensors', G, { iteration: String(it) });
 */
export async function saveModule(
  path: string,
  module: Module,
  metadata?: Readonly<Record<string, string>>,
  opts: { dtype?: FloatStorage } = {},
): Promise<void> {
  await toHost(module.parameters());
  await writeSafetensors(path, moduleEntries(module, '', opts.dtype ?? 'F32'), metadata);
}

/**
 * Loads parameters saved by {@link saveModule} into `module` (same names and shapes), returning the
 * file's metadata. Throws naming the file and every missing, extra or mismatched parameter.
 * @example const meta = await loadModule('run/G.safetensors', G);
 */
export async function loadModule(path: string, module: Module): Promise<Record<string, string>> {
  const file = await readSafetensors(path);
  applyModuleEntries(file.tensors, module, { source: path });
  return file.metadata;
}

/**
 * An optimizer's state as entries (its slots, float32) and metadata (`optimizer`, `step`, `lr`).
 * @example const { tensors, metadata } = optimizerEntries(optD, 'optD.');
 */
export function optimizerEntries(opt: Optimizer, prefix = '', dtype: FloatStorage = 'F32'): { tensors: Record<string, SafetensorsEntry>; metadata: Record<string, string> } {
  const st = opt.state();
  const tensors = tensorEntries(optimizerTensors(opt, prefix), dtype);
  return { tensors, metadata: { [`${prefix}optimizer`]: opt.kind, [`${prefix}step`]: String(st.step), [`${prefix}lr`]: String(st.lr) } };
}

/**
 * Restores an optimizer from entries and metadata written by {@link optimizerEntries}.
 * @example applyOptimizerEntries(file, optD, { source: path, prefix: 'optD.' });
 */
export function applyOptimizerEntries(file: SafetensorsFile, opt: Optimizer, opts: { source?: string; prefix?: string } = {}): void {
  const source = opts.source ?? '<tensors>';
  const prefix = opts.prefix ?? '';
  const md = file.metadata;
  const kind = md[`${prefix}optimizer`];
  if (kind !== undefined && kind !== opt.kind) throw new SafetensorsError(source, `holds ${kind} state, cannot load it into ${opt.kind}`);
  const stepText = md[`${prefix}step`];
  const step = Number(stepText);
  if (stepText === undefined || !Number.isInteger(step) || step < 0) {
    throw new SafetensorsError(source, `metadata '${prefix}step' must be a non-negative integer, got ${JSON.stringify(stepText)}`);
  }
  const lrText = md[`${prefix}lr`];
  const lr = lrText === undefined ? undefined : Number(lrText);
  if (lr !== undefined && !(Number.isFinite(lr) && lr >= 0)) throw new SafetensorsError(source, `metadata '${prefix}lr' is not a learning rate: ${JSON.stringify(lrText)}`);
  const targets = optimizerTensors(opt, prefix);
  const problems = entryProblems(file.tensors, targets, { prefix });
  if (problems.length > 0) throw new SafetensorsError(source, `does not match the ${opt.kind} optimizer's slots: ${problems.join('; ')}`);
  const slots: Record<string, ArrayLike<number>> = {};
  for (const key of Object.keys(targets)) slots[key.slice(prefix.length)] = file.tensors[key]!.data as Float32Array | Float64Array;
  try {
    opt.loadState({ step, ...(lr !== undefined ? { lr } : {}), slots });
  } catch (e) {
    throw new SafetensorsError(source, (e as Error).message);
  }
}

/**
 * Saves an optimizer's state (slots, step, learning rate) atomically.
 * @example await saveOptimizer('run/optD.safetensors', optD);
 */
export async function saveOptimizer(path: string, opt: Optimizer, metadata?: Readonly<Record<string, string>>): Promise<void> {
  const { tensors, metadata: md } = optimizerEntries(opt);
  await writeSafetensors(path, tensors, { ...metadata, ...md });
}

/**
 * Restores an optimizer saved by {@link saveOptimizer}; returns the file's metadata.
 * @example await loadOptimizer('run/optD.safetensors', optD);
 */
export async function loadOptimizer(path: string, opt: Optimizer): Promise<Record<string, string>> {
  const file = await readSafetensors(path);
  applyOptimizerEntries(file, opt, { source: path });
  return file.metadata;
}
