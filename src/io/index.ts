/**
 * File formats: safetensors (weights, optimizer state) with atomic writes.
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
  moduleEntries,
  applyModuleEntries,
  optimizerEntries,
  applyOptimizerEntries,
  tensorEntry,
  type FloatStorage,
} from './module-io.js';
