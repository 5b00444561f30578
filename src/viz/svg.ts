/**
 * SVG text for the plots and its rasterization to PNG with resvg (@resvg/resvg-js): real, antialiased
 * text in DejaVu Sans, a font shipped by the dejavu-fonts-ttf package (Bitstream Vera licence: free
 * to embed and redistribute), so a plot renders the same on every machine, whatever fonts it has.
 * The same SVG is inlined in report.html, where the browser draws it: one chart engine for both.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { PNG } from 'pngjs';
import type { Color } from './canvas.js';

/** The font family of every plot (the rasterizer loads only these files; browsers fall back to sans-serif). */
export const FONT_FAMILY = 'DejaVu Sans';
const CSS_FONT = `'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif`;

let fontFiles: string[] | undefined;
/** The TrueType files of DejaVu Sans (regular and bold), resolved inside the dejavu-fonts-ttf package. */
export function plotFontFiles(): string[] {
  if (!fontFiles) {
    const require = createRequire(import.meta.url);
    const dir = join(dirname(require.resolve('dejavu-fonts-ttf/package.json')), 'ttf');
    fontFiles = [join(dir, 'DejaVuSans.ttf'), join(dir, 'DejaVuSans-Bold.ttf')];
  }
  return fontFiles;
}

/** Escapes text for SVG/XML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/**
 * The width of `text` in DejaVu Sans at `size` px, estimated (0.62 em a character: DejaVu's digits
 * are 0.636 em, lower-case letters 0.52-0.65 em); used to lay out margins and legends.
 */
export function textWidth(text: string, size: number): number {
  return [...text].length * size * 0.62;
}

/** A colour as an SVG paint: `rgb(r,g,b)` (alpha goes to the opacity attributes). */
export function paint(c: Color): string {
  return `rgb(${c[0]},${c[1]},${c[2]})`;
}

/** The opacity of a colour, 0-1. */
export function opacityOf(c: Color): number {
  return (c[3] ?? 255) / 255;
}

/** Rounds a coordinate for compact SVG. */
export function f(v: number): string {
  return String(Math.round(v * 100) / 100);
}

/** Options of {@link text}. */
export interface SvgTextOptions {
  readonly size?: number;
  readonly anchor?: 'start' | 'middle' | 'end';
  /** Vertical anchor at y: the text's top, middle or alphabetic baseline (default 'baseline'). */
  readonly baseline?: 'top' | 'middle' | 'baseline';
  readonly bold?: boolean;
  readonly color?: Color;
  /** Rotation in degrees about (x, y) (−90: reads bottom to top, for y-axis labels). */
  readonly rotate?: number;
}

/**
 * An SVG `<text>` element. The vertical anchor is applied as a shift of the baseline (0.72 em for
 * 'top', 0.35 em for 'middle'), which both resvg and browsers honour.
 * @example text('loss', 10, 20, { size: 12, anchor: 'middle' })
 */
export function text(content: string, x: number, y: number, o: SvgTextOptions = {}): string {
  const size = o.size ?? 11;
  const dy = o.baseline === 'top' ? 0.72 * size : o.baseline === 'middle' ? 0.35 * size : 0;
  const attrs = [
    `x="${f(x)}"`,
    `y="${f(y + (o.rotate ? 0 : dy))}"`,
    `font-size="${size}"`,
    ...(o.anchor && o.anchor !== 'start' ? [`text-anchor="${o.anchor}"`] : []),
    ...(o.bold ? ['font-weight="bold"'] : []),
    ...(o.color ? [`fill="${paint(o.color)}"`] : []),
    ...(o.rotate ? [`transform="rotate(${o.rotate} ${f(x)} ${f(y)})"`, `dy="${f(dy)}"`] : []),
  ];
  return `<text ${attrs.join(' ')}>${escapeXml(content)}</text>`;
}

/**
 * A whole SVG document of `width`×`height` CSS pixels holding `body` on a white background.
 * @example svgDocument(640, 400, [line, label])
 */
export function svgDocument(width: number, height: number, body: readonly string[]): string {
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="${f(width)}" height="${f(height)}" ` +
    `viewBox="0 0 ${f(width)} ${f(height)}" font-family="${CSS_FONT}" fill="rgb(40,40,40)">` +
    `<rect width="100%" height="100%" fill="white"/>${body.join('')}</svg>`
  );
}

/** Options of {@link svgToPng}. */
export interface RasterOptions {
  /** Device pixels per SVG pixel (default 2: crisp in print and on high-density screens). */
  readonly scale?: number;
}

/** Device pixels per SVG pixel of the run's plots. */
export const PLOT_SCALE = 2;

/**
 * Rasterizes an SVG document to PNG bytes with resvg and the bundled DejaVu Sans (no system fonts:
 * the same pixels on every machine).
 * @example fs.writeFileSync('plot.png', svgToPng(svgDocument(200, 100, [text('hi', 10, 50)])));
 */
export function svgToPng(svg: string, options: RasterOptions = {}): Buffer {
  const scale = options.scale ?? PLOT_SCALE;
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    font: { fontFiles: plotFontFiles(), loadSystemFonts: false, defaultFontFamily: FONT_FAMILY },
  });
  return Buffer.from(r.render().asPng());
}

/**
 * An RGBA raster as a PNG data URI, for an SVG `<image>` (heat maps, embedded figures).
 * @example `<image href="${pngDataUri(w, h, rgba)}" .../>`
 */
export function pngDataUri(width: number, height: number, rgba: Uint8Array): string {
  const png = new PNG({ width, height });
  png.data.set(rgba);
  return `data:image/png;base64,${PNG.sync.write(png).toString('base64')}`;
}
