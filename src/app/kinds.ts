/**
 * The experiment kinds the command line knows, in the order `--help` lists them (the first kind that
 * needs no preset is the default of `wgan-gp train`). Importing this module registers them; a new
 * kind is one line here and needs no edit of the CLI.
 */
import { registerExperiment } from './experiment.js';
import { imageExperiment } from './image/index.js';
import { languageExperiment } from './language/index.js';
import { toyExperiment } from './toy/index.js';

registerExperiment(toyExperiment);
registerExperiment(imageExperiment);
registerExperiment(languageExperiment);
