/**
 * Colour maps of the heat maps: a sequential dark-navy-to-white blue scale for critic surfaces (like
 * matplotlib's "Blues", reversed, chosen so the orange real points and green fake points of the
 * reference plot stay visible on every part of it), a diverging blue-white-red scale for gradient
 * norms around their target 1, and a white-to-green scale for sample densities.
 */
import type { Color } from './canvas.js';

type Stops = readonly (readonly [number, number, number])[];

/** Colour stops of {@link colormap}, from the minimum (t = 0) to the maximum (t = 1). */
export const COLORMAP_STOPS: Stops = [
  [8, 29, 88],
  [34, 94, 168],
  [65, 145, 198],
  [140, 192, 226],
  [205, 228, 245],
  [250, 252, 255],
];

/** Blue (below) – white (middle) – red (above), like ColorBrewer's RdBu reversed. */
export const DIVERGING_STOPS: Stops = [
  [33, 102, 172],
  [103, 169, 207],
  [209, 229, 240],
  [247, 247, 247],
  [253, 219, 199],
  [239, 138, 98],
  [178, 24, 43],
];

/** White to dark green (ColorBrewer "Greens"): the density of generated samples. */
export const DENSITY_STOPS: Stops = [
  [255, 255, 255],
  [199, 233, 192],
  [116, 196, 118],
  [35, 139, 69],
  [0, 68, 27],
];

/**
 * A colour map over `stops`: t in [0, 1] (clamped; NaN gives mid grey), linearly interpolated.
 * @example const greens = makeColormap(DENSITY_STOPS); greens(1); // [0, 68, 27]
 */
export function makeColormap(stops: Stops): (t: number) => Color {
  return (t) => {
    if (Number.isNaN(t)) return [128, 128, 128];
    const s = Math.min(1, Math.max(0, t)) * (stops.length - 1);
    const i = Math.min(stops.length - 2, Math.floor(s));
    const f = s - i;
    const a = stops[i]!;
    const b = stops[i + 1]!;
    return [Math.round(a[0] + (b[0] - a[0]) * f), Math.round(a[1] + (b[1] - a[1]) * f), Math.round(a[2] + (b[2] - a[2]) * f)];
  };
}

/**
 * The colour of t in [0, 1] on the critic-surface scale.
 *
 * @example
 * colormap(0); // [8, 29, 88]  (the minimum: dark navy)
 * colormap(1); // [250, 252, 255]  (the maximum: near white)
 */
export const colormap: (t: number) => Color = makeColormap(COLORMAP_STOPS);

/** The diverging scale (t = 0.5 is white). */
export const divergingColormap: (t: number) => Color = makeColormap(DIVERGING_STOPS);

/** The density scale (t = 0 is white). */
export const densityColormap: (t: number) => Color = makeColormap(DENSITY_STOPS);
