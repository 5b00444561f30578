/**
 * Character n-gram statistics of the language model's evaluation (reference language_helpers.py
 * `NgramLanguageModel` and gan_language.py): the n-grams of a set of lines are counted INSIDE each
 * padded `seqLen`-symbol line (padding included, none across lines: `seqLen − n + 1` per line), and
 * two sets are compared by the exact Jensen–Shannon divergence of their n-gram distributions, in
 * bits (log base 2), for n = 1..4.
 *
 * Lines are given as ids (src/data/text.ts): an n-gram of ids is one n-gram of the reference's
 * symbols, 'unk' (id 0) being one symbol there too.
 *
 * Cost: JS(P, Q) = ½·Σₓ [P log₂(2P/(P+Q)) + Q log₂(2Q/(P+Q))]. Every x outside Q's support adds ½·P(x),
 * so JS = ½·(1 − Σ_{x∈supp Q} P(x)) + Σ_{x∈supp Q} (the full term): a sum over the SMALLER support
 * only, with lookups in the larger table. Scoring 640 samples (≤ 640·32 n-grams) against a
 * precomputed 60 k-line corpus ({@link NgramReference}) thus costs a few thousand lookups per n.
 */

/** The n-gram sizes the reference reports. */
export const NGRAM_ORDERS = [1, 2, 3, 4] as const;

/**
 * Counts of the n-grams of a set of lines of ids.
 * @example
 * const data = new NgramCounts(corpus.ids, corpus.seqLen, 2, corpus.vocabSize);
 * data.probability([5, 1]); // frequency of the bigram (5, 1)
 */
export class NgramCounts {
  readonly n: number;
  readonly seqLen: number;
  /** Ids are below this; n-gram keys are numbers in base `vocabSize` when they fit in 2^53, else strings. */
  readonly vocabSize: number;
  /** Count of each n-gram, by key. */
  readonly counts: Map<number | string, number>;
  /** Number of n-grams counted (lines × (seqLen − n + 1)). */
  readonly total: number;
  private readonly numericKeys: boolean;

  constructor(ids: ArrayLike<number>, seqLen: number, n: number, vocabSize: number) {
    const who = 'NgramCounts';
    for (const [name, v] of [['seqLen', seqLen], ['n', n], ['vocabSize', vocabSize]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new Error(`${who}: ${name} must be a positive integer, got ${v}`);
    }
    if (n > seqLen) throw new Error(`${who}: n = ${n} is longer than a line (seqLen ${seqLen})`);
    if (ids.length % seqLen !== 0) throw new Error(`${who}: ${ids.length} ids are not a whole number of ${seqLen}-symbol lines`);
    this.n = n;
    this.seqLen = seqLen;
    this.vocabSize = vocabSize;
    this.numericKeys = vocabSize ** n <= Number.MAX_SAFE_INTEGER;
    this.counts = new Map();
    const lines = ids.length / seqLen;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!Number.isInteger(id) || id < 0 || id >= vocabSize) throw new RangeError(`${who}: id ${id} at ${i} is not in [0, ${vocabSize})`);
    }
    for (let l = 0; l < lines; l++) {
      for (let t = l * seqLen; t + n <= (l + 1) * seqLen; t++) {
        const key = this.keyAt(ids, t);
        this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
      }
    }
    this.total = lines * (seqLen - n + 1);
  }

  private keyAt(ids: ArrayLike<number>, t: number): number | string {
    if (this.numericKeys) {
      let k = 0;
      for (let j = 0; j < this.n; j++) k = k * this.vocabSize + ids[t + j]!;
      return k;
    }
    let s = String(ids[t]!);
    for (let j = 1; j < this.n; j++) s += `,${ids[t + j]!}`;
    return s;
  }

  /** Number of distinct n-grams. */
  get unique(): number {
    return this.counts.size;
  }

  /**
   * The relative frequency of an n-gram (0 if never seen).
   * @example counts.probability([1, 1]) // e.g. the share of '``' among bigrams
   */
  probability(ngram: readonly number[]): number {
    if (ngram.length !== this.n) throw new Error(`NgramCounts.probability: expected ${this.n} ids, got ${ngram.length}`);
    return (this.counts.get(this.keyAt(ngram, 0)) ?? 0) / this.total;
  }
}

/**
 * The exact Jensen–Shannon divergence in bits between two n-gram distributions (0 for identical
 * distributions, 1 for disjoint supports): the reference's `js_with`. Symmetric; its cost is linear
 * in the smaller support.
 * @example jsDivergence(new NgramCounts(sampleIds, 32, 4, V), data4) // 0.62 for a decent model
 */
export function jsDivergence(p: NgramCounts, q: NgramCounts): number {
  if (p.n !== q.n || p.vocabSize !== q.vocabSize) {
    throw new Error(`jsDivergence: compares ${p.n}-grams over ${p.vocabSize} ids with ${q.n}-grams over ${q.vocabSize} ids`);
  }
  if (p.total === 0 || q.total === 0) throw new Error('jsDivergence: a distribution has no n-grams');
  const [small, large] = p.unique <= q.unique ? [p, q] : [q, p];
  let shared = 0; // Σ_{x ∈ supp small} P_large(x)
  let inSmall = 0; // Σ_{x ∈ supp small} ½[a log₂(2a/(a+b)) + b log₂(2b/(a+b))]
  for (const [key, c] of small.counts) {
    const a = c / small.total;
    const b = (large.counts.get(key) ?? 0) / large.total;
    shared += b;
    const m = a + b;
    inSmall += a * Math.log2((2 * a) / m);
    if (b > 0) inSmall += b * Math.log2((2 * b) / m);
  }
  // x in the large support only: ½·P_large(x)·log₂ 2 each.
  const js = 0.5 * (inSmall + Math.max(0, 1 - shared));
  return Math.min(1, Math.max(0, js));
}

/**
 * A reference corpus's n-gram counts for n = 1..4, built once, against which sets of generated lines
 * are scored (the reference's `true_char_ngram_lms`).
 * @example
 * const data = new NgramReference(corpus.ids, corpus.seqLen, corpus.vocabSize);
 * data.js(sampleIds); // [js1, js2, js3, js4]
 */
export class NgramReference {
  readonly seqLen: number;
  readonly vocabSize: number;
  readonly orders: readonly number[];
  /** The counts for each order, in the order of {@link NgramReference.orders}. */
  readonly models: readonly NgramCounts[];

  constructor(ids: ArrayLike<number>, seqLen: number, vocabSize: number, orders: readonly number[] = NGRAM_ORDERS) {
    this.seqLen = seqLen;
    this.vocabSize = vocabSize;
    this.orders = [...orders];
    this.models = this.orders.map((n) => new NgramCounts(ids, seqLen, n, vocabSize));
  }

  /**
   * JS divergence (bits) of the lines `ids` ([m·seqLen]) from the reference, one value per order.
   * @example const [js1, , , js4] = data.js(argmaxIds(probs, [640, 32, V]));
   */
  js(ids: ArrayLike<number>): number[] {
    return this.models.map((ref) => jsDivergence(new NgramCounts(ids, this.seqLen, ref.n, this.vocabSize), ref));
  }

  /**
   * The divergences as `{ js1, js2, js3, js4 }` (keys `js<n>`), for logs and plots.
   * @example data.jsByOrder(sampleIds).js4
   */
  jsByOrder(ids: ArrayLike<number>): Record<string, number> {
    const out: Record<string, number> = {};
    this.js(ids).forEach((v, i) => (out[`js${this.orders[i]!}`] = v));
    return out;
  }
}
