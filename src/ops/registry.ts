/**
 * The primitive registry: every primitive is defined once, with its four facts side by side:
 * shape rule (`infer`), ONNX lowering (`lower`), vector-Jacobian product (`vjp`, written with
 * differentiable ops so second order comes free) and float64 reference kernel (`reference`).
 *
 * Composites (batch norm, softmax cross-entropy, ...) are plain functions of primitives and have no
 * entry here. A registry test fails when a primitive lacks any of the four facts.
 */
import { ShapeError } from '../tensor/shape.js';
import { Tensor, type DType } from '../tensor/tensor.js';

export interface TensorMeta {
  readonly shape: readonly number[];
  readonly dtype: DType;
}

/** A reference value: float64 data, row-major (int and bool values stored exactly as doubles). */
export interface NDArray {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

/** One ONNX attribute value, typed explicitly (ONNX distinguishes int and float attributes). */
export type OnnxAttr =
  | { readonly int: number }
  | { readonly float: number }
  | { readonly ints: readonly number[] }
  | { readonly floats: readonly number[] }
  | { readonly str: string };

/** What a lowering may emit into the ONNX graph being built. */
export interface LowerCtx {
  /** Adds a node with one output and returns the output's value name. */
  node(opType: string, inputs: readonly string[], attrs?: Readonly<Record<string, OnnxAttr>>, domain?: string): string;
  /** Adds a node with several outputs and returns their names. */
  nodeN(opType: string, inputs: readonly string[], nOutputs: number, attrs?: Readonly<Record<string, OnnxAttr>>): string[];
  /** A 1-D int64 initializer (shapes, axes, pads, slice bounds). */
  i64(values: readonly number[]): string;
  /** A float32 initializer of the given shape. */
  f32(values: ArrayLike<number>, shape: readonly number[]): string;
  /** The empty-string name ONNX uses for an omitted optional input. */
  readonly none: '';
}

export interface LowerMeta {
  readonly inputs: readonly TensorMeta[];
  readonly output: TensorMeta;
}

export type Attrs = Readonly<Record<string, unknown>>;

export interface OpDef<A extends Attrs = Attrs> {
  readonly name: string;
  /** Output shape and dtype; throws a ShapeError naming the argument and the shapes on misuse. */
  infer(inputs: readonly TensorMeta[], attrs: A): TensorMeta;
  /** Emits ONNX nodes computing the output from the named inputs; returns the output's name. */
  lower(ctx: LowerCtx, inputs: readonly string[], attrs: A, meta: LowerMeta): string;
  /**
   * Cotangent of each input given the output cotangent `g`, built from differentiable ops
   * (null: no gradient flows to that input). `'none'` marks a primitive whose output carries no
   * gradient at all (comparisons, stop-gradient, integer casts).
   */
  readonly vjp: ((g: Tensor, inputs: readonly Tensor[], out: Tensor, attrs: A) => (Tensor | null)[]) | 'none';
  /** Float64 reference kernel: the oracle for tests, never used for speed. */
  reference(inputs: readonly NDArray[], attrs: A, output: TensorMeta): Float64Array;
}

const registry = new Map<string, OpDef>();

/** Defines and registers a primitive. Names are unique. */
export function defineOp<A extends Attrs>(def: OpDef<A>): OpDef<A> {
  if (registry.has(def.name)) throw new Error(`primitive '${def.name}' is defined twice`);
  registry.set(def.name, def as unknown as OpDef);
  return def;
}

/** All registered primitives (for the registry test and docs). */
export function primitives(): readonly OpDef[] {
  return [...registry.values()];
}

/**
 * Applies a primitive: checks the inputs, infers the output and records a pending node.
 * Attributes must be JSON values (they are part of the graph's cache key).
 */
export function apply<A extends Attrs>(op: OpDef<A>, inputs: readonly Tensor[], attrs: A): Tensor {
  inputs.forEach((x, i) => {
    if (!(x instanceof Tensor)) throw new ShapeError(op.name, `input ${i} is not a Tensor (got ${typeof x})`);
  });
  const meta = op.infer(inputs, attrs);
  return new Tensor([...meta.shape], meta.dtype, op as unknown as OpDef, inputs, attrs, null);
}

/** Checks that an input has one of the allowed dtypes. */
export function expectDType(op: string, arg: string, meta: TensorMeta, allowed: readonly DType[]): void {
  if (!allowed.includes(meta.dtype)) {
    throw new ShapeError(op, `${arg} must be ${allowed.join(' or ')}, got ${meta.dtype}`);
  }
}

export const attr = {
  int: (v: number): OnnxAttr => ({ int: v }),
  float: (v: number): OnnxAttr => ({ float: v }),
  ints: (v: readonly number[]): OnnxAttr => ({ ints: v }),
  floats: (v: readonly number[]): OnnxAttr => ({ floats: v }),
  str: (v: string): OnnxAttr => ({ str: v }),
};
