/**
 * FLOP counts of the benchmarked steps: the matrix products an ideal implementation must do
 * (2·m·k·n per product), independent of how any engine schedules them. Elementwise work (ReLU
 * masks, batch norm, pooling, Adam) is left out; it is a fraction of a percent at these widths.
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
 * that produce its output.
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
}

/** Builds {@link LayerCosts} from named layers and the names of the input and output layers. */
export function layerCosts(layers: readonly LayerCost[], inputNames: readonly string[], outputNames: readonly string[]): LayerCosts {
  const sumOf = (names: readonly string[]): number =>
    total(
      names.map((n) => {
        const l = layers.find((x) => x.name === n);
        if (!l) throw new Error(`layerCosts: no layer '${n}' among ${layers.map((x) => x.name).join(', ')}`);
        return l.flops;
      }),
    );
  return { layers, total: total(layers.map((l) => l.flops)), input: sumOf(inputNames), output: sumOf(outputNames) };
}

/**
 * One WGAN-GP critic step (G forward, D forward on real, fake and x̂, the penalty's double
 * backward, parameter gradients), for any critic that is piecewise linear in its input (ReLU or
 * LeakyReLU between convolutions and dense layers, pooling, residual sums, no normalization: all
 * critics benchmarked here). Same derivation as {@link mlpCriticStepFlops}, with f₁ the input layers
 * and f_L the output layers: F_G + 10·F_D − 2·f₁ − f_L. The generator runs at the critic's batch.
 */
export function ganCriticStepFlops(critic: LayerCosts, generator: LayerCosts): number {
  return generator.total + 10 * critic.total - 2 * critic.input - critic.output;
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
