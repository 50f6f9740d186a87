import type { MeterProvider } from '@opentelemetry/api';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';

/** Starts Node.js runtime metrics (event loop, heap, GC) on `provider`; returns the function that stops them. */
export function startRuntimeMetrics(provider: MeterProvider, options: { precisionMs: number }): () => void {
  const instrumentation = new RuntimeNodeInstrumentation({
    enabled: false,
    monitoringPrecision: options.precisionMs,
  });
  instrumentation.setMeterProvider(provider);
  instrumentation.enable();
  return () => instrumentation.disable();
}
