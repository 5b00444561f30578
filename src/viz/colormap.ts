/**
 * The colour map of critic surfaces: a sequential dark-navy-to-white blue scale (like matplotlib's
 * "Blues", reversed), chosen so the orange real points and green fake points of the reference plot
 * stay visible on every part of it.
 */
import type { Color } from './canvas.js';

/** Colour stops, from the minimum (t = 0) to the maximum (t = 1). */
export const COLORMAP_STOPS: readonly (readonly [number, number, number])[] = [
  [8, 29, 88],
  [34, 94, 168],
  [65, 145, 198],
  [140, 192, 226],
  [205, 228, 245],
  [250, 252, 255],
];

/**
 * The colour of t in [0, 1] (clamped; NaN gives mid grey), linearly interpolated between stops.
 *
 * @example
 * colormap(0); // [8, 29, 88]  (the minimum: dark navy)
 * colormap(1); // [250, 252, 255]  (the maximum: near white)
 */
export function colormap(t: number): Color {
  if (Number.isNaN(t)) return [128, 128, 128];
  const s = Math.min(1, Math.max(0, t)) * (COLORMAP_STOPS.length - 1);
  const i = Math.min(COLORMAP_STOPS.length - 2, Math.floor(s));
  const f = s - i;
  const a = COLORMAP_STOPS[i]!;
  const b = COLORMAP_STOPS[i + 1]!;
  return [
    Math.round(a[0] + (b[0] - a[0]) * f),
    Math.round(a[1] + (b[1] - a[1]) * f),
    Math.round(a[2] + (b[2] - a[2]) * f),
  ];
}
