// Weights to and from PyTorch: a module's parameters as the state_dict of the equivalent torch.nn
// model (Linear weights transposed to [out, in], norms' gamma/beta named weight/bias).
//   npx tsx examples/pytorch-weights.ts
// In Python:  model.load_state_dict(safetensors.torch.load_file('critic.safetensors'))
import { Linear, ReLU, Sequential, loadTorchSafetensors, saveTorchSafetensors, torchStateDict } from 'wgan-gp/node';

const critic = new Sequential(new Linear(2, 512), new ReLU(), new Linear(512, 1));
// torch.nn.Sequential(torch.nn.Linear(2, 512), torch.nn.ReLU(), torch.nn.Linear(512, 1))
await saveTorchSafetensors('critic.safetensors', critic);
for (const [name, e] of Object.entries(torchStateDict(critic))) console.log(name, e.shape);
const copy = new Sequential(new Linear(2, 512), new ReLU(), new Linear(512, 1));
await loadTorchSafetensors('critic.safetensors', copy);
console.log('loaded back:', copy.numParameters(), 'parameters');
