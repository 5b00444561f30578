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

export function checkFinite(layer: string, arg: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${layer}: ${arg} must be a finite number, got ${String(v)}`);
}

export function checkInteger(layer: string, arg: string, v: unknown): void {
  if (!Number.isInteger(v)) throw new Error(`${layer}: ${arg} must be an integer, got ${String(v)}`);
}

/** A pooling window or upsampling factor: a positive integer or a pair of them. */
export function checkWindow(layer: string, arg: string, v: unknown): void {
  const pair = typeof v === 'number' ? [v, v] : v;
  if (!Array.isArray(pair) || pair.length !== 2 || !pair.every((k) => Number.isInteger(k) && k >= 1)) {
    throw new Error(`${layer}: ${arg} must be a positive integer or a pair of them, got ${JSON.stringify(v)}`);
  }
}
