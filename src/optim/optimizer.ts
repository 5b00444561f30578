/**
 * The optimizer base: a thin stateful class over a pure, lazy update rule.
 *
 * `update(grads)` only RECORDS the new parameters and slots as graph ops and returns them as pending
 * outputs, so a trainer realizes the loss, the new parameters and the new optimizer state in ONE
 * backend run (one cached ONNX session per step structure), then `commit()`s them into the leaves.
 *
 * Values that change from step to step (the learning rate, bias corrections derived from the step
 * counter) are FED as scalar data tensors, never embedded as constants: a decaying learning rate
 * then leaves the graph's structure, and so its cache key, unchanged.
 */
import { fmt, shapesEqual } from '../tensor/shape.js';
import { realize, Tensor, tensor, type Backend } from '../tensor/tensor.js';

/** New parameter and slot values, pending until realized; `commit()` assigns them into the leaves. */
export interface PendingUpdate {
  /** The tensors to realize (together with the loss): new parameters, then new slots. */
  readonly outputs: readonly Tensor[];
  /** Assigns the realized outputs into the parameters and slots and advances the step counter. */
  commit(): void;
}

/** Maps a freshly updated parameter to its projection (e.g. weight clipping onto [−c, c]). */
export type Projection = (param: Tensor, index: number) => Tensor;

/** What an optimizer saves: the step counter, the learning rate and every slot tensor by name. */
export interface OptimizerState {
  readonly step: number;
  readonly lr: number;
  /** Slot tensors named `<slot>.<parameter name or index>`, e.g. `m.fc1.weight`, `v.3`. */
  readonly slots: Readonly<Record<string, Tensor>>;
}

export interface OptimizerOptions {
  /** Learning rate (≥ 0). */
  lr?: number;
  /** Applied to each new parameter inside the same update graph (see `clipProjection`). */
  project?: Projection;
}

/** An update as a later chained update or a replay needs it: step numbers, pending results, fed scalars, the update it follows. */
interface ChainedUpdate {
  readonly startStep: number;
  readonly t: number;
  readonly params: readonly Tensor[];
  readonly slots: readonly (readonly Tensor[])[];
  readonly fed: Readonly<Record<string, Tensor>>;
  readonly prev: ChainedUpdate | undefined;
}

/** Parameters, optionally named (as `module.namedParameters()` gives them). */
export type ParamList = readonly Tensor[] | readonly (readonly [string, Tensor])[];

/** A slot: one state tensor per parameter, with its initial fill value. */
export interface SlotSpec {
  readonly name: string;
  readonly init: number;
}

/**
 * A fed float scalar: float64 data, so the reference backend computes hyperparameters exactly.
 * @example const lr = fedScalar(opt.lr); // changes per step without changing the graph's key
 */
export function fedScalar(v: number): Tensor {
  return tensor(Float64Array.of(v), []);
}

/** Checks that `v` is a number in [lo, hi] (or [lo, hi)), naming the owner and the argument. */
export function checkNumber(owner: string, arg: string, v: unknown, lo: number, hi: number, hiOpen: boolean): number {
  const ok = typeof v === 'number' && Number.isFinite(v) && v >= lo && (hiOpen ? v < hi : v <= hi);
  if (!ok) {
    const range = `[${lo}, ${hi === Infinity ? '∞' : hi}${hiOpen ? ')' : ']'}`;
    throw new Error(`${owner}: ${arg} must be a number in ${range}, got ${String(v)}`);
  }
  return v as number;
}

/**
 * Assigns `source` into the leaf `target` and frees the device memory of the value it replaces:
 * an update's device values (kept there by `realize`'s `keepOnDevice`) belong to the leaves they
 * are committed into, so the previous step's buffers are released at once rather than when the
 * garbage collector finds them (GPU memory is not what it watches).
 */
function replace(target: Tensor, source: Tensor): void {
  const old = target.device;
  target.assign(source);
  if (old !== null && old !== target.device) old.dispose();
}

export abstract class Optimizer {
  readonly params: readonly Tensor[];
  /** A name per parameter: the given name, or its index. */
  readonly paramNames: readonly string[];
  readonly project: Projection | undefined;
  private readonly slotSpecs: readonly SlotSpec[];
  private readonly slotTensors: Tensor[][];
  private _lr: number;
  private _step = 0;

  protected constructor(
    /** The class name, for messages. */
    readonly kind: string,
    params: ParamList,
    lr: number,
    project: Projection | undefined,
    slots: readonly SlotSpec[],
  ) {
    if (!Array.isArray(params) || params.length === 0) throw new Error(`${kind}: params must be a non-empty array of parameter tensors`);
    const named = params.map((e: Tensor | readonly [string, Tensor], i): [string, Tensor] => {
      if (e instanceof Tensor) return [String(i), e];
      if (Array.isArray(e) && typeof e[0] === 'string' && e[1] instanceof Tensor) return [e[0], e[1]];
      throw new Error(`${kind}: params[${i}] is neither a Tensor nor a [name, Tensor] pair`);
    });
    const seen = new Set<Tensor>();
    const names = new Set<string>();
    named.forEach(([name, p], i) => {
      if (p.op !== null || p.isConst) throw new Error(`${kind}: params[${i}] ('${name}') must be a data leaf (tensor(...)), got ${p.toString()}`);
      if (p.dtype !== 'float32') throw new Error(`${kind}: params[${i}] ('${name}') must be float32, got ${p.describe()}`);
      if (seen.has(p)) throw new Error(`${kind}: params[${i}] ('${name}') is listed twice`);
      if (names.has(name)) throw new Error(`${kind}: parameter name '${name}' is used twice`);
      seen.add(p);
      names.add(name);
    });
    if (project !== undefined && typeof project !== 'function') throw new Error(`${kind}: project must be a function (param, index) => Tensor`);
    this.params = named.map(([, p]) => p);
    this.paramNames = named.map(([n]) => n);
    this._lr = checkNumber(kind, 'lr', lr, 0, Infinity, false);
    this.project = project;
    this.slotSpecs = slots;
    this.slotTensors = slots.map((s) => this.params.map((p) => tensor(new Float32Array(p.size).fill(s.init), p.shape)));
  }

  /** The learning rate used by the next update; settable (a schedule sets it every iteration). */
  get lr(): number {
    return this._lr;
  }
  set lr(v: number) {
    this._lr = checkNumber(this.kind, 'lr', v, 0, Infinity, false);
  }

  /** Number of committed updates (the `t` of the last bias correction). */
  get stepCount(): number {
    return this._step;
  }

  /**
   * The rule for one parameter: new parameter and new slots (in slot order) from the current ones.
   * `fed` holds this step's fed scalars (see {@link Optimizer.fedScalars}). Must build lazy ops only.
   */
  protected abstract rule(param: Tensor, grad: Tensor, slots: readonly Tensor[], fed: Readonly<Record<string, Tensor>>): { param: Tensor; slots: Tensor[] };

  /** The step-dependent scalars this rule needs, for update number `t` (1-based). */
  protected abstract fedScalars(t: number): Record<string, number>;

  /**
   * Records the update for `grads` (one per parameter, same shapes) as pending graph ops.
   * `commit()` frees the device memory of values it replaces (see `realize`'s `keepOnDevice`): keep
   * no other reference to a previous step's device-held parameters.
   *
   * With `after` (an uncommitted update of this optimizer), the update is the step following it:
   * it reads `after`'s pending parameters and slots (take `grads` at those parameters too, e.g.
   * with `substitute`), and its `commit()` commits both steps at once; `after` itself is then
   * never committed. The trainer chains a generator iteration's steps into one run this way.
   * @example const u = opt.update(grads); await realize([loss, ...u.outputs]); u.commit();
   */
  update(grads: readonly Tensor[], after?: PendingUpdate): PendingUpdate {
    const where = `${this.kind}.update`;
    if (!Array.isArray(grads)) throw new Error(`${where}: grads must be an array of tensors`);
    if (grads.length !== this.params.length) {
      throw new Error(`${where}: got ${grads.length} gradients for ${this.params.length} parameters`);
    }
    grads.forEach((g, i) => {
      const p = this.params[i]!;
      if (!(g instanceof Tensor)) throw new Error(`${where}: grads[${i}] is not a Tensor`);
      if (!shapesEqual(g.shape, p.shape) || g.dtype !== p.dtype) {
        throw new Error(`${where}: grads[${i}] is ${g.dtype}${fmt(g.shape)} but parameter ${i} ('${this.paramNames[i]}') is ${p.dtype}${fmt(p.shape)}`);
      }
    });
    const prev = after === undefined ? undefined : this.chained.get(after);
    if (after !== undefined && prev === undefined) throw new Error(`${where}: 'after' must be an update of this ${this.kind} (uncommitted)`);
    // The step this update follows from (committed), and its own step number t.
    const startStep = prev ? prev.startStep : this._step;
    const t = prev ? prev.t + 1 : startStep + 1;
    const params = prev ? prev.params : this.params;
    const slots = prev ? prev.slots : this.slotTensors;
    const fed: Record<string, Tensor> = {};
    for (const [k, v] of Object.entries(this.fedScalars(t))) fed[k] = fedScalar(v);
    const newParams: Tensor[] = [];
    const newSlots: Tensor[][] = this.slotSpecs.map(() => []);
    params.forEach((p, i) => {
      const r = this.rule(p, grads[i]!, slots.map((s) => s[i]!), fed);
      newParams.push(this.project ? this.project(r.param, i) : r.param);
      r.slots.forEach((s, k) => newSlots[k]!.push(s));
    });
    let committed = false;
    const update: PendingUpdate = {
      outputs: [...newParams, ...newSlots.flat()],
      commit: () => {
        if (committed) throw new Error(`${where}: this update was already committed`);
        if (this._step !== startStep) throw new Error(`${where}: stale update (built at step ${startStep}, optimizer is at step ${this._step})`);
        this.params.forEach((p, i) => replace(p, newParams[i]!));
        this.slotTensors.forEach((slot, k) => slot.forEach((s, i) => replace(s, newSlots[k]![i]!)));
        this._step = t;
        committed = true;
      },
    };
    this.chained.set(update, { startStep, t, params: newParams, slots: newSlots, fed, prev });
    return update;
  }

  /** What a later update chained after an uncommitted one needs of it (see `update`'s `after`), and a replay (see `replay`). */
  private readonly chained = new WeakMap<PendingUpdate, ChainedUpdate>();

  /**
   * Prepares `last` (an update, possibly the end of a chain of `update(grads, after)`, built and
   * committed steps ago) to run again as the next step(s) of this optimizer: sets the fed scalars
   * (learning rate, bias corrections) of each update in the chain for the step numbers that follow
   * the committed one. The caller re-realizes the chain's outputs (the same graph, on the current
   * parameters and slots: `realizePlan`), then calls the returned commit, which assigns them and
   * advances the step counter by the chain's length. How the trainer replays a step or a fused iteration
   * without rebuilding its graph.
   * @example const commit = opt.replay(u); await realizePlan(plan, outs); commit();
   */
  replay(last: PendingUpdate): () => void {
    const c = this.chained.get(last);
    if (c === undefined) throw new Error(`${this.kind}.replay: not an update of this ${this.kind}`);
    const base = this._step;
    for (let r: ChainedUpdate | undefined = c; r !== undefined; r = r.prev) {
      for (const [k, v] of Object.entries(this.fedScalars(base + r.t - r.startStep))) r.fed[k]!.assignData(Float64Array.of(v));
    }
    return () => {
      if (this._step !== base) throw new Error(`${this.kind}.replay: stale replay (prepared at step ${base}, optimizer is at step ${this._step})`);
      this.params.forEach((p, i) => replace(p, c.params[i]!));
      this.slotTensors.forEach((slot, k) => slot.forEach((s, i) => replace(s, c.slots[k]![i]!)));
      this._step = base + c.t - c.startStep;
    };
  }

  /**
   * Convenience: update, realize the new values together with `extraOutputs` (e.g. the loss) in one
   * backend run, and commit.
   * @example await opt.step(gradients(loss, params), [loss]);
   */
  async step(grads: readonly Tensor[], extraOutputs: readonly Tensor[] = [], backend?: Backend): Promise<void> {
    const u = this.update(grads);
    await realize([...extraOutputs, ...u.outputs], backend, { keepOnDevice: u.outputs });
    u.commit();
  }

  /** The slot names, e.g. ['m', 'v'] for Adam. */
  get slotNames(): readonly string[] {
    return this.slotSpecs.map((s) => s.name);
  }

  /**
   * The state to checkpoint: step, lr and every slot tensor (the live leaves; save them before the
   * next commit replaces their values).
   * @example const { step, slots } = opt.state();
   */
  state(): OptimizerState {
    const slots: Record<string, Tensor> = {};
    this.slotSpecs.forEach((s, k) => this.paramNames.forEach((n, i) => (slots[`${s.name}.${n}`] = this.slotTensors[k]![i]!)));
    return { step: this._step, lr: this._lr, slots };
  }

  /**
   * Restores a state saved by {@link Optimizer.state} (possibly of another instance over parameters
   * with the same names and shapes). Every slot must be present with its shape; `lr` is restored when given.
   * @example opt.loadState(saved);
   */
  loadState(state: { step: number; lr?: number; slots: Readonly<Record<string, Tensor | ArrayLike<number>>> }): void {
    const where = `${this.kind}.loadState`;
    if (!Number.isInteger(state.step) || state.step < 0) throw new Error(`${where}: step must be a non-negative integer, got ${String(state.step)}`);
    const expected = new Set<string>();
    const problems: string[] = [];
    this.slotSpecs.forEach((s, k) =>
      this.paramNames.forEach((n, i) => {
        const key = `${s.name}.${n}`;
        expected.add(key);
        const target = this.slotTensors[k]![i]!;
        const src = state.slots[key];
        if (src === undefined) problems.push(`missing slot '${key}'`);
        else if (src instanceof Tensor) {
          if (!shapesEqual(src.shape, target.shape)) problems.push(`slot '${key}' has shape ${fmt(src.shape)}, expected ${fmt(target.shape)}`);
          else if (src.value === null) problems.push(`slot '${key}' is not realized`);
        } else if (src.length !== target.size) problems.push(`slot '${key}' has ${src.length} values, expected ${target.size}`);
      }),
    );
    for (const key of Object.keys(state.slots)) if (!expected.has(key)) problems.push(`unexpected slot '${key}'`);
    if (problems.length > 0) throw new Error(`${where}: ${problems.join('; ')}`);
    this.slotSpecs.forEach((s, k) =>
      this.paramNames.forEach((n, i) => {
        const src = state.slots[`${s.name}.${n}`]!;
        this.slotTensors[k]![i]!.assignData(src instanceof Tensor ? src.value! : src);
      }),
    );
    this._step = state.step;
    if (state.lr !== undefined) this.lr = state.lr;
  }
}
