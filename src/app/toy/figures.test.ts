import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { testFixture } from '../../../test/support/run-env.js';
import { tilePngs } from '../figures.js';
import { deepCritic, FIG1B_SETTINGS, fixedGeneratorCritic, runFigure } from './figures.js';

const fx = testFixture('wgan-gp-figures-');

describe('Figure 1', () => {
  it('fig1a panels are critic surfaces trained against the fixed generator', async () => {
    const png = PNG.sync.read(await fixedGeneratorCritic('swissroll', 'gp', 3, 1, 16));
    assert.ok(png.width > 300 && png.height > 300);
    const tiled = PNG.sync.read(tilePngs([PNG.sync.write(png), PNG.sync.write(png), PNG.sync.write(png)], 2));
    assert.deepEqual([tiled.width, tiled.height], [2 * png.width, 2 * png.height]);
  });

  it('fig1b: clipping piles the critic weights at ±c and shrinks the gradients; the penalty does not', async () => {
    const clip = FIG1B_SETTINGS[1]; // c = 0.01
    const gp = FIG1B_SETTINGS[3];
    const rc = await deepCritic(clip, 2, 1, 16, 1);
    const rg = await deepCritic(gp, 2, 1, 16, 1);
    assert.equal(rc.gradNorms.length, 13, '12 hidden layers and the output layer');
    const atBox = rc.weights.filter((w) => Math.abs(Math.abs(w) - 0.01) < 1e-7).length / rc.weights.length;
    assert.ok(atBox > 0.5, `${(100 * atBox).toFixed(0)}% of clipped weights at ±c`);
    assert.ok(rc.weights.every((w) => Math.abs(w) <= 0.01 + 1e-7));
    const spread = new Set(Array.from(rg.weights, (w) => w.toFixed(4))).size;
    assert.ok(spread > 100, `penalty weights take ${spread} distinct values`);
    // Both start from the same gradient at the output; clipping shrinks it layer after layer.
    assert.ok(Math.abs(rc.gradNorms[12]! - rg.gradNorms[12]!) < 1e-6, `${rc.gradNorms[12]} vs ${rg.gradNorms[12]}`);
    assert.ok(rc.gradNorms[0]! < 1e-3 * rg.gradNorms[0]!, `input side: clipped ${rc.gradNorms[0]} vs penalty ${rg.gradNorms[0]}`);
    for (let l = 1; l < 12; l++) assert.ok(rc.gradNorms[l - 1]! < rc.gradNorms[l]!, `clipped gradient shrinks towards the input at layer ${l}`);
    assert.equal(rc.weightGradNorms.length, 13);
  });

  it('refuses to overwrite figure files without force', async () => {
    const out = join(fx.root, 'fig');
    await runFigure('fig1a', { out, iters: 1, hidden: 8 });
    const files = (await readdir(out)).sort();
    assert.ok(files.includes('fig1a.png') && files.includes('fig1a-8gaussians-clip.png') && files.includes('fig1a-swissroll-gp.png'));
    await assert.rejects(runFigure('fig1a', { out, iters: 1, hidden: 8 }), /already holds fig1a-8gaussians-clip\.png.*--force/);
    await runFigure('fig1a', { out, iters: 1, hidden: 8, force: true });
  });
});
