/**
 * Learning-rate schedules: functions from an iteration number to a learning rate, set on an
 * optimizer each iteration (`opt.lr = schedule(it)`); the rate is fed, so no graph changes.
 */

/** An iteration → learning rate function. */
export type LrSchedule = (iteration: number) => number;

/**
 * lr · max(0, 1 − it/decayIters): the CIFAR ResNet's linear decay to 0 over 100k generator iterations.
 * @example const sched = linearDecay(2e-4, 100000); optG.lr = sched(iteration);
 */
export function linearDecay(lr: number, decayIters: number): LrSchedule {
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) throw new Error(`linearDecay: lr must be a number >= 0, got ${String(lr)}`);
  if (typeof decayIters !== 'number' || !(decayIters > 0)) throw new Error(`linearDecay: decayIters must be a positive number, got ${String(decayIters)}`);
  return (it) => lr * Math.max(0, 1 - it / decayIters);
}

/** A constant rate. @example constantLr(1e-4)(123) // 1e-4 */
export function constantLr(lr: number): LrSchedule {
  if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) throw new Error(`constantLr: lr must be a number >= 0, got ${String(lr)}`);
  return () => lr;
}
