/** Argument checks shared by the layers: each names the layer and the argument. */

export function checkPositiveInt(layer: string, arg: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new Error(`${layer}: ${arg} must be a positive integer, got ${String(v)}`);
  }
}

export function checkPositive(layer: string, arg: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
    throw new Error(`${layer}: ${arg} must be a positive number, got ${String(v)}`);
  }
}
