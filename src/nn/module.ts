/**
 * The Module base class, shaped like PyTorch's `nn.Module`.
 *
 * A module holds its parameters as data-leaf tensors (`tensor(...)`) in plain fields, and its
 * sub-modules in fields or arrays of modules. Nothing is registered by hand: `namedParameters()`
 * walks the fields in the order they were assigned (own parameters first, then each child
 * recursively, as PyTorch does), so the names and their order are stable and can key a checkpoint.
 * Fields whose name starts with `_` are private state and are not walked.
 *
 * Hyperparameters go to the constructor; `resetParameters(rng)` (re)draws the initial values in
 * place (the tensors keep their identity, so an optimizer built over them stays valid).
 */
import { Rng } from '../tensor/random.js';
import { Tensor, tensor } from '../tensor/tensor.js';

let globalRng = new Rng(0);

/**
 * Re-seeds the random stream that modules use to initialise when no `rng` is passed to their
 * constructor (like `torch.manual_seed`). Passing an explicit `Rng` is the reproducible way.
 * @example manualSeed(1); const fc = new Linear(2, 512);
 */
export function manualSeed(seed: number): void {
  globalRng = new Rng(seed);
}

/** The stream used when a module's constructor gets no `rng`. @example model.resetParameters(defaultRng()); */
export function defaultRng(): Rng {
  return globalRng;
}

/**
 * True for a tensor that can be a parameter: a data leaf (fed at run time), not an embedded constant.
 * @example isParameter(tensor([1], [1])) // true; isParameter(scalar(1)) // false
 */
export function isParameter(v: unknown): v is Tensor {
  return v instanceof Tensor && v.op === null && !v.isConst;
}

/**
 * A float32 parameter tensor of `shape`, filled with zeros until a module's `resetParameters` draws it.
 * @example this.weight = parameter([inFeatures, outFeatures]);
 */
export function parameter(shape: readonly number[], fill = 0): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  if (fill !== 0) data.fill(fill);
  return tensor(data, shape);
}

export abstract class Module {
  /**
   * Training mode (set by {@link Module.train} / {@link Module.eval}). No module here changes its
   * computation with it: the reference's batch norm uses batch statistics also when sampling.
   */
  training = true;

  /** The module's computation. Most modules take one tensor; conditional ones take labels too. */
  abstract forward(x: Tensor, ...rest: Tensor[]): Tensor;

  /**
   * Draws fresh initial values for every parameter, in place, from `rng`. The base version resets
   * each child in order; modules with parameters of their own override it.
   * @example model.resetParameters(new Rng(1234));
   */
  resetParameters(rng: Rng): void {
    for (const [, child] of this.namedChildren()) child.resetParameters(rng);
  }

  /** This module's own parameters (not its children's), with their field names, in field order. */
  ownParameters(): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [key, v] of Object.entries(this)) {
      if (key.startsWith('_')) continue;
      if (isParameter(v)) out.push([key, v]);
      else if (Array.isArray(v)) v.forEach((x, i) => isParameter(x) && out.push([`${key}.${i}`, x]));
    }
    return out;
  }

  /** The direct sub-modules with their field names (arrays of modules as `name.i`), in field order. */
  namedChildren(): [string, Module][] {
    const out: [string, Module][] = [];
    for (const [key, v] of Object.entries(this)) {
      if (key.startsWith('_')) continue;
      if (v instanceof Module) out.push([key, v]);
      else if (Array.isArray(v)) v.forEach((x, i) => x instanceof Module && out.push([`${key}.${i}`, x]));
    }
    return out;
  }

  /** Every module in the tree, this one first (named ''), depth-first; each module once. */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [];
    const seen = new Set<Module>();
    const walk = (m: Module, name: string): void => {
      if (seen.has(m)) return;
      seen.add(m);
      out.push([name, m]);
      for (const [k, c] of m.namedChildren()) walk(c, name ? `${name}.${k}` : k);
    };
    walk(this, prefix);
    return out;
  }

  /**
   * Every parameter with its dotted name (`blocks.0.conv1.weight`), each tensor once, in a stable
   * order: a module's own parameters, then its children's, depth-first in field order.
   * @example for (const [name, p] of model.namedParameters()) console.log(name, p.shape);
   */
  namedParameters(prefix = ''): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    const seen = new Set<Tensor>();
    for (const [mName, m] of this.namedModules(prefix)) {
      for (const [pName, p] of m.ownParameters()) {
        if (seen.has(p)) continue; // a shared parameter is listed once, under its first name
        seen.add(p);
        out.push([mName ? `${mName}.${pName}` : pName, p]);
      }
    }
    return out;
  }

  /** The parameter tensors, in the order of {@link Module.namedParameters}. @example new Adam(D.parameters()) */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, p]) => p);
  }

  /** Total number of scalar parameters. */
  numParameters(): number {
    return this.parameters().reduce((n, p) => n + p.size, 0);
  }

  /** Sets training mode on this module and every sub-module. @example G.train(); */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  /** Same as `train(false)`. */
  eval(): this {
    return this.train(false);
  }

  /** The class name, for summaries and messages. */
  typeName(): string {
    return this.constructor.name;
  }

  /** A short description of the hyperparameters, shown by `summary` (e.g. `2 → 512`). */
  extraRepr(): string {
    return '';
  }
}
