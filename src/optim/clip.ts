/**
 * Weight clipping as a projection onto the box [−c, c] (the original WGAN's Lipschitz constraint;
 * the reference clips every critic parameter to ±0.01 after every critic step).
 */
import { clamp } from '../ops/activations.js';
import type { Tensor } from '../tensor/tensor.js';
import type { PendingUpdate, Projection } from './optimizer.js';

function checkC(fn: string, c: unknown): number {
  if (typeof c !== 'number' || !Number.isFinite(c) || c <= 0) throw new Error(`${fn}: c must be a positive number, got ${String(c)}`);
  return c;
}

/**
 * The projection p ↦ clamp(p, −c, c), for an optimizer's `project` option: clipping then happens in
 * the same graph as the update.
 * @example const opt = new RMSProp(D.parameters(), { lr: 5e-5, project: clipProjection(0.01) });
 */
export function clipProjection(c: number): Projection {
  checkC('clipProjection', c);
  return (p) => clamp(p, -c, c);
}

/**
 * Clips parameters to [−c, c] as a pending update: realize `outputs`, then `commit()`.
 * @example const u = clipWeights(D.parameters(), 0.01); await realize(u.outputs); u.commit();
 */
export function clipWeights(params: readonly Tensor[], c: number): PendingUpdate {
  checkC('clipWeights', c);
  params.forEach((p, i) => {
    if (p.op !== null || p.isConst) throw new Error(`clipWeights: params[${i}] must be a data leaf, got ${p.toString()}`);
  });
  const clipped = params.map((p) => clamp(p, -c, c));
  let committed = false;
  return {
    outputs: clipped,
    commit: () => {
      if (committed) throw new Error('clipWeights: this update was already committed');
      params.forEach((p, i) => p.assign(clipped[i]!));
      committed = true;
    },
  };
}
