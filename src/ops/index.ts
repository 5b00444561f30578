/**
 * The op surface: every primitive's functional form plus the composites.
 * Importing this module registers all primitives.
 */
export { add } from './add.js';
export { sub } from './sub.js';
export { mul } from './mul.js';
export { div } from './div.js';
export { neg } from './neg.js';
export { exp } from './exp.js';
export { log } from './log.js';
export { sqrt } from './sqrt.js';
export { relu } from './relu.js';
export { greater, greaterEqual, less, lessEqual, equal, type Comparison } from './compare.js';
export { where } from './where.js';
export { cast } from './cast.js';
export { stopGradient, detach } from './stop-gradient.js';
export { sum } from './sum.js';
export { reshape } from './reshape.js';
export { expand, broadcastTo } from './expand.js';
export { transpose, transposeLast2 } from './transpose.js';
export { matmul } from './matmul.js';
export { square, mean } from './math.js';
export { sumTo } from './helpers.js';
export { primitives, defineOp, apply, type OpDef, type NDArray, type TensorMeta, type LowerCtx } from './registry.js';
export { pow } from './pow.js';
export { abs } from './abs.js';
export { tanh } from './tanh.js';
export { sigmoid } from './sigmoid.js';
export { leakyRelu } from './leaky-relu.js';
export { elu } from './elu.js';
export { softplus } from './softplus.js';
export { max, min } from './max.js';
export { concat } from './concat.js';
export { slice } from './slice.js';
export { pad } from './pad.js';
export { gather } from './gather.js';
export { oneHot } from './one-hot.js';
export { softmax, logSoftmax } from './softmax.js';
export { sigmoidCrossEntropyWithLogits, softmaxCrossEntropy } from './cross-entropy.js';
export { paperSoftplus, gatedTanhSigmoid, clamp, clip } from './activations.js';
export { conv2d, conv1d, samePads, type Conv2dOptions, type Conv1dOptions, type Padding2d, type ConvGeometry } from './conv2d.js';
export { convTranspose2d, conv2dInputGrad, type ConvTranspose2dOptions } from './conv-transpose2d.js';
export { conv2dWeightGrad } from './conv2d-weight-grad.js';
export { avgPool2d } from './avg-pool2d.js';
export { upsampleNearest2d } from './upsample-nearest2d.js';
export { batchNorm, layerNorm, conditionalBatchNorm, type NormOptions } from './norms.js';
