export { findBinary, requireBinary, run } from './binaries.js';
export { createTestMeter, type TestMeter } from './meter.js';
export { freePort, waitFor } from './ports.js';
export {
  prometheusBinary,
  promtoolBinary,
  promtoolCheckMetrics,
  type RunningPrometheus,
  startPrometheus,
} from './prometheus.js';
