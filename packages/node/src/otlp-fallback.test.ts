/** When OpenTelemetry no longer has the parts the exemplar exporter is built from: its own exporter, and a warning. */
import { diag } from '@opentelemetry/api';
import { startOtlpHttpReceiver } from '@sightglass/test-kit';
import { afterEach, expect, it, vi } from 'vitest';
import { createOtlpMetricExporter } from './otlp.js';
import {
  exportOnce,
  plainExemplars,
  pointOfRoute,
  recordExemplar,
} from './test-support/exemplar-fixtures.js';

vi.mock('./otel-otlp-internals.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('./otel-otlp-internals.js')>()),
  createExemplarMetricExporter: () => {
    throw new Error('@opentelemetry/otlp-transformer has no ProtobufMetricsSerializer');
  },
}));

afterEach(() => {
  vi.restoreAllMocks();
});

it("exports with OpenTelemetry's own exporter, without exemplars, and says why", async () => {
  const warn = vi.spyOn(diag, 'warn').mockImplementation(() => {});
  const receiver = await startOtlpHttpReceiver();
  try {
    recordExemplar('/fallback', 0.3, Date.now());
    await exportOnce(createOtlpMetricExporter({ url: `${receiver.url}/v1/metrics` }));
    const point = pointOfRoute(receiver.received[0]!.request, '/fallback');
    expect(Number(point?.count)).toBe(1);
    expect(plainExemplars(point)).toEqual([]);
    expect(String(warn.mock.calls[0]?.[0])).toBe(
      'sightglass: OTLP metrics are exported without exemplars: @opentelemetry/exporter-metrics-otlp-proto ' +
        'could not be built with them (@opentelemetry/otlp-transformer has no ProtobufMetricsSerializer)',
    );
  } finally {
    await receiver.close();
  }
});
