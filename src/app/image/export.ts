/**
 * A trained image generator as a standard ONNX model: inputs `noise` float32 [B, 128] (and, for a
 * class-conditional generator, `labels` int32 [B]), output `images` float32 [B, C, H, W] in the
 * generator's range ([0, 1] for MNIST, [−1, 1] otherwise). Any ONNX runtime runs it.
 *
 * The batch size is fixed at export. A generator with batch norm normalizes with the statistics of
 * the batch it is given (the reference never switches to running statistics), so its images depend
 * on the batch: feed full batches of independent noise, as in training.
 */
import { exportOnnx, type ExportInput } from '../../backends/onnx/export.js';
import { NOISE_DIM } from '../../gan/models/mnist.js';
import type { Tensor } from '../../tensor/tensor.js';
import { EXPORT_BATCH } from './config.js';
import type { ImageModel } from './model.js';

/**
 * The ONNX bytes of a run's generator at its current weights.
 * @example writeFileSync('generator.onnx', exportGenerator(await loadRunModel(imageExperiment, run, env)));
 */
export function exportGenerator(model: Pick<ImageModel, 'generator' | 'numClasses'>, batch = EXPORT_BATCH): Uint8Array {
  if (!Number.isInteger(batch) || batch < 1) throw new Error(`exportGenerator: batch must be a positive integer, got ${String(batch)}`);
  const inputs: ExportInput[] = [{ name: 'noise', shape: [batch, NOISE_DIM] }];
  if (model.numClasses > 0) inputs.push({ name: 'labels', shape: [batch], dtype: 'int32' });
  const g = model.generator;
  return exportOnnx((z: Tensor, labels?: Tensor) => (labels ? g.forward(z, labels) : g.forward(z)), inputs, ['images']);
}
