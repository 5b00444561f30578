/**
 * A trained image generator as a standard ONNX model: inputs `noise` float32 [B, 128] (and, for a
 * class-conditional generator, `labels` int32 [B]), output `images` float32 [B, C, H, W] in the
 * generator's range ([0, 1] for MNIST, [−1, 1] otherwise). Any ONNX runtime runs it.
 *
 * The batch size is fixed at export. A generator with batch norm normalizes with the statistics of
 * the batch it is given (the reference never switches to running statistics), so its images depend
 * on the batch: feed full batches of independent noise, as in training.
 */
import { exportOnnx, type ExportInput } from '../backends/onnx/export.js';
import type { Tensor } from '../tensor/tensor.js';
import type { ImageModel } from './image-run.js';
import { NOISE_DIM } from './models/mnist.js';

/** Default batch of an exported generator (the reference's BATCH_SIZE for CIFAR-10 and 64×64). */
export const EXPORT_BATCH = 64;

/**
 * The ONNX bytes of a run's generator at its current weights.
 * @example writeFileSync('generator.onnx', exportGenerator(await loadImageRun('runs/mnist')));
 */
export function exportGenerator(model: Pick<ImageModel, 'generator' | 'numClasses'>, batch = EXPORT_BATCH): Uint8Array {
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`exportGenerator: batch must be a positive integer, got ${String(batch)}`);
  const inputs: ExportInput[] = [{ name: 'noise', shape: [batch, NOISE_DIM] }];
  if (model.numClasses > 0) inputs.push({ name: 'labels', shape: [batch], dtype: 'int32' });
  const g = model.generator;
  return exportOnnx((z: Tensor, labels?: Tensor) => (labels ? g.forward(z, labels) : g.forward(z)), inputs, ['images']);
}
