/**
 * FLOP counts of the benchmarked steps: the matrix products an ideal implementation must do
 * (2·m·k·n per product), independent of how any engine schedules them. Elementwise work (ReLU
 * masks, Adam) is left out; it is a fraction of a percent at these widths. Both engines are divided
 * by the same count, so achieved GFLOP/s compare like with like.
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
