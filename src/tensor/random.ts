/**
 * A seeded, reproducible random stream (xoshiro128**, seeded through splitmix32).
 * Its state is four 32-bit words that can be saved in a checkpoint and restored, so a resumed
 * run draws exactly the numbers an uninterrupted one would.
 */
import { checkShape, sizeOf } from './shape.js';
import { tensor, type Tensor } from './tensor.js';

export type RngState = readonly [number, number, number, number];

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Rng {
  private s: Uint32Array;

  /** @example const rng = new Rng(42); const z = rng.normal([256, 2]); */
  constructor(seed: number | RngState = 0) {
    this.s = new Uint32Array(4);
    if (typeof seed === 'number') {
      if (!Number.isFinite(seed)) throw new Error(`Rng: seed must be a finite number, got ${seed}`);
      const sm = splitmix32(Math.floor(seed) >>> 0);
      for (let i = 0; i < 4; i++) this.s[i] = sm();
      if (this.s.every((v) => v === 0)) this.s[0] = 1;
    } else {
      if (seed.length !== 4) throw new Error('Rng: a saved state has 4 words');
      this.s.set(seed);
    }
  }

  /** The generator's state, for checkpoints. */
  state(): RngState {
    return [this.s[0]!, this.s[1]!, this.s[2]!, this.s[3]!];
  }

  /** An independent stream derived from this one (advances this one by one draw). */
  fork(): Rng {
    return new Rng(this.nextU32() ^ 0x5bd1e995);
  }

  /** Uniform 32-bit unsigned integer. */
  nextU32(): number {
    const s = this.s;
    const result = Math.imul(rotl(Math.imul(s[1]!, 5) >>> 0, 7), 9) >>> 0;
    const t = (s[1]! << 9) >>> 0;
    s[2]! ^= s[0]!;
    s[3]! ^= s[1]!;
    s[1]! ^= s[2]!;
    s[0]! ^= s[3]!;
    s[2]! ^= t;
    s[3] = rotl(s[3]!, 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Standard normal draw (Box-Muller). */
  gauss(): number {
    const u1 = 1 - this.next(); // (0, 1]
    const u2 = this.next();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Fills a Float32Array with N(mean, std²) draws. */
  normalArray(n: number, mean = 0, std = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i += 2) {
      const u1 = 1 - this.next();
      const u2 = this.next();
      const r = Math.sqrt(-2 * Math.log(u1));
      out[i] = mean + std * r * Math.cos(2 * Math.PI * u2);
      if (i + 1 < n) out[i + 1] = mean + std * r * Math.sin(2 * Math.PI * u2);
    }
    return out;
  }

  /** Fills a Float32Array with U[lo, hi) draws. */
  uniformArray(n: number, lo = 0, hi = 1): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = lo + (hi - lo) * this.next();
    return out;
  }

  /** A data tensor of N(mean, std²) draws. */
  normal(shape: readonly number[], mean = 0, std = 1): Tensor {
    checkShape('Rng.normal', 'shape', shape);
    return tensor(this.normalArray(sizeOf(shape), mean, std), shape);
  }

  /** A data tensor of U[lo, hi) draws. */
  uniform(shape: readonly number[], lo = 0, hi = 1): Tensor {
    checkShape('Rng.uniform', 'shape', shape);
    return tensor(this.uniformArray(sizeOf(shape), lo, hi), shape);
  }

  /** A random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
