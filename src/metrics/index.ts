/** Evaluation metrics that need no network or engine: toy mode coverage and sample distances. */
export { modeCoverage, type ModeCoverage, type ModeCoverageOptions, type MixtureModes } from './toy.js';
export { energyDistance, wasserstein1 } from './distance.js';
export { linearAssignment, type Assignment } from './assignment.js';
