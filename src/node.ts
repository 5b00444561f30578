/**
 * The Node.js entry point: everything in the core plus the onnxruntime-node backend.
 * @example
 * import { setBackend, ortBackend } from 'wgan-gp/node';
 * setBackend(ortBackend({ threads: 2 }));
 */
import * as ort from 'onnxruntime-node';
import { createOrtBackend, type OrtBackend, type OrtBackendOptions, type OrtLike } from './backends/onnx/ort-backend.js';

export * from './index.js';
export type { OrtBackend, OrtBackendOptions } from './backends/onnx/ort-backend.js';
export { criticShardBackends, ortWorkerBackend, type OrtWorkerBackend } from './backends/onnx/worker-backend.js';

/**
 * The onnxruntime-node backend (CPU by default; `device: 'webgpu'` where a GPU exists).
 * @example setBackend(ortBackend({ threads: 2 }));
 */
export function ortBackend(opts: OrtBackendOptions = {}): OrtBackend {
  return createOrtBackend(ort as unknown as OrtLike, opts);
}
export * from './viz/index.js';
export * from './data/idx.js';
export * from './data/mnist.js';
export * from './data/cifar10.js';
export * from './data/image-folder.js';
export * from './metrics/classifier.js';
export * from './metrics/mnist-classifier.js';
export * from './metrics/cifar10-classifier.js';
export * from './metrics/classifier-training.js';
export * from './metrics/bundled-classifiers.js';
export * from './app/image/model.js';
export * from './app/image/export.js';
export * from './app/image/eval.js';
export * from './app/image/index.js';
export * from './app/image/commands.js';
export * from './app/image/data.js';
export * from './gan/checkpoint.js';
export * from './app/index.js';
export * from './api.js';
