export { FakeOllamaConfigError, FakeOllamaErrorCode } from './errors.js';
export {
  type ChunkFault,
  type ChunkFaultPlan,
  DEFAULT_FAULT_MESSAGE,
  DEFAULT_FAULT_PATHS,
  type FaultConfig,
  FaultController,
  type FaultDecision,
  SERVER_BUSY_MESSAGE,
} from './faults.js';
export { DEFAULT_MODELS, DEFAULT_OLLAMA_VERSION, type FakeModel, type FakeOllamaOptions } from './options.js';
export { mulberry32 } from './prng.js';
export { type FakeOllama, startFakeOllama } from './server.js';
export type { FakeOllamaStats } from './stats.js';
