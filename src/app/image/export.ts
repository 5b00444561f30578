/**
 * A trained image generator as a standard ONNX model: inputs `noise` float32 [B, 128] (and, for a
 * class-conditional generator, `labels` int32 [B]), output `images` float32 [B, C, H, W] in the
 * generator's range ([0, 1] for MNIST, [−1, 1] otherwise). Any ONNX runtime runs it.
 *
 * The batch axis is dynamic (named `batch`) unless a batch size is given. A generator with batch
 * norm normalizes with the statistics of the batch it is given (the reference never switches to running statistics), so its images depend
 * on the batch: feed full batches of independent noise, as in training.
 */
import { exportOnnx, type ExportInput } from '../../backends/onnx/export.js';
import { NOISE_DIM } from '../../gan/models/mnist.js';
import type { Tensor } from '../../tensor/tensor.js';
import { EXPORT_BATCH } from './config.js';
import type { ImageModel } from './model.js';

/**
 * The ONNX bytes of a run's generator at its current weights: any batch size (`batch` null, the
 * default), or the one `batch` given.
 * @example writeFileSync('generator.onnx', exportGenerator(await loadRunModel(imageExperiment, run, env)));
 */
export function exportGenerator(model: Pick<ImageModel, 'generator' | 'numClasses'>, batch: number | null = null): Uint8Array {
  if (batch !== null && (!Number.isInteger(batch) || batch < 1)) throw new Error(`exportGenerator: batch must be a positive integer or null (dynamic), got ${String(batch)}`);
  const traced = batch ?? EXPORT_BATCH;
  const inputs: ExportInput[] = [{ name: 'noise', shape: [traced, NOISE_DIM] }];
  if (model.numClasses > 0) inputs.push({ name: 'labels', shape: [traced], dtype: 'int32' });
  const g = model.generator;
  return exportOnnx((z: Tensor, labels?: Tensor) => (labels ? g.forward(z, labels) : g.forward(z)), inputs, { outputNames: ['images'], dynamicBatch: batch === null });
}
