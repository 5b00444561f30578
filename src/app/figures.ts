/**
 * What every kind's figures share: the output folder (never overwritten without `force`) and the
 * tiling of panels into one PNG.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { PNG } from 'pngjs';

/** Thrown when a figure file exists and `force` was not given. */
export class FigureExistsError extends Error {
  override readonly name = 'FigureExistsError';
}

/**
 * Creates folder `out` for a figure's `files` and returns their paths; throws a
 * {@link FigureExistsError} naming those that exist unless `force`.
 * @example const [png, json] = await prepareFigureFolder('figures', ['fig5b.png', 'fig5b.json'], false);
 */
export async function prepareFigureFolder(out: string, files: readonly string[], force: boolean): Promise<string[]> {
  const paths = files.map((f) => join(out, f));
  const existing = files.filter((f) => existsSync(join(out, f)));
  if (existing.length > 0 && !force) {
    throw new FigureExistsError(`'${out}' already holds ${existing.join(', ')}; choose another --out, or pass --force to overwrite`);
  }
  await mkdir(out, { recursive: true });
  return paths;
}

/**
 * Tiles PNGs into a grid with `cols` columns (cells the size of the largest; white background).
 * @example writeFileSync('all.png', tilePngs([a, b, c], 3));
 */
export function tilePngs(pngs: readonly Buffer[], cols: number): Buffer {
  const imgs = pngs.map((b) => PNG.sync.read(b));
  const w = Math.max(...imgs.map((i) => i.width));
  const h = Math.max(...imgs.map((i) => i.height));
  const rows = Math.ceil(imgs.length / cols);
  const out = new PNG({ width: w * cols, height: h * rows });
  out.data.fill(255);
  imgs.forEach((img, k) => {
    const ox = (k % cols) * w;
    const oy = Math.floor(k / cols) * h;
    for (let y = 0; y < img.height; y++) {
      img.data.copy(out.data, 4 * ((oy + y) * out.width + ox), 4 * y * img.width, 4 * (y + 1) * img.width);
    }
  });
  return PNG.sync.write(out);
}
