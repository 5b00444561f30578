/**
 * Optimizers as lazy update rules under small classes, weight clipping, learning-rate schedules.
 */
export {
  Optimizer,
  fedScalar,
  type PendingUpdate,
  type Projection,
  type OptimizerState,
  type OptimizerOptions,
  type ParamList,
  type SlotSpec,
} from './optimizer.js';
export { Adam, adamRule, type AdamOptions, type AdamHyper } from './adam.js';
export { RMSProp, rmspropRule, type RMSPropOptions } from './rmsprop.js';
export { SGD, sgdRule, type SGDOptions } from './sgd.js';
export { clipWeights, clipProjection } from './clip.js';
export { linearDecay, constantLr, type LrSchedule } from './schedule.js';
