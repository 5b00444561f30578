/**
 * Comparing two computations of the same values (devices, lowerings, sharded and unsharded steps).
 */

/**
 * Largest |got − want| relative to the largest |want|, that scale floored at `floor` (so that
 * outputs near 0 are judged on an absolute scale). Throws when the lengths differ.
 * @example assert.ok(maxRelError(gpu, cpu) < 1e-3);
 */
export function maxRelError(got: ArrayLike<number>, want: ArrayLike<number>, floor = 1e-6): number {
  if (got.length !== want.length) throw new Error(`maxRelError: ${got.length} values against ${want.length}`);
  let scale = floor;
  let err = 0;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
  for (let i = 0; i < want.length; i++) err = Math.max(err, Math.abs(got[i]! - want[i]!));
  return err / scale;
}
