/**
 * Axis ticks and number formatting of the plots (and of the report's tables).
 */

/**
 * About `count` "nice" tick values (1, 2 or 5 × 10^k steps) covering [min, max].
 *
 * @example
 * linearTicks(0, 1, 5); // [0, 0.2, 0.4, 0.6, 0.8, 1]
 */
export function linearTicks(min: number, max: number, count = 5): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (min === max) return [min];
  if (min > max) [min, max] = [max, min];
  const step = niceStep((max - min) / Math.max(1, count));
  const start = Math.ceil(min / step - 1e-9);
  const end = Math.floor(max / step + 1e-9);
  const ticks: number[] = [];
  for (let k = start; k <= end; k++) ticks.push(roundTo(k * step, step));
  return ticks;
}

function niceStep(raw: number): number {
  const p = 10 ** Math.floor(Math.log10(raw));
  const f = raw / p;
  return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * p;
}

/** Removes floating-point fuzz from a multiple of `step` (0.30000000000000004 → 0.3). */
function roundTo(v: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(v.toFixed(Math.min(20, decimals)));
}

/**
 * Tick values for a log axis over [min, max] (both > 0): powers of ten, plus 2× and 5× when the
 * range spans fewer than three decades.
 *
 * @example
 * logTicks(0.01, 10); // [0.01, 0.1, 1, 10] plus 0.02, 0.05, ...
 */
export function logTicks(min: number, max: number): number[] {
  if (!(min > 0) || !(max > 0) || !Number.isFinite(min) || !Number.isFinite(max)) return [];
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const mults = hi - lo < 3 ? [1, 2, 5] : [1];
  const step = Math.max(1, Math.ceil((hi - lo) / 8)); // at most ~8 decade labels
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e += step) {
    for (const m of mults) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) ticks.push(v);
    }
  }
  return ticks;
}

/**
 * A short label for a tick or metric value: plain decimals for ordinary magnitudes, `1e-4` style
 * outside [1e-3, 1e5).
 *
 * @example
 * formatNumber(0.25); // '0.25'
 * formatNumber(20000); // '20000'
 * formatNumber(0.00012); // '1.2e-4'
 */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e5 || a < 1e-3) {
    const [m, e] = v.toExponential(2).split('e') as [string, string];
    const mant = m.replace(/\.?0+$/, '');
    return `${mant}e${Number(e)}`;
  }
  return String(Number(v.toPrecision(4)));
}

/** The finite [min, max] of a list of values (ignoring NaN/±Infinity, and values ≤ 0 when `positive`). */
export function extent(values: Iterable<number>, positive = false): [number, number] | undefined {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values) {
    if (!Number.isFinite(v) || (positive && v <= 0)) continue;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return lo <= hi ? [lo, hi] : undefined;
}
