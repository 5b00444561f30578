/**
 * Built-in sweeps (`wgan-gp sweep NAME`).
 */
import type { SweepSpec } from './spec.js';

/** A named sweep spec. */
export interface SweepPreset {
  description: string;
  spec: SweepSpec;
}

export const SWEEP_PRESETS: Readonly<Record<string, SweepPreset>> = {};
