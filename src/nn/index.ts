/**
 * Neural-network modules (PyTorch-like) with the reference code's tflib initialisers.
 */
export { Module, parameter, isParameter, manualSeed, defaultRng } from './module.js';
export {
  type Init,
  type Fans,
  initStd,
  initValues,
  uniformStd,
  normalStd,
  linearFans,
  conv2dFans,
  deconv2dFans,
  conv1dFans,
} from './init.js';
export { Linear, type LinearOptions } from './linear.js';
export { Conv2d, type Conv2dLayerOptions } from './conv2d.js';
export { ConvTranspose2d, type ConvTranspose2dLayerOptions } from './conv-transpose2d.js';
export { Conv1d, type Conv1dLayerOptions } from './conv1d.js';
export { BatchNorm, type BatchNormOptions } from './batch-norm.js';
export { LayerNorm, type LayerNormOptions } from './layer-norm.js';
export { ConditionalBatchNorm, type ConditionalBatchNormOptions } from './conditional-batch-norm.js';
export { Embedding, type EmbeddingOptions } from './embedding.js';
export { Sequential } from './sequential.js';
export { Reshape, Flatten } from './reshape.js';
export { ReLU, LeakyReLU, ELU, Tanh, Sigmoid, Softplus, PaperSoftplus, Softmax, LogSoftmax, AvgPool2d, UpsampleNearest2d } from './activations.js';
export { torchStateDict, loadTorchStateDict, saveTorchSafetensors, loadTorchSafetensors } from './torch-state-dict.js';
export { summary, summaryRows, type SummaryRow } from './summary.js';
