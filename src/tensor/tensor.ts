/**
 * The lazy tensor.
 *
 * A tensor is either a leaf (data given by the user, a parameter, or a small embedded constant)
 * or the result of a primitive op applied to other tensors. Ops only record nodes; nothing is
 * computed until a value is asked for (`await t.data()`, or {@link realize} for several tensors at
 * once). Realization lowers the pending subgraph to one program for the active backend (one ONNX
 * model on onnxruntime, cached by the graph's structure) and runs it once.
 *
 * Autodiff walks the same recorded graph (see autodiff/grad.ts), so a realized tensor still
 * knows how it was computed and gradients flow through it.
 */
import type { OpDef } from '../ops/registry.js';
import { checkShape, fmt, ShapeError, shapesEqual, sizeOf, type Shape } from './shape.js';

export type DType = 'float32' | 'int32' | 'bool';
/** A realized value. Backends may hold float32 or float64 data for float tensors. */
export type Storage = Float32Array | Float64Array | Int32Array | Uint8Array;
/** Anything the ops accept where a tensor is expected: a tensor or a JS number (a scalar constant). */
export type TensorLike = Tensor | number;

let nextId = 0;
let noGradDepth = 0;

export const DTYPES: readonly DType[] = ['float32', 'int32', 'bool'];

export function checkDType(op: string, arg: string, dtype: unknown): DType {
  if (!DTYPES.includes(dtype as DType)) {
    throw new ShapeError(op, `${arg} must be one of ${DTYPES.join(', ')}, got ${String(dtype)}`);
  }
  return dtype as DType;
}

/** Allocates a typed array of the canonical storage type of a dtype (float32 as Float32Array). */
export function allocStorage(dtype: DType, n: number): Float32Array | Int32Array | Uint8Array {
  return dtype === 'float32' ? new Float32Array(n) : dtype === 'int32' ? new Int32Array(n) : new Uint8Array(n);
}

/** Converts any storage to the canonical typed array of a dtype (copies only when needed). */
export function toStorage(dtype: DType, data: Storage | ArrayLike<number>): Float32Array | Int32Array | Uint8Array {
  if (dtype === 'float32' && data instanceof Float32Array) return data;
  if (dtype === 'int32' && data instanceof Int32Array) return data;
  if (dtype === 'bool' && data instanceof Uint8Array) return data;
  const out = allocStorage(dtype, data.length);
  if (dtype === 'bool') for (let i = 0; i < data.length; i++) out[i] = data[i] ? 1 : 0;
  else out.set(data as ArrayLike<number>);
  return out;
}

/**
 * A value kept in a backend's device memory (a GPU buffer of onnxruntime's WebGPU provider) rather
 * than on the host: what a backend returns for the outputs a caller asked to keep there (see
 * {@link realize}'s `keepOnDevice`), fed back to the same backend without a copy.
 */
export interface DeviceValue {
  /** The backend holding it: only this backend can take it as an input or copy it to the host. */
  readonly owner: Backend;
  /** The backend's own handle (an onnxruntime Tensor). */
  readonly handle: unknown;
  /** Frees the device memory; later uses of the value fail. Idempotent. */
  dispose(): void;
}

export class Tensor {
  readonly id = nextId++;
  private _value: Storage | null;
  /**
   * The value in a backend's device memory, or null. A realized tensor has a host value, a device
   * value or both (after {@link toHost}).
   */
  device: DeviceValue | null = null;
  /** True when autodiff must treat this tensor as a constant (created under {@link noGrad}). */
  readonly noGrad: boolean;
  /** Optional name, used in error messages and saved files. */
  name: string | undefined;

  /** @internal use the factory functions (`tensor`, `scalar`, `zeros`, ...) or ops instead. */
  constructor(
    readonly shape: readonly number[],
    readonly dtype: DType,
    /** The primitive that produced this tensor; null for leaves. */
    readonly op: OpDef | null,
    readonly inputs: readonly Tensor[],
    readonly attrs: Readonly<Record<string, unknown>>,
    value: Storage | null,
    /** Leaf embedded in the lowered graph as a constant (part of the cache key), not fed. */
    readonly isConst = false,
  ) {
    this._value = value;
    this.noGrad = noGradDepth > 0;
  }

  /**
   * Realized host value, or null while the tensor is pending. Replaced by {@link Tensor.assign}.
   * Throws for a tensor whose value is only in device memory: `await toHost([t])` first.
   */
  get value(): Storage | null {
    if (this._value === null && this.device !== null) {
      throw new Error(`${this.describe()} is held in ${this.device.owner.name}'s device memory; copy it to the host first (await toHost([t]) or await t.data())`);
    }
    return this._value;
  }
  /** Sets the host value (and forgets any device value). */
  set value(v: Storage | null) {
    this._value = v;
    this.device = null;
  }

  /** The host value or null, without throwing for a device-only value. */
  get hostValue(): Storage | null {
    return this._value;
  }

  /** Adds the host copy of a device value (both stay valid until the next assignment). @internal */
  setHostCopy(v: Storage): void {
    this._value = v;
  }

  get rank(): number {
    return this.shape.length;
  }
  get size(): number {
    return sizeOf(this.shape);
  }
  get isLeaf(): boolean {
    return this.op === null;
  }
  get isRealized(): boolean {
    return this._value !== null || this.device !== null;
  }

  /**
   * The tensor's values as the typed array of its dtype (Float32Array, Int32Array, Uint8Array for bool).
   * @example const y = mul(x, 2); console.log(await y.data());
   */
  async data(): Promise<Float32Array | Int32Array | Uint8Array> {
    await realize([this]);
    await toHost([this]);
    return toStorage(this.dtype, this.value!);
  }

  /** The values as float64 (exact for the reference backend; widened from float32 otherwise). */
  async data64(): Promise<Float64Array> {
    await realize([this]);
    await toHost([this]);
    const v = this.value!;
    return v instanceof Float64Array ? v : Float64Array.from(v);
  }

  /** The value of a one-element tensor. */
  async item(): Promise<number> {
    if (this.size !== 1) throw new ShapeError('item', `needs a tensor with one element, got shape ${fmt(this.shape)}`);
    return (await this.data64())[0]!;
  }

  /** The values as a plain array (flat, row-major). */
  async toArray(): Promise<number[]> {
    return Array.from(await this.data64());
  }

  /**
   * Replaces the value of a leaf tensor (a parameter or an optimizer slot) with the realized value of
   * `source`. Pending tensors computed from this one read the new value when they are realized.
   * @example await realize([newW]); w.assign(newW);
   */
  assign(source: Tensor): this {
    if (this.op !== null || this.isConst) throw new ShapeError('assign', `only a data leaf can be assigned, ${this.describe()} is not`);
    if (!shapesEqual(this.shape, source.shape) || this.dtype !== source.dtype) {
      throw new ShapeError('assign', `target ${this.describe()} and source ${source.describe()} differ in shape or dtype`);
    }
    if (!source.isRealized) throw new ShapeError('assign', `source ${source.describe()} is not realized; call realize() first`);
    this._value = source._value;
    this.device = source.device;
    return this;
  }

  /** Replaces a leaf's value with raw data of the same length. */
  assignData(data: Storage | ArrayLike<number>): this {
    if (this.op !== null || this.isConst) throw new ShapeError('assignData', `only a data leaf can be assigned, ${this.describe()} is not`);
    if (data.length !== this.size) {
      throw new ShapeError('assignData', `expected ${this.size} values for ${this.describe()}, got ${data.length}`);
    }
    this.value = data instanceof Float64Array && this.dtype === 'float32' ? data : toStorage(this.dtype, data);
    return this;
  }

  /** Short description for messages: `float32[4,3] (name)`. */
  describe(): string {
    return `${this.dtype}${fmt(this.shape)}${this.name ? ` '${this.name}'` : ''}`;
  }

  toString(): string {
    return `Tensor(${this.describe()}${this.op ? ` = ${this.op.name}(...)` : ''})`;
  }
}

/**
 * A data leaf holding `data` (fed to the backend at run time, not embedded in the graph).
 * Float data may be a Float64Array: the reference backend then computes in float64.
 * @example const x = tensor([1, 2, 3, 4], [2, 2]);
 */
export function tensor(data: Storage | ArrayLike<number>, shape?: Shape, dtype: DType = 'float32'): Tensor {
  checkDType('tensor', 'dtype', dtype);
  const s = shape ?? [data.length];
  checkShape('tensor', 'shape', s);
  if (sizeOf(s) !== data.length) {
    throw new ShapeError('tensor', `shape ${fmt(s)} needs ${sizeOf(s)} values, got ${data.length}`);
  }
  const value = data instanceof Float64Array && dtype === 'float32' ? data : toStorage(dtype, data);
  return new Tensor([...s], dtype, null, [], {}, value);
}

/**
 * A small constant embedded in the lowered graph (its values are part of the cache key).
 * Use for scalars and tiny tables; use {@link tensor} for data that changes between runs.
 */
export function constant(data: ArrayLike<number>, shape: Shape = [data.length], dtype: DType = 'float32'): Tensor {
  checkShape('constant', 'shape', shape);
  if (sizeOf(shape) !== data.length) {
    throw new ShapeError('constant', `shape ${fmt(shape)} needs ${sizeOf(shape)} values, got ${data.length}`);
  }
  return new Tensor([...shape], dtype, null, [], {}, Float64Array.from(data), true);
}

/** A scalar constant. @example const half = scalar(0.5); */
export function scalar(v: number, dtype: DType = 'float32'): Tensor {
  return constant([v], [], dtype);
}

/** Converts a number to a scalar constant of the given dtype; tensors pass through. */
export function asTensor(x: TensorLike, dtype: DType = 'float32'): Tensor {
  return typeof x === 'number' ? scalar(x, dtype) : x;
}

/**
 * Runs `fn` with gradient recording off: tensors created inside are constants for autodiff.
 * @example const fake = noGrad(() => G.forward(z));
 */
export function noGrad<T>(fn: () => T): T {
  noGradDepth++;
  try {
    return fn();
  } finally {
    noGradDepth--;
  }
}

// ---- realization -------------------------------------------------------------------------------

/** What a backend receives: the pending subgraph in topological order, with its cache key. */
export interface Plan {
  /** Structural key: equal keys mean identical programs (ops, attributes, shapes, dtypes, constants). */
  readonly key: string;
  /** Values in topological order: leaves first where they are reached. */
  readonly values: readonly PlanValue[];
  /** Indices into `values` of the requested outputs. */
  readonly outputs: readonly number[];
  /** Indices into `values` of the fed leaves, in feed order. */
  readonly feeds: readonly number[];
}

export type PlanValue =
  | { kind: 'feed'; tensor: Tensor }
  | { kind: 'const'; tensor: Tensor }
  | { kind: 'op'; tensor: Tensor; op: OpDef; inputs: readonly number[] };

/** Per-run options of {@link Backend.execute}. */
export interface ExecuteOptions {
  /**
   * Per `plan.outputs` entry: keep this output in device memory (return a {@link DeviceValue}).
   * Honoured only by backends with `keepsOnDevice`; others return host values.
   */
  readonly keep?: readonly boolean[];
}

/** A place to run plans. Implementations: the float64 reference interpreter, onnxruntime-node, onnxruntime-web. */
export interface Backend {
  readonly name: string;
  /** Runs the plan and returns one value per `plan.outputs` entry. */
  execute(plan: Plan, opts?: ExecuteOptions): Promise<(Storage | DeviceValue)[]>;
  /**
   * True when the backend can keep outputs in device memory between runs (`ExecuteOptions.keep`)
   * and take them back as inputs without a copy.
   */
  readonly keepsOnDevice?: boolean;
  /** Copies device values this backend holds to the host (required with `keepsOnDevice`). */
  download?(values: readonly DeviceValue[]): Promise<Storage[]>;
  /** Releases sessions and buffers. */
  dispose?(): Promise<void>;
  /**
   * True when `execute` computes off the calling thread (a worker), so that it overlaps with work
   * started after it on this thread; absent or false for a backend that blocks the thread it runs on.
   */
  readonly offThread?: boolean;
}

let activeBackend: Backend | null = null;

/** Selects the backend used by `realize` and `data()`. Chosen explicitly, never by import side effects. */
export function setBackend(backend: Backend): void {
  activeBackend = backend;
}

/** The active backend; throws when none was set. */
export function getBackend(): Backend {
  if (!activeBackend) {
    throw new Error(
      'no backend selected: call setBackend(referenceBackend()) or, on Node, setBackend(ortBackend()) from "wgan-gp/node"',
    );
  }
  return activeBackend;
}

/** Builds the plan of the pending subgraph needed for `outputs`. Exposed for backends and tests. */
export function buildPlan(outputs: readonly Tensor[]): Plan {
  const index = new Map<Tensor, number>();
  const values: PlanValue[] = [];
  const feeds: number[] = [];
  const keyParts: string[] = [];
  // Iterative post-order DFS: deep graphs (a 101-layer ResNet's double backward) must not overflow the stack.
  const stack: { t: Tensor; i: number }[] = [];
  for (const out of outputs) {
    if (index.has(out)) continue;
    stack.push({ t: out, i: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const t = top.t;
      if (index.has(t)) {
        stack.pop();
        continue;
      }
      const isLeafHere = t.isRealized || t.op === null;
      if (!isLeafHere && top.i < t.inputs.length) {
        const child = t.inputs[top.i++]!;
        if (!index.has(child)) stack.push({ t: child, i: 0 });
        continue;
      }
      stack.pop();
      const id = values.length;
      index.set(t, id);
      const sig = `${t.dtype}${fmt(t.shape)}`;
      if (t.isConst) {
        values.push({ kind: 'const', tensor: t });
        keyParts.push(`C${sig}=${Array.from(t.value!).join(',')}`);
      } else if (isLeafHere) {
        if (!t.isRealized) throw new Error(`internal: leaf ${t.describe()} has no value`);
        feeds.push(id);
        values.push({ kind: 'feed', tensor: t });
        keyParts.push(`F${sig}`);
      } else {
        const inputs = t.inputs.map((x) => index.get(x)!);
        values.push({ kind: 'op', tensor: t, op: t.op!, inputs });
        keyParts.push(`${t.op!.name}${JSON.stringify(t.attrs)}(${inputs.join(',')})${sig}`);
      }
    }
  }
  const outIdx = outputs.map((t) => index.get(t)!);
  keyParts.push(`->${outIdx.join(',')}`);
  return { key: keyParts.join(';'), values, outputs: outIdx, feeds };
}

/** Options of {@link realize}. */
export interface RealizeOptions {
  /**
   * Of the tensors to realize, those to keep in the backend's device memory (new parameters and
   * optimizer state, fed back next step) when the backend can (`Backend.keepsOnDevice`); elsewhere
   * they are realized on the host like the rest.
   */
  readonly keepOnDevice?: readonly Tensor[];
}

/**
 * Computes the values of several tensors in one backend run (one ONNX session run on onnxruntime).
 * Tensors already realized are skipped. Returns the same tensors.
 * @example await realize([loss, ...newParams]);
 */
export async function realize(tensors: readonly Tensor[], backend?: Backend, opts: RealizeOptions = {}): Promise<readonly Tensor[]> {
  const pending = [...new Set(tensors.filter((t) => !t.isRealized))];
  if (pending.length === 0) return tensors;
  await realizePlan(buildPlan(pending), pending, backend, opts);
  return tensors;
}

/**
 * Runs `plan` (built by `buildPlan(pending)`, possibly runs ago) and assigns its results into
 * `pending`, realized or not: a program whose structure is known runs again on its leaves' current
 * values without rebuilding its graph (the trainer's replayed runs: TrainerOptions.replay). `realize` is
 * `buildPlan` + this.
 * @example const plan = buildPlan(outs); await realizePlan(plan, outs); x.assignData(next); await realizePlan(plan, outs);
 */
export async function realizePlan(plan: Plan, pending: readonly Tensor[], backend?: Backend, opts: RealizeOptions = {}): Promise<void> {
  if (pending.length !== plan.outputs.length) throw new Error(`realizePlan: ${pending.length} tensors for a plan of ${plan.outputs.length} outputs`);
  backend ??= getBackend();
  const keepSet = backend.keepsOnDevice && opts.keepOnDevice && opts.keepOnDevice.length > 0 ? new Set(opts.keepOnDevice) : null;
  const keep = keepSet ? pending.map((t) => keepSet.has(t)) : null;
  const results = await (keep && keep.some((k) => k) ? backend.execute(plan, { keep }) : backend.execute(plan));
  if (results.length !== pending.length) {
    throw new Error(`backend ${backend.name} returned ${results.length} values for ${pending.length} outputs`);
  }
  pending.forEach((t, i) => {
    const r = results[i]!;
    if (ArrayBuffer.isView(r)) t.value = r;
    else {
      t.value = null;
      t.device = r;
    }
  });
}

/**
 * Copies the values of tensors held in device memory to the host (one run per backend holding
 * some); the device values stay valid too, so the next step still reads them without a copy.
 * Tensors with a host value already are skipped.
 * @example await toHost(model.parameters()); // before reading p.value or saving a checkpoint
 */
export async function toHost(tensors: Iterable<Tensor>): Promise<void> {
  const byOwner = new Map<Backend, Tensor[]>();
  for (const t of new Set(tensors)) {
    if (t.hostValue !== null || t.device === null) continue;
    const list = byOwner.get(t.device.owner) ?? [];
    list.push(t);
    byOwner.set(t.device.owner, list);
  }
  for (const [owner, list] of byOwner) {
    if (!owner.download) throw new Error(`backend ${owner.name} holds device values but cannot download them`);
    const values = await owner.download(list.map((t) => t.device!));
    if (values.length !== list.length) throw new Error(`backend ${owner.name} downloaded ${values.length} values for ${list.length} tensors`);
    list.forEach((t, i) => t.setHostCopy(values[i]!));
  }
}
