/**
 * The sweep spec (a JSON file, checked with valibot like run configs: a bad key or value names its
 * path in the spec) and its expansion into trials. A sweep is a base config (the layers of a config
 * file: `preset`, `kind`, any setting) and the fields it varies:
 *
 * - `grid`: every combination of the listed values;
 * - `random`: `trials` draws (seeded) of each field from a list of choices or a range
 *   (`{ "uniform": [a, b] }`, `{ "logUniform": [a, b] }`, `{ "int": [a, b] }`);
 *
 * with both, every random draw is crossed with every grid point (the §5.1 study: 200 drawn
 * architectures × the two losses). Each trial's whole config is resolved and checked with the kind's
 * own rules (src/app/experiment.ts resolveRunConfig) before anything runs: an error names the trial
 * and the field.
 *
 * Cheap to import: no onnxruntime.
 */
import { createHash } from 'node:crypto';
import * as v from 'valibot';
import { experimentOf, kindOfPreset, experiments, resolveRunConfig, type Experiment, type RunConfig } from '../app/experiment.js';
import { ConfigError, unknownKeyMessage } from '../app/settings.js';
import { Rng } from '../tensor/random.js';

const VALUE = v.union([v.number(), v.string(), v.boolean(), v.null()], 'must be a number, string, true/false or null');
const CHOICES = v.pipe(v.array(VALUE, 'must be a list of values'), v.minLength(1, 'must list at least one value'));
const PAIR = v.pipe(v.tuple([v.number(), v.number()], 'must be [low, high]'), v.check(([a, b]) => a <= b, 'must be [low, high] with low <= high'));
const DISTRIBUTION = v.union(
  [
    CHOICES,
    v.strictObject({ uniform: PAIR }),
    v.strictObject({ logUniform: v.pipe(PAIR, v.check(([a]) => a > 0, 'must be positive')) }),
    v.strictObject({ int: v.pipe(PAIR, v.check(([a, b]) => Number.isInteger(a) && Number.isInteger(b), 'must be integers')) }),
  ],
  'must be a list of choices or one of { "uniform": [a, b] }, { "logUniform": [a, b] }, { "int": [a, b] }',
);

/** The valibot schema of a sweep spec file. */
export const SWEEP_SPEC_SCHEMA = v.strictObject(
  {
    $schema: v.optional(v.string()),
    /** Names the sweep (job ids, the report's title); default: the spec file's name. */
    name: v.optional(v.pipe(v.string('must be a string'), v.regex(/^[A-Za-z0-9._-]+$/, 'must be letters, digits, ".", "_" or "-"'))),
    description: v.optional(v.string('must be a string')),
    /** The config-file layer of every trial: `preset`, `kind` and any setting of the kind. */
    base: v.optional(v.record(v.string(), v.unknown(), 'must be a JSON object of settings'), {}),
    grid: v.optional(v.record(v.string(), CHOICES, 'must map settings to lists of values'), {}),
    random: v.optional(
      v.strictObject({
        trials: v.pipe(v.number('must be an integer'), v.integer('must be an integer'), v.minValue(1, 'must be >= 1')),
        seed: v.optional(v.pipe(v.number('must be an integer'), v.integer('must be an integer'), v.minValue(0, 'must be >= 0')), 1),
        fields: v.record(v.string(), DISTRIBUTION, 'must map settings to distributions'),
      }),
    ),
    /** The metric of a trial the report ranks and thresholds (a key of metrics.jsonl). */
    metric: v.optional(v.string('must be a string')),
    /** Whether a higher (`max`, the default: Inception Score) or a lower (`min`: W1, FID) metric is better. */
    goal: v.optional(v.picklist(['max', 'min'], 'must be "max" or "min"'), 'max'),
    /** Successes per threshold of `metric` (Table 5 of the paper: above it, or below it for goal `min`), per value of `groupBy`. */
    thresholds: v.optional(v.array(v.number('must be a number'), 'must be a list of numbers'), []),
    groupBy: v.optional(v.string('must be a string')),
  },
  'must be a JSON object with keys: name, description, base, grid, random, metric, goal, thresholds, groupBy',
);

export type SweepSpec = v.InferOutput<typeof SWEEP_SPEC_SCHEMA>;

/** One trial: its id, the values the sweep chose and its whole resolved config. */
export interface Trial {
  /** `t0000`, `t0001`, ... in plan order (random draw major, grid minor). */
  id: string;
  /** The grid and random values of this trial. */
  params: Record<string, unknown>;
  config: RunConfig;
}

/** A sweep ready to run: its spec, kind and trials. */
export interface SweepPlan {
  name: string;
  kind: string;
  spec: SweepSpec;
  trials: Trial[];
}

/** "base.preset", "random.fields.lr[1]": where a valibot issue points in the spec. */
function pathOf(issue: v.BaseIssue<unknown>): string {
  let out = '';
  for (const p of issue.path ?? []) out += typeof p.key === 'number' ? `[${p.key}]` : `${out ? '.' : ''}${String(p.key)}`;
  return out || '(top level)';
}

/**
 * Checks a parsed spec file; a {@link ConfigError} names `source`, the key's path and the value.
 * @example checkSweepSpec({ base: { preset: 'toy-8gaussians' }, grid: { lambda: [0.1, 1] } }, 'sweep.json')
 */
export function checkSweepSpec(raw: unknown, source: string): SweepSpec {
  const r = v.safeParse(SWEEP_SPEC_SCHEMA, raw);
  if (r.success) return r.output;
  // The deepest issue of a union says most (which branch failed and why).
  let issue: v.BaseIssue<unknown> = r.issues[0];
  while (issue.issues?.length) issue = issue.issues.reduce((a, b) => ((b.path?.length ?? 0) > (a.path?.length ?? 0) ? b : a));
  const top = r.issues[0];
  const chosen = (issue.path?.length ?? 0) >= (top.path?.length ?? 0) ? issue : top;
  const key = pathOf(chosen);
  if (chosen.type === 'strict_object' && chosen.path?.length) {
    return fail(`${source}: unknown key '${key}'`);
  }
  return fail(`${source}: ${key} ${chosen.message}, got ${JSON.stringify(chosen.input)}`);
}

function fail(msg: string): never {
  throw new ConfigError(msg);
}

/** The kind of a spec: base.kind, else base.preset's kind, else the default kind. */
function kindOfSpec(spec: SweepSpec, source: string): Experiment {
  const { kind, preset } = spec.base as { kind?: unknown; preset?: unknown };
  if (typeof kind === 'string') return experimentOf(kind);
  if (typeof preset === 'string') return kindOfPreset(preset);
  const def = experiments().find((e) => e.presetOptional);
  if (!def) throw new ConfigError(`${source}: base needs a preset or kind`);
  return def;
}

/** Every combination of the grid's values, first key slowest. */
function gridPoints(grid: Readonly<Record<string, readonly unknown[]>>): Record<string, unknown>[] {
  let points: Record<string, unknown>[] = [{}];
  for (const [k, values] of Object.entries(grid)) points = points.flatMap((p) => values.map((x) => ({ ...p, [k]: x })));
  return points;
}

type Distribution = v.InferOutput<typeof DISTRIBUTION>;

/** One draw of `d` from `rng` (a list: uniform choice; ranges: uniform, log-uniform, integers inclusive). */
function draw(d: Distribution, rng: Rng): unknown {
  if (Array.isArray(d)) return d[rng.int(d.length)];
  if ('uniform' in d) return d.uniform[0] + rng.next() * (d.uniform[1] - d.uniform[0]);
  if ('logUniform' in d) return Math.exp(Math.log(d.logUniform[0]) + rng.next() * (Math.log(d.logUniform[1]) - Math.log(d.logUniform[0])));
  return d.int[0] + rng.int(d.int[1] - d.int[0] + 1);
}

/** The field names a spec varies must be settings of its kind (a typo gets a "did you mean"). */
function checkVaried(exp: Experiment, keys: readonly string[], where: string, source: string): void {
  for (const k of keys) {
    if (!Object.hasOwn(exp.fields, k)) throw new ConfigError(unknownKeyMessage(`${source}: ${where}`, k, Object.keys(exp.fields)));
  }
}

/**
 * Expands a checked spec into its trials, each config resolved and checked by its kind.
 * @example const plan = planSweep(checkSweepSpec(json, 'lambda.json'), 'lambda'); plan.trials.length
 */
export function planSweep(spec: SweepSpec, name: string, source = 'sweep spec'): SweepPlan {
  const exp = kindOfSpec(spec, source);
  checkVaried(exp, Object.keys(spec.grid), 'grid', source);
  if (spec.random) checkVaried(exp, Object.keys(spec.random.fields), 'random.fields', source);
  if (spec.groupBy !== undefined && !Object.hasOwn(spec.grid, spec.groupBy) && !Object.hasOwn(spec.random?.fields ?? {}, spec.groupBy)) {
    throw new ConfigError(`${source}: groupBy '${spec.groupBy}' is not a field of grid or random.fields`);
  }
  const points = gridPoints(spec.grid);
  const draws: Record<string, unknown>[] = [];
  if (spec.random) {
    const rng = new Rng(spec.random.seed);
    for (let i = 0; i < spec.random.trials; i++) {
      draws.push(Object.fromEntries(Object.entries(spec.random.fields).map(([k, d]) => [k, draw(d, rng)])));
    }
  } else {
    draws.push({});
  }
  const trials: Trial[] = [];
  for (const d of draws) {
    for (const p of points) {
      const id = `t${String(trials.length).padStart(4, '0')}`;
      const params = { ...d, ...p };
      const label = `${source}: trial ${id} (${Object.entries(params).map(([k, x]) => `${k}=${JSON.stringify(x)}`).join(', ') || 'the base config'})`;
      let config: RunConfig;
      try {
        config = resolveRunConfig(exp, { file: spec.base, flags: params, fileSource: `${source}: base` });
      } catch (e) {
        if (e instanceof ConfigError) throw new ConfigError(`${label}: ${e.message}`);
        throw e;
      }
      trials.push({ id, params, config: exp.toSaved?.(config) ?? config });
    }
  }
  return { name, kind: exp.kind, spec, trials };
}

/**
 * The queue's id of a trial of the sweep in folder `absDir`: the same for the same folder and
 * config (a re-run enqueues nothing twice), different for anything else.
 * @example jobIdOf('/runs/sweep', plan.trials[0]) // 't0000-3f2a…'
 */
export function jobIdOf(absDir: string, trial: Trial): string {
  const h = createHash('sha256').update(absDir).update('\0').update(JSON.stringify(trial.config)).digest('hex');
  return `${trial.id}-${h.slice(0, 20)}`;
}
