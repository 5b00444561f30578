/**
 * File formats: safetensors (weights, optimizer state) with atomic writes; one serializer of
 * modules and optimizers (module-io.ts), which checkpoints use too.
 */
export {
  encodeSafetensors,
  decodeSafetensors,
  writeSafetensors,
  readSafetensors,
  SafetensorsError,
  SAFETENSORS_DTYPES,
  type SafetensorsDType,
  type SafetensorsData,
  type SafetensorsEntry,
  type SafetensorsFile,
} from './safetensors.js';
export { writeFileAtomic, writeJsonAtomic } from './atomic-file.js';
export {
  saveModule,
  loadModule,
  saveOptimizer,
  loadOptimizer,
  moduleTensors,
  optimizerTensors,
  tensorEntries,
  entryProblems,
  moduleEntries,
  applyModuleEntries,
  optimizerEntries,
  applyOptimizerEntries,
  tensorEntry,
  type FloatStorage,
} from './module-io.js';
