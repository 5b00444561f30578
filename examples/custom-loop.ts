// The engine under the high-level API: modules, the gradient penalty (a second-order gradient),
// Adam, and a training loop written out, on the 8 Gaussians. Strict TypeScript.
//   npx tsx examples/custom-loop.ts [iterations, default 2000]
import { Adam, add, eightGaussians, gradientPenalty, gradients, Linear, ortBackend, realize, ReLU, Rng, Sequential, setBackend, tensor, wassersteinCriticLoss, wassersteinGeneratorLoss } from 'wgan-gp/node';

setBackend(ortBackend());
const iters = Number(process.argv[2] ?? 2000);
const rng = new Rng(0);
const data = eightGaussians();
const mlp = (out: number) => new Sequential(new Linear(2, 128, { rng }), new ReLU(), new Linear(128, 128, { rng }), new ReLU(), new Linear(128, out, { rng }));
const G = mlp(2);
const D = mlp(1);
// Adam with the paper's β = (0.5, 0.9) for the toy runs (gan_toy.py).
const optG = new Adam(G.namedParameters(), { lr: 1e-4, beta1: 0.5, beta2: 0.9 });
const optD = new Adam(D.namedParameters(), { lr: 1e-4, beta1: 0.5, beta2: 0.9 });
const B = 256;

for (let it = 0; it < iters; it++) {
  for (let k = 0; k < 5; k++) {
    const real = tensor(data.sample(B, rng), [B, 2]);
    const fake = G.forward(rng.normal([B, 2]));
    const { penalty } = gradientPenalty((x) => D.forward(x), real, fake, rng.uniform([B]), { lambda: 0.1 });
    const loss = add(wassersteinCriticLoss(D.forward(real), D.forward(fake)), penalty);
    const { outputs, commit } = optD.update(gradients(loss, D.parameters()));
    await realize([loss, ...outputs]);
    commit();
    if (k === 4 && it % 100 === 0) console.log(`iteration ${it}: critic loss ${(await loss.data())[0]!.toFixed(4)}`);
  }
  const gLoss = wassersteinGeneratorLoss(D.forward(G.forward(rng.normal([B, 2]))));
  const { outputs, commit } = optG.update(gradients(gLoss, G.parameters()));
  await realize([gLoss, ...outputs]);
  commit();
}
