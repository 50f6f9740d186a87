import type { MeterProvider } from '@opentelemetry/api';
import { ErrorCode, SightglassError } from '@sightglass/core';
import { importPeer } from './peers.js';

/** `@opentelemetry/instrumentation-runtime-node`, as loaded. */
export type RuntimeMetricsModule = typeof import('@opentelemetry/instrumentation-runtime-node');

const PACKAGE = '@opentelemetry/instrumentation-runtime-node';

/**
 * Loads the runtime-metrics instrumentation, a peer dependency that follows the application's SDK line
 * (0.36 with SDK 2.x, 0.37 with 3.x). When it is missing, runtime metrics asked for explicitly (`required`)
 * fail the start before anything was started; the default ones are skipped with a process warning that
 * says what to install.
 *
 * @throws SightglassError `ERR_SIGHTGLASS_MISSING_DEPENDENCY` when `required` and it is not installed.
 */
export async function loadRuntimeMetrics(
  required: boolean,
  packageName = PACKAGE,
): Promise<RuntimeMetricsModule | undefined> {
  try {
    return await importPeer<RuntimeMetricsModule>(packageName, 'runtime metrics', (line) => line.runtime);
  } catch (error) {
    if (required || !(error instanceof SightglassError) || error.code !== ErrorCode.MISSING_DEPENDENCY) {
      throw error;
    }
    process.emitWarning(`sightglass: ${error.message}; or turn them off with runtimeMetrics: false`, {
      code: 'SIGHTGLASS_RUNTIME_METRICS_SKIPPED',
    });
    return undefined;
  }
}

/** Starts Node.js runtime metrics (event loop, heap, GC) on `provider`; returns the function that stops them. */
export function startRuntimeMetrics(
  module: RuntimeMetricsModule,
  provider: MeterProvider,
  options: { precisionMs: number },
): () => void {
  const instrumentation = new module.RuntimeNodeInstrumentation({
    enabled: false,
    monitoringPrecision: options.precisionMs,
  });
  instrumentation.setMeterProvider(provider);
  instrumentation.enable();
  return () => instrumentation.disable();
}
