/**
 * The app layer for library users: the experiment interface and its registry, the settings schema,
 * run folders (train, resume, load, commands), and the toy kind. Importing it registers the kinds.
 * @example
 * import { resolveRunConfig, toyExperiment, trainRun } from 'wgan-gp/node';
 * await trainRun(toyExperiment, resolveRunConfig(toyExperiment, { preset: 'toy-8gaussians' }), 'runs/8g', env);
 */
import './kinds.js';

export * from './settings.js';
export * from './common.js';
export * from './experiment.js';
export * from './run-folder.js';
export * from './runs.js';
export { toyExperiment, TOY_FIELDS, TOY_PRESETS, type ToyConfig } from './toy/index.js';
export { buildToyModel, evalSet, generate, toyMetrics, toyHooks, W1_SAMPLES, type ToyModel, type EvalSet } from './toy/model.js';
export { criticValues, criticPlotName, PLOT_RANGE, GRID_POINTS } from './toy/plots.js';
export { runFigure, FIGURES, type FigureName } from './toy/figures.js';
export { FigureExistsError, prepareFigureFolder, tilePngs } from './figures.js';
