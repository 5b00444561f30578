/**
 * The GAN objectives compared in the paper: WGAN-GP (two-sided and one-sided penalty), WGAN with
 * weight clipping, the standard GAN (minimax and non-saturating; the reference's `dcgan` mode) and
 * LSGAN. Each returns pending scalar tensors; the trainer differentiates and realizes them.
 */
import { gradients } from '../autodiff/grad.js';
import * as o from '../ops/index.js';
import { ShapeError } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';

/** A critic (discriminator): a batch of samples in, one score per sample out ([B] or [B,1]). */
export type Critic = (x: Tensor) => Tensor;

export type LossName = 'wgan-gp' | 'wgan' | 'gan' | 'lsgan';
export const LOSSES: readonly LossName[] = ['wgan-gp', 'wgan', 'gan', 'lsgan'];

export interface PenaltyOptions {
  /** Penalty weight λ (paper: 10; reference gan_toy.py: 0.1). */
  lambda: number;
  /** One-sided penalty λ·E[max(0, ‖∇‖ − 1)²] (paper Appendix C) instead of the two-sided (‖∇‖ − 1)². */
  oneSided?: boolean;
}

/** Per-sample L2 norm over ALL non-batch axes (never per pixel: a known bug of several ports). */
export function perSampleNorm(g: Tensor): Tensor {
  const axes = Array.from({ length: g.rank - 1 }, (_, i) => i + 1);
  // sqrt's gradient at exactly 0 is defined as 0 (see ops/sqrt.ts), so a zero gradient gives no NaN.
  return o.sqrt(o.sum(o.square(g), axes));
}

/**
 * Interpolates x̂ = ε·real + (1 − ε)·fake with ONE ε per sample; `eps` has shape [B] and is
 * broadcast over the other axes.
 */
export function interpolate(real: Tensor, fake: Tensor, eps: Tensor): Tensor {
  const b = real.shape[0]!;
  if (eps.rank !== 1 || eps.shape[0] !== b) {
    throw new ShapeError('interpolate', `eps must have shape [${b}] (one value per sample), got ${eps.describe()}`);
  }
  const e = o.reshape(eps, [b, ...real.shape.slice(1).map(() => 1)]);
  return o.add(fake, o.mul(e, o.sub(real, fake)));
}

/**
 * The gradient penalty λ·E[(‖∇ₓ̂D(x̂)‖₂ − 1)²] (Algorithm 1), or its one-sided variant.
 * Returns the penalty (already multiplied by λ) and the mean gradient norm, for logging.
 * @example const { penalty } = gradientPenalty(D, real, fake, rng.uniform([B]), { lambda: 10 });
 */
export function gradientPenalty(critic: Critic, real: Tensor, fake: Tensor, eps: Tensor, opts: PenaltyOptions): { penalty: Tensor; gradNorm: Tensor } {
  if (!(opts.lambda >= 0)) throw new ShapeError('gradientPenalty', `lambda must be >= 0, got ${opts.lambda}`);
  const xhat = interpolate(real, fake, eps);
  const [g] = gradients(o.sum(critic(xhat)), [xhat]);
  const norm = perSampleNorm(g!);
  const dev = o.sub(norm, 1);
  const per = opts.oneSided ? o.square(o.relu(dev)) : o.square(dev);
  return { penalty: o.mul(o.mean(per), opts.lambda), gradNorm: o.mean(norm) };
}

/** Critic scores flattened to [B]. */
function scores(d: Tensor): Tensor {
  return o.reshape(d, [d.shape[0]!]);
}

/** WGAN critic loss E[D(fake)] − E[D(real)] (the negative of the Wasserstein estimate). */
export function wassersteinCriticLoss(dReal: Tensor, dFake: Tensor): Tensor {
  return o.sub(o.mean(dFake), o.mean(dReal));
}

/** WGAN generator loss −E[D(G(z))]. */
export function wassersteinGeneratorLoss(dFake: Tensor): Tensor {
  return o.neg(o.mean(dFake));
}

/**
 * Standard GAN discriminator loss (reference `dcgan` mode): sigmoid cross-entropy, real → 1,
 * fake → 0, averaged: (CE(real) + CE(fake)) / 2.
 */
export function ganDiscriminatorLoss(dReal: Tensor, dFake: Tensor): Tensor {
  const r = o.mean(o.sigmoidCrossEntropyWithLogits(scores(dReal), 1));
  const f = o.mean(o.sigmoidCrossEntropyWithLogits(scores(dFake), 0));
  return o.mul(o.add(r, f), 0.5);
}

/**
 * Standard GAN generator loss: non-saturating −E[log σ(D(G(z)))] (the reference's choice) or the
 * original minimax E[log(1 − σ(D(G(z))))].
 */
export function ganGeneratorLoss(dFake: Tensor, variant: 'non-saturating' | 'minimax' = 'non-saturating'): Tensor {
  const s = scores(dFake);
  return variant === 'non-saturating'
    ? o.mean(o.sigmoidCrossEntropyWithLogits(s, 1))
    : o.neg(o.mean(o.sigmoidCrossEntropyWithLogits(s, 0)));
}

/** LSGAN discriminator loss ((D(r) − 1)² + D(f)²) / 2 (reference gan_64x64.py). */
export function lsganDiscriminatorLoss(dReal: Tensor, dFake: Tensor): Tensor {
  return o.mul(o.add(o.mean(o.square(o.sub(dReal, 1))), o.mean(o.square(dFake))), 0.5);
}

/** LSGAN generator loss E[(D(f) − 1)²]. */
export function lsganGeneratorLoss(dFake: Tensor): Tensor {
  return o.mean(o.square(o.sub(dFake, 1)));
}
