/**
 * wgan-gp: WGAN-GP in TypeScript. The core entry point: tensors, ops, autodiff, the reference
 * backend. Node users import 'wgan-gp/node' for the onnxruntime-node backend.
 *
 * Everything is exported by name, and also grouped: `ops` (tensor operations), `nn` (modules,
 * PyTorch weight conversion), `optim` (optimizers, schedules), `io` (safetensors, module files),
 * `metrics` (toy metrics, Inception Score, FID).
 * @example
 * import { nn, optim, Rng } from 'wgan-gp';
 * const D = new nn.Sequential(new nn.Linear(2, 512), new nn.ReLU(), new nn.Linear(512, 1));
 * const opt = new optim.Adam(D.namedParameters(), { lr: 1e-4, beta1: 0.5, beta2: 0.9 });
 */
export * as ops from './ops/index.js';
export * as nn from './nn/index.js';
export * as optim from './optim/index.js';
export * as io from './io/index.js';
export * as metrics from './metrics/index.js';
export * from './ops/index.js';
export {
  Tensor,
  tensor,
  constant,
  scalar,
  noGrad,
  realize,
  toHost,
  setBackend,
  getBackend,
  buildPlan,
  type Backend,
  type DeviceValue,
  type ExecuteOptions,
  type RealizeOptions,
  type Plan,
  type DType,
  type Storage,
  type TensorLike,
} from './tensor/tensor.js';
export { ShapeError, type Shape } from './tensor/shape.js';
export { Rng, type RngState } from './tensor/random.js';
export { grad, valueAndGrad, vjp, gradients, zeros, ones } from './autodiff/grad.js';
export { checkGrads, type GradCheckArg, type GradCheckOptions } from './autodiff/gradcheck.js';
export { referenceBackend, interpret } from './backends/reference/reference-backend.js';
export * from './nn/index.js';
export * from './optim/index.js';
export * from './io/index.js';
export { exportOnnx, type ExportInput } from './backends/onnx/export.js';
export {
  toyDataset,
  eightGaussians,
  twentyFiveGaussians,
  swissRoll,
  fixedGeneratorSample,
  TOY_DATASETS,
  type ToyDataset,
  type ToyDatasetName,
  type ToyDatasetOptions,
  type ToyDatasetState,
  type ToyModes,
} from './data/toy.js';
export * from './metrics/index.js';
export {
  ArrayImageDataset,
  BatchSampler,
  epochBatches,
  readItems,
  applyTransform,
  resolveTransform,
  samplerDataSource,
  PIXEL_TRANSFORMS,
  type ImageDataset,
  type PixelTransform,
  type PixelTransformSpec,
  type Batch,
  type Items,
  type BatchSamplerOptions,
  type BatchSamplerState,
  type SamplerDataSource,
} from './data/batches.js';
export {
  inceptionScore,
  fid,
  frechetDistance,
  featureStats,
  traceSqrtProduct,
  FeatureStatsAccumulator,
  type ScoreStats,
  type GaussianStats,
} from './metrics/inception.js';
export * from './gan/losses.js';
export {
  Trainer,
  seedStreams,
  checkLoss,
  type LossSpec,
  type DataSource,
  type TrainerOptions,
  type IterationStats,
  type NoisePurpose,
  type TrainerState,
} from './gan/trainer.js';
export { ToyMlp, type ToyMlpOptions } from './gan/models/toy.js';
export { ConfigError } from './app/settings.js';
