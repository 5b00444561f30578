// Train WGAN-GP on 8 Gaussians, look at the samples and metrics, export the generator to ONNX and run
// the export in a plain onnxruntime session at a batch size of our choosing.
//   node examples/train-toy.mjs [iterations, default 1000]
import * as ort from 'onnxruntime-node';
import { trainGan } from 'wgan-gp/node';

const iters = Number(process.argv[2] ?? 1000);
const run = await trainGan({ preset: 'toy-8gaussians', settings: { iters }, out: 'runs/example-8g', force: true, log: console.error });
const points = await run.sample(1000, { seed: 1 }); // Tensor [1000, 2]
console.log(`sampled ${points.shape.join('×')}`, await run.evaluate());
const file = await run.exportOnnx('runs/example-8g/generator.onnx');
await run.close();

// The export takes any batch: 4 noise vectors in, 4 points out.
const session = await ort.InferenceSession.create(file);
const noise = new ort.Tensor('float32', Float32Array.from({ length: 8 }, () => Math.random() * 2 - 1), [4, 2]);
const { samples } = await session.run({ noise });
console.log(`${file}: noise [4, 2] -> samples [${samples.dims.join(', ')}]`);
