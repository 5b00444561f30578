/**
 * Weight initialisers, exactly as the reference code's tflib.
 *
 * tflib draws every weight from U[−σ√3, σ√3] (a uniform with standard deviation σ) and sets biases to
 * 0; what differs between layers is σ:
 * - Linear: 'glorot' (tflib's default) σ = √(2/(in+out)); 'he' σ = √(2/in); 'lecun' σ = √(1/in);
 *   'glorot_he' σ = √(4/(in+out)).
 * - Conv2D: fan_in = in·k², fan_out = out·k²/stride²; he_init (tflib's default) σ = √(4/(fan_in+fan_out)),
 *   otherwise σ = √(2/(fan_in+fan_out)).
 * - Deconv2D (always stride 2 in tflib): fan_in = in·k²/4, fan_out = out·k², same σ rule.
 * - Conv1D: fan_in = in·k, fan_out = out·k/stride, same σ rule.
 * - `set_weights_stdev(0.02)` (gan_64x64.py's DCGAN models) replaces σ by 0.02, still uniform: that is
 *   `{ uniform: 0.02 }` here; `{ normal: 0.02 }` is the N(0, 0.02²) of the DCGAN paper and PyTorch ports.
 */
import type { Rng } from '../tensor/random.js';

/**
 * How a layer's weight is initialised.
 * - 'glorot' | 'he' | 'lecun' | 'glorot_he': tflib's Linear rules (for convolutions 'he' is tflib's
 *   he_init=True and 'glorot' he_init=False; convolutions default to 'he', Linear to 'glorot').
 * - `{ uniform: σ }`: U[−σ√3, σ√3] with a fixed σ (tflib's `set_weights_stdev`).
 * - `{ normal: σ }`: N(0, σ²).
 * - a function returning the values (row-major, `size` of them).
 */
export type Init =
  | 'glorot'
  | 'he'
  | 'lecun'
  | 'glorot_he'
  | { readonly uniform: number }
  | { readonly normal: number }
  | ((size: number, rng: Rng) => ArrayLike<number>);

/** Fan-in and fan-out of a weight, as tflib computes them for the layer kind. */
export interface Fans {
  readonly fanIn: number;
  readonly fanOut: number;
}

/** Linear [in → out]: fan_in = in, fan_out = out. */
export function linearFans(inFeatures: number, outFeatures: number): Fans {
  return { fanIn: inFeatures, fanOut: outFeatures };
}

/** tflib Conv2D: fan_in = in·k², fan_out = out·k²/stride². @example conv2dFans(1, 64, 5, 2) */
export function conv2dFans(inChannels: number, outChannels: number, kernel: number, stride = 1): Fans {
  return { fanIn: inChannels * kernel * kernel, fanOut: (outChannels * kernel * kernel) / (stride * stride) };
}

/** tflib Deconv2D (stride 2): fan_in = in·k²/4, fan_out = out·k². */
export function deconv2dFans(inChannels: number, outChannels: number, kernel: number, stride = 2): Fans {
  return { fanIn: (inChannels * kernel * kernel) / (stride * stride), fanOut: outChannels * kernel * kernel };
}

/** tflib Conv1D: fan_in = in·k, fan_out = out·k/stride. */
export function conv1dFans(inChannels: number, outChannels: number, kernel: number, stride = 1): Fans {
  return { fanIn: inChannels * kernel, fanOut: (outChannels * kernel) / stride };
}

/**
 * The standard deviation σ a named rule gives for the fans (tflib's formulas; see the file comment).
 * For convolutions 'he' means tflib's he_init=True σ = √(4/(fan_in+fan_out)), not √(2/fan_in): pass
 * `conv: true`.
 * @example initStd('he', linearFans(2, 512)) // √(2/2) = 1
 */
export function initStd(rule: 'glorot' | 'he' | 'lecun' | 'glorot_he', fans: Fans, conv = false): number {
  const { fanIn, fanOut } = fans;
  if (!(fanIn > 0) || !(fanOut > 0)) throw new Error(`initStd: fans must be positive, got fan_in ${fanIn}, fan_out ${fanOut}`);
  if (conv) {
    // tflib conv layers only know he_init (√(4/(fi+fo))) or the normalized Glorot & Bengio rule.
    if (rule === 'he') return Math.sqrt(4 / (fanIn + fanOut));
    if (rule === 'glorot') return Math.sqrt(2 / (fanIn + fanOut));
    throw new Error(`initStd: '${String(rule)}' is a Linear rule; convolutions take 'he' (he_init) or 'glorot'`);
  }
  switch (rule) {
    case 'glorot':
      return Math.sqrt(2 / (fanIn + fanOut));
    case 'he':
      return Math.sqrt(2 / fanIn);
    case 'lecun':
      return Math.sqrt(1 / fanIn);
    case 'glorot_he':
      return Math.sqrt(4 / (fanIn + fanOut));
    default:
      throw new Error(`initStd: unknown rule '${String(rule)}' (expected glorot, he, lecun or glorot_he)`);
  }
}

/**
 * `size` draws from U[−σ√3, σ√3] (mean 0, standard deviation σ): tflib's `uniform(stdev, size)`.
 * @example const w = uniformStd(rng, 2 * 512, Math.sqrt(2 / 514));
 */
export function uniformStd(rng: Rng, size: number, std: number): Float32Array {
  checkStd('uniformStd', std);
  const r = std * Math.sqrt(3);
  return rng.uniformArray(size, -r, r);
}

/** `size` draws from N(0, σ²). @example normalStd(rng, 64 * 3 * 25, 0.02) */
export function normalStd(rng: Rng, size: number, std: number): Float32Array {
  checkStd('normalStd', std);
  return rng.normalArray(size, 0, std);
}

function checkStd(fn: string, std: number): void {
  if (typeof std !== 'number' || !Number.isFinite(std) || std < 0) {
    throw new Error(`${fn}: std must be a finite non-negative number, got ${String(std)}`);
  }
}

/**
 * Checks an `init` option at construction, naming the layer, so a typo fails early. Convolutions
 * (`conv`) know only tflib's two conv rules, 'he' and 'glorot'.
 */
export function checkInit(layer: string, init: unknown, conv = false): Init {
  if (typeof init === 'function') return init as Init;
  if (init === 'glorot' || init === 'he') return init;
  if (!conv && (init === 'lecun' || init === 'glorot_he')) return init;
  if (typeof init === 'object' && init !== null) {
    const o = init as Record<string, unknown>;
    const keys = Object.keys(o);
    if (keys.length === 1 && (keys[0] === 'uniform' || keys[0] === 'normal')) {
      const s = o[keys[0]];
      if (typeof s === 'number' && Number.isFinite(s) && s >= 0) return init as Init;
    }
  }
  const names = conv ? `'he', 'glorot'` : `'glorot', 'he', 'lecun', 'glorot_he'`;
  throw new Error(`${layer}: init must be ${names}, { uniform: σ }, { normal: σ } or a function, got ${JSON.stringify(init)}`);
}

/**
 * Draws `size` initial values for a weight with the given rule and fans.
 * @example initValues('he', conv2dFans(3, 128, 5, 2), 128 * 3 * 25, rng, true)
 */
export function initValues(init: Init, fans: Fans, size: number, rng: Rng, conv = false): Float32Array {
  if (typeof init === 'function') {
    const v = init(size, rng);
    if (v.length !== size) throw new Error(`init function returned ${v.length} values, expected ${size}`);
    return Float32Array.from(v);
  }
  if (typeof init === 'string') return uniformStd(rng, size, initStd(init, fans, conv));
  if ('uniform' in init) return uniformStd(rng, size, init.uniform);
  return normalStd(rng, size, init.normal);
}
