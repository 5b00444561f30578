/**
 * FLOP counts of the benchmarked steps: the matrix products an ideal implementation must do
 * (2·m·k·n per product), independent of how any engine schedules them. Elementwise work (ReLU
 * masks, batch and layer norm, pooling, Adam) is left out; it is a fraction of a percent at these widths.
 * Both engines are divided by the same count, so achieved GFLOP/s compare like with like.
 *
 * Counting rule, per linear layer ("product"):
 * - dense layer on a batch: 2·N·in·out;
 * - convolution: 2·N·Cout·Ho·Wo·Cin·k² (output size, SAME-padding taps included);
 * - transposed convolution: counted as the convolution it is the adjoint of, 2·N·Cin·Hin·Win·Cout·k²
 *   (Hin × Win = its smaller, input side);
 * - each backward product of a layer (its input gradient, its weight gradient) costs the same as its
 *   forward product, and so do the two products of the double backward (see
 *   {@link ganCriticStepFlops}).
 * A network is summarised by {@link LayerCosts}: its total forward cost, the cost of the layers that
 * read the network's input (whose input gradient a parameter gradient never needs) and of the layers
 * that produce its output; for a critic with normalization layers (layer norm under wgan-gp), also the
 * cost of the layers whose output reaches a norm (see {@link ganCriticStepFlops}).
 */

/** FLOPs of one dense layer's product on a batch: 2·batch·in·out. */
export function denseFlops(batch: number, fanIn: number, fanOut: number): number {
  return 2 * batch * fanIn * fanOut;
}

/** Per-layer forward FLOPs of an MLP with the given widths ([2, 512, 512, 512, 1] for the toy critic). */
export function mlpLayerFlops(batch: number, widths: readonly number[]): number[] {
  return widths.slice(1).map((out, i) => denseFlops(batch, widths[i]!, out));
}

const total = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/** Forward FLOPs of a convolution producing [N, Cout, Ho, Wo] from Cin channels with a k×k kernel. */
export function convFlops(batch: number, cin: number, cout: number, ho: number, wo: number, k: number): number {
  return 2 * batch * cout * ho * wo * cin * k * k;
}

/**
 * Forward FLOPs of a transposed convolution from [N, Cin, Hin, Win] to Cout channels: the cost of the
 * convolution it is the adjoint of (Cout → Cin channels, output Hin × Win).
 */
export function deconvFlops(batch: number, cin: number, cout: number, hin: number, win: number, k: number): number {
  return convFlops(batch, cout, cin, hin, win, k);
}

/** One product of a network (for tables and profiles). */
export interface LayerCost {
  readonly name: string;
  readonly flops: number;
}

/** A network's forward products, summarised for the step formulas. */
export interface LayerCosts {
  readonly layers: readonly LayerCost[];
  /** Sum of every layer's forward FLOPs. */
  readonly total: number;
  /** FLOPs of the layers that read the network input (directly or through pooling/upsampling). */
  readonly input: number;
  /** FLOPs of the layers that produce the network output. */
  readonly output: number;
  /** FLOPs of the layers whose output reaches a normalization layer (0 for a critic without one). */
  readonly normed: number;
  /** FLOPs of the input layers among those ({@link LayerCosts.normed}). */
  readonly normedInput: number;
}

/**
 * Builds {@link LayerCosts} from named layers, the names of the input and output layers and, for a
 * critic with normalization, the names of the layers whose output reaches a norm.
 * @example layerCosts([{ name: 'conv1', flops: 1e6 }, { name: 'output', flops: 1e3 }], ['conv1'], ['output'])
 */
export function layerCosts(
  layers: readonly LayerCost[],
  inputNames: readonly string[],
  outputNames: readonly string[],
  normedNames: readonly string[] = [],
): LayerCosts {
  const sumOf = (names: readonly string[]): number =>
    total(
      names.map((n) => {
        const l = layers.find((x) => x.name === n);
        if (!l) throw new Error(`layerCosts: no layer '${n}' among ${layers.map((x) => x.name).join(', ')}`);
        return l.flops;
      }),
    );
  return {
    layers,
    total: total(layers.map((l) => l.flops)),
    input: sumOf(inputNames),
    output: sumOf(outputNames),
    normed: sumOf(normedNames),
    normedInput: sumOf(normedNames.filter((n) => inputNames.includes(n))),
  };
}

/**
 * One WGAN-GP critic step (G forward, D forward on real, fake and x̂, the penalty's double
 * backward, parameter gradients). For a critic that is piecewise linear in its input (ReLU or
 * LeakyReLU between convolutions and dense layers, pooling, residual sums, no normalization): the
 * derivation of {@link mlpCriticStepFlops}, with f₁ the input layers and f_L the output layers:
 * F_G + 10·F_D − 2·f₁ − f_L. The generator runs at the critic's batch.
 *
 * A normalized critic (gan_64x64.py's layer norm under wgan-gp) is no longer piecewise linear: a
 * norm's input gradient depends on its input, so the penalty's gradient also flows back into x̂'s
 * FORWARD pass from every norm, through the layers below it: one more weight gradient for each layer
 * whose output reaches a norm (F_N, {@link LayerCosts.normed}) and one more input gradient for each
 * of them but the input layers (F_N − f₁ₙ): + 2·F_N − f₁ₙ. The norms' own elementwise work is not
 * counted, as everywhere here.
 */
export function ganCriticStepFlops(critic: LayerCosts, generator: LayerCosts): number {
  return generator.total + 10 * critic.total - 2 * critic.input - critic.output + 2 * critic.normed - critic.normedInput;
}

/**
 * The AC-GAN head's share of a critic step (gan_cifar_resnet.py ACGAN): Linear(features, classes)
 * on the real batch only (the reference's critic cross-entropy is on real data): its forward, weight
 * gradient and input gradient, 3·2·B·features·classes. Softmax and cross-entropy are elementwise.
 */
export function acganCriticStepFlops(batch: number, features: number, classes: number): number {
  return 3 * denseFlops(batch, features, classes);
}

/** The AC-GAN head's share of a generator step: its forward on the fakes and its input gradient. */
export function acganGeneratorStepFlops(batch: number, features: number, classes: number): number {
  return 2 * denseFlops(batch, features, classes);
}

/**
 * One generator step, both networks at the generator's batch: 3·F_G + 2·F_D − g₁ (see
 * {@link mlpGeneratorStepFlops}). Batch norm and tanh/sigmoid in G add no products.
 */
export function ganGeneratorStepFlops(critic: LayerCosts, generator: LayerCosts): number {
  return 3 * generator.total + 2 * critic.total - generator.input;
}

// ---- the image networks (src/gan/models), layer by layer ---------------------------------------

/** gan_mnist.py critic (DIM 64): three 5×5 stride-2 convs 28 → 14 → 7 → 4, Linear(4·4·4·DIM, 1). */
export function mnistCriticLayers(batch: number, dim = 64): LayerCosts {
  return layerCosts(
    [
      { name: 'conv1', flops: convFlops(batch, 1, dim, 14, 14, 5) },
      { name: 'conv2', flops: convFlops(batch, dim, 2 * dim, 7, 7, 5) },
      { name: 'conv3', flops: convFlops(batch, 2 * dim, 4 * dim, 4, 4, 5) },
      { name: 'output', flops: denseFlops(batch, 4 * 4 * 4 * dim, 1) },
    ],
    ['conv1'],
    ['output'],
  );
}

/** gan_mnist.py generator (DIM 64): Linear(128, 4·4·4·DIM), 5×5 deconvs 4 → 8 (crop 7) → 14 → 28. */
export function mnistGeneratorLayers(batch: number, dim = 64): LayerCosts {
  return layerCosts(
    [
      { name: 'input', flops: denseFlops(batch, 128, 4 * 4 * 4 * dim) },
      { name: 'deconv2', flops: deconvFlops(batch, 4 * dim, 2 * dim, 4, 4, 5) },
      { name: 'deconv3', flops: deconvFlops(batch, 2 * dim, dim, 7, 7, 5) },
      { name: 'deconv5', flops: deconvFlops(batch, dim, 1, 14, 14, 5) },
    ],
    ['input'],
    ['deconv5'],
  );
}

/** gan_cifar.py critic (DIM 128): three 5×5 stride-2 convs 32 → 16 → 8 → 4, Linear(4·4·4·DIM, 1). */
export function cifarDcganCriticLayers(batch: number, dim = 128): LayerCosts {
  return layerCosts(
    [
      { name: 'conv1', flops: convFlops(batch, 3, dim, 16, 16, 5) },
      { name: 'conv2', flops: convFlops(batch, dim, 2 * dim, 8, 8, 5) },
      { name: 'conv3', flops: convFlops(batch, 2 * dim, 4 * dim, 4, 4, 5) },
      { name: 'output', flops: denseFlops(batch, 4 * 4 * 4 * dim, 1) },
    ],
    ['conv1'],
    ['output'],
  );
}

/** gan_cifar.py generator (DIM 128): Linear(128, 4·4·4·DIM), 5×5 deconvs 4 → 8 → 16 → 32. */
export function cifarDcganGeneratorLayers(batch: number, dim = 128): LayerCosts {
  return layerCosts(
    [
      { name: 'input', flops: denseFlops(batch, 128, 4 * 4 * 4 * dim) },
      { name: 'deconv2', flops: deconvFlops(batch, 4 * dim, 2 * dim, 4, 4, 5) },
      { name: 'deconv3', flops: deconvFlops(batch, 2 * dim, dim, 8, 8, 5) },
      { name: 'deconv5', flops: deconvFlops(batch, dim, 3, 16, 16, 5) },
    ],
    ['input'],
    ['deconv5'],
  );
}

/**
 * gan_cifar_resnet.py critic (DIM 128): optimized block at 32×32 (conv1 3×3 3 → DIM, conv2 3×3 then
 * mean-pool; shortcut mean-pool then 1×1), a down block at 16×16 (conv1, conv2 then pool; shortcut
 * 1×1 then pool), two blocks at 8×8, mean over H, W, Linear(DIM, 1).
 */
export function cifarResnetCriticLayers(batch: number, dim = 128): LayerCosts {
  const c3 = (s: number, cin = dim): number => convFlops(batch, cin, dim, s, s, 3);
  return layerCosts(
    [
      { name: 'block1.shortcut', flops: convFlops(batch, 3, dim, 16, 16, 1) },
      { name: 'block1.conv1', flops: c3(32, 3) },
      { name: 'block1.conv2', flops: c3(32) },
      { name: 'block2.shortcut', flops: convFlops(batch, dim, dim, 16, 16, 1) },
      { name: 'block2.conv1', flops: c3(16) },
      { name: 'block2.conv2', flops: c3(16) },
      { name: 'block3.conv1', flops: c3(8) },
      { name: 'block3.conv2', flops: c3(8) },
      { name: 'block4.conv1', flops: c3(8) },
      { name: 'block4.conv2', flops: c3(8) },
      { name: 'output', flops: denseFlops(batch, dim, 1) },
    ],
    ['block1.shortcut', 'block1.conv1'],
    ['output'],
  );
}

/**
 * gan_cifar_resnet.py generator (DIM 128): Linear(128, 4·4·DIM), three up blocks 4 → 8 → 16 → 32
 * (upsample, then 1×1 shortcut and 3×3 conv1; 3×3 conv2), 3×3 output conv DIM → 3.
 */
export function cifarResnetGeneratorLayers(batch: number, dim = 128): LayerCosts {
  const layers: LayerCost[] = [{ name: 'input', flops: denseFlops(batch, 128, 4 * 4 * dim) }];
  [8, 16, 32].forEach((s, i) => {
    layers.push({ name: `block${i + 1}.shortcut`, flops: convFlops(batch, dim, dim, s, s, 1) });
    layers.push({ name: `block${i + 1}.conv1`, flops: convFlops(batch, dim, dim, s, s, 3) });
    layers.push({ name: `block${i + 1}.conv2`, flops: convFlops(batch, dim, dim, s, s, 3) });
  });
  layers.push({ name: 'output', flops: convFlops(batch, dim, 3, 32, 32, 3) });
  return layerCosts(layers, ['input'], ['output']);
}

// ---- gan_64x64.py (src/gan/models/lsun64.ts), DIM 64, [3, 64, 64] images ----------------------

/**
 * gan_64x64.py DCGANDiscriminator (DIM 64): four 5×5 stride-2 convs 64 → 32 → 16 → 8 → 4
 * (3 → DIM → 2·DIM → 4·DIM → 8·DIM; layer norm after the last three under wgan-gp),
 * Linear(4·4·8·DIM, 1). Every conv's output reaches a norm.
 */
export function lsun64DcganCriticLayers(batch: number, dim = 64): LayerCosts {
  const w = [3, dim, 2 * dim, 4 * dim, 8 * dim];
  const convs = [32, 16, 8, 4].map((s, i) => ({ name: `conv${i + 1}`, flops: convFlops(batch, w[i]!, w[i + 1]!, s, s, 5) }));
  return layerCosts(
    [...convs, { name: 'output', flops: denseFlops(batch, 4 * 4 * 8 * dim, 1) }],
    ['conv1'],
    ['output'],
    convs.map((c) => c.name),
  );
}

/** gan_64x64.py DCGANGenerator (DIM 64): Linear(128, 4·4·8·DIM), 5×5 deconvs 4 → 8 → 16 → 32 → 64 (8·DIM → 4·DIM → 2·DIM → DIM → 3). */
export function lsun64DcganGeneratorLayers(batch: number, dim = 64): LayerCosts {
  const w = [8 * dim, 4 * dim, 2 * dim, dim, 3];
  return layerCosts(
    [
      { name: 'input', flops: denseFlops(batch, 128, 4 * 4 * 8 * dim) },
      ...[4, 8, 16, 32].map((s, i) => ({ name: `deconv${i + 1}`, flops: deconvFlops(batch, w[i]!, w[i + 1]!, s, s, 5) })),
    ],
    ['input'],
    ['deconv4'],
  );
}

/**
 * gan_64x64.py GoodDiscriminator (DIM 64): conv3 3 → DIM at 64×64, four 'down' blocks DIM → 2·DIM →
 * 4·DIM → 8·DIM → 8·DIM at 64, 32, 16, 8 pixels (conv1 3×3 in → in; conv2 3×3 in → out then
 * mean-pool; shortcut mean-pool then 1×1), Linear(4·4·8·DIM, 1). Layer norm before conv1 and conv2 of
 * every block: everything reaches a norm except the last block's conv2 and shortcut and the output.
 */
export function lsun64ResnetCriticLayers(batch: number, dim = 64): LayerCosts {
  const w = [dim, 2 * dim, 4 * dim, 8 * dim, 8 * dim];
  const layers: LayerCost[] = [{ name: 'input', flops: convFlops(batch, 3, dim, 64, 64, 3) }];
  [64, 32, 16, 8].forEach((s, i) => {
    layers.push({ name: `block${i + 1}.shortcut`, flops: convFlops(batch, w[i]!, w[i + 1]!, s / 2, s / 2, 1) });
    layers.push({ name: `block${i + 1}.conv1`, flops: convFlops(batch, w[i]!, w[i]!, s, s, 3) });
    layers.push({ name: `block${i + 1}.conv2`, flops: convFlops(batch, w[i]!, w[i + 1]!, s, s, 3) });
  });
  layers.push({ name: 'output', flops: denseFlops(batch, 4 * 4 * 8 * dim, 1) });
  const afterLastNorm = ['block4.shortcut', 'block4.conv2', 'output'];
  return layerCosts(
    layers,
    ['input'],
    ['output'],
    layers.map((l) => l.name).filter((n) => !afterLastNorm.includes(n)),
  );
}

/**
 * gan_64x64.py GoodGenerator (DIM 64): Linear(128, 4·4·8·DIM), four 'up' blocks 8·DIM → 8·DIM →
 * 4·DIM → 2·DIM → DIM at 8, 16, 32, 64 output pixels (upsample, then 1×1 shortcut and 3×3 conv1
 * in → out; 3×3 conv2 out → out), 3×3 output conv DIM → 3.
 */
export function lsun64ResnetGeneratorLayers(batch: number, dim = 64): LayerCosts {
  const w = [8 * dim, 8 * dim, 4 * dim, 2 * dim, dim];
  const layers: LayerCost[] = [{ name: 'input', flops: denseFlops(batch, 128, 4 * 4 * 8 * dim) }];
  [8, 16, 32, 64].forEach((s, i) => {
    layers.push({ name: `block${i + 1}.shortcut`, flops: convFlops(batch, w[i]!, w[i + 1]!, s, s, 1) });
    layers.push({ name: `block${i + 1}.conv1`, flops: convFlops(batch, w[i]!, w[i + 1]!, s, s, 3) });
    layers.push({ name: `block${i + 1}.conv2`, flops: convFlops(batch, w[i + 1]!, w[i + 1]!, s, s, 3) });
  });
  layers.push({ name: 'output', flops: convFlops(batch, dim, 3, 64, 64, 3) });
  return layerCosts(layers, ['input'], ['output']);
}

/**
 * The products of one gan_64x64.py BottleneckResidualBlock from `cin` to `cout` channels on an
 * s × s input: 1×1 conv1 (in → in/2), 3×3 conv1b (in/2 → out/2; stride 2 'down', a stride-2
 * transposed conv 'up'), 1×1 conv2 (out/2 → out), and the shortcut (none for in = out, else a
 * stride-2 1×1 conv 'down' or a 1×1 conv to 4·out before depth_to_space 'up').
 */
function bottleneckLayers(name: string, batch: number, cin: number, cout: number, s: number, resample: 'up' | 'down' | null): LayerCost[] {
  const so = resample === 'down' ? s / 2 : resample === 'up' ? 2 * s : s;
  const conv1b = resample === 'up' ? deconvFlops(batch, cin / 2, cout / 2, s, s, 3) : convFlops(batch, cin / 2, cout / 2, so, so, 3);
  const layers: LayerCost[] = [
    { name: `${name}.conv1`, flops: convFlops(batch, cin, cin / 2, s, s, 1) },
    { name: `${name}.conv1b`, flops: conv1b },
    { name: `${name}.conv2`, flops: convFlops(batch, cout / 2, cout, so, so, 1) },
  ];
  if (resample === 'down') layers.push({ name: `${name}.shortcut`, flops: convFlops(batch, cin, cout, so, so, 1) });
  else if (resample === 'up') layers.push({ name: `${name}.shortcut`, flops: convFlops(batch, cin, 4 * cout, s, s, 1) });
  else if (cin !== cout) layers.push({ name: `${name}.shortcut`, flops: convFlops(batch, cin, cout, s, s, 1) });
  return layers;
}

/**
 * gan_64x64.py ResnetDiscriminator, the 101-layer bottleneck ResNet (DIM 64): conv1×1 3 → DIM/2 at
 * 64×64, 5 blocks at DIM/2, then for DIM, 2·DIM, 4·DIM, 8·DIM a 'down' block and 6 blocks (64 → 4
 * pixels), Linear(4·4·8·DIM, 1). Every block ends in a norm, so every layer but the output reaches one.
 */
export function lsun64Resnet101CriticLayers(batch: number, dim = 64): LayerCosts {
  const widths = [dim / 2, dim, 2 * dim, 4 * dim, 8 * dim];
  const layers: LayerCost[] = [{ name: 'input', flops: convFlops(batch, 3, dim / 2, 64, 64, 1) }];
  let s = 64;
  let k = 0;
  widths.forEach((c, stage) => {
    if (stage > 0) {
      layers.push(...bottleneckLayers(`block${++k}`, batch, widths[stage - 1]!, c, s, 'down'));
      s /= 2;
    }
    for (let i = 0; i < (stage === 0 ? 5 : 6); i++) layers.push(...bottleneckLayers(`block${++k}`, batch, c, c, s, null));
  });
  const names = layers.map((l) => l.name);
  layers.push({ name: 'output', flops: denseFlops(batch, 4 * 4 * 8 * dim, 1) });
  return layerCosts(layers, ['input'], ['output'], names);
}

/**
 * gan_64x64.py ResnetGenerator, the 101-layer bottleneck ResNet (DIM 64): Linear(128, 4·4·8·DIM),
 * 6 blocks and an 'up' block at each of 8·DIM, 4·DIM, 2·DIM, DIM (4 → 64 pixels), 5 blocks at DIM/2,
 * conv1×1 DIM/2 → 3.
 */
export function lsun64Resnet101GeneratorLayers(batch: number, dim = 64): LayerCosts {
  const widths = [8 * dim, 4 * dim, 2 * dim, dim, dim / 2];
  const layers: LayerCost[] = [{ name: 'input', flops: denseFlops(batch, 128, 4 * 4 * 8 * dim) }];
  let s = 4;
  let k = 0;
  widths.forEach((c, stage) => {
    for (let i = 0; i < (stage < 4 ? 6 : 5); i++) layers.push(...bottleneckLayers(`block${++k}`, batch, c, c, s, null));
    if (stage < 4) {
      layers.push(...bottleneckLayers(`block${++k}`, batch, c, widths[stage + 1]!, s, 'up'));
      s *= 2;
    }
  });
  layers.push({ name: 'output', flops: convFlops(batch, dim / 2, 3, 64, 64, 1) });
  return layerCosts(layers, ['input'], ['output']);
}

// ---- gan_language.py (src/gan/models/language.ts) -------------------------------------------------

/** Forward FLOPs of a stride-1 SAME conv1d producing [N, Cout, L] from Cin channels, kernel k. */
export function conv1dFlops(batch: number, cin: number, cout: number, length: number, k: number): number {
  return 2 * batch * cout * length * cin * k;
}

/** gan_language.py critic: conv1d k1 (V → DIM), 5 ResBlocks of two k5 convs, Linear(seqLen·DIM, 1). */
export function languageCriticLayers(batch: number, dim: number, seqLen: number, vocab: number): LayerCosts {
  const blocks: LayerCost[] = [];
  for (let i = 0; i < 5; i++) for (const c of [1, 2]) blocks.push({ name: `block${i}.conv${c}`, flops: conv1dFlops(batch, dim, dim, seqLen, 5) });
  return layerCosts(
    [{ name: 'input', flops: conv1dFlops(batch, vocab, dim, seqLen, 1) }, ...blocks, { name: 'output', flops: denseFlops(batch, seqLen * dim, 1) }],
    ['input'],
    ['output'],
  );
}

/** gan_language.py generator: Linear(128, seqLen·DIM), 5 ResBlocks of two k5 convs, conv1d k1 (DIM → V); softmax adds no products. */
export function languageGeneratorLayers(batch: number, dim: number, seqLen: number, vocab: number): LayerCosts {
  const blocks: LayerCost[] = [];
  for (let i = 0; i < 5; i++) for (const c of [1, 2]) blocks.push({ name: `block${i}.conv${c}`, flops: conv1dFlops(batch, dim, dim, seqLen, 5) });
  return layerCosts(
    [{ name: 'input', flops: denseFlops(batch, 128, seqLen * dim) }, ...blocks, { name: 'output', flops: conv1dFlops(batch, dim, vocab, seqLen, 1) }],
    ['input'],
    ['output'],
  );
}

/**
 * One WGAN-GP critic step with a ReLU MLP critic D and MLP generator G (F = forward FLOPs, f₁ and
 * f_L = D's first and last layer):
 * - G forward for the fake batch:                                             F_G
 * - D forward on real, fake and x̂:                                            3·F_D
 * - ∇ₓ̂D(x̂), input gradients through every layer:                             F_D
 * - ∂θ of E[D(fake)] − E[D(real)]: weight gradients 2·F_D, hidden input gradients 2·(F_D − f₁)
 * - ∂θ of the penalty through the backward pass gᵢₙ = gₒᵤₜ·Wᵀ: a weight gradient per layer (F_D)
 *   and a cotangent for gₒᵤₜ for every layer but the last, whose gₒᵤₜ is constant (F_D − f_L).
 *   ReLU masks are piecewise constant, so nothing flows back into the forward pass.
 * Total: F_G + 10·F_D − 2·f₁ − f_L.
 */
export function mlpCriticStepFlops(batch: number, criticWidths: readonly number[], generatorWidths: readonly number[]): number {
  const d = mlpLayerFlops(batch, criticWidths);
  const fD = total(d);
  const fG = total(mlpLayerFlops(batch, generatorWidths));
  return fG + 10 * fD - 2 * d[0]! - d[d.length - 1]!;
}

/**
 * One generator step: G forward (F_G), D forward (F_D), D input gradients through every layer
 * (F_D), G weight gradients (F_G) and G hidden input gradients (F_G − g₁): 3·F_G + 2·F_D − g₁.
 */
export function mlpGeneratorStepFlops(batch: number, criticWidths: readonly number[], generatorWidths: readonly number[]): number {
  const g = mlpLayerFlops(batch, generatorWidths);
  return 3 * total(g) + 2 * total(mlpLayerFlops(batch, criticWidths)) - g[0]!;
}
