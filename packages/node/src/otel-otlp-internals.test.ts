/**
 * Canary of otel-otlp-internals.ts, on the SDK line installed here (2.x; the 3.x line runs in
 * otlp-exemplars-sdk3.test.ts): OpenTelemetry's OTLP metric exporters still drop exemplars, and the exporter
 * built from their parts still sends OpenTelemetry's request with them. A failure here means OpenTelemetry
 * moved: read otel-otlp-internals.ts and the PR that changed it (#6830 adds exemplars upstream).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PushMetricExporter } from '@opentelemetry/sdk-metrics';
import { type OtlpReceiver, startOtlpGrpcReceiver, startOtlpHttpReceiver } from '@sightglass/test-kit';
import { afterEach, describe, expect, it } from 'vitest';
import type { OtlpProtocol } from './options.js';
import { createExemplarMetricExporter, METRIC_EXPORTER_PACKAGES } from './otel-otlp-internals.js';
import {
  comparable,
  exportOnce,
  plainExemplars,
  pointOfRoute,
  recordExemplar,
  SPAN_ID,
  TRACE_ID,
} from './test-support/exemplar-fixtures.js';

const require = createRequire(import.meta.url);
const receivers: OtlpReceiver[] = [];
afterEach(async () => {
  for (const receiver of receivers.splice(0)) await receiver.close();
});

function endpoint(protocol: OtlpProtocol, receiver: OtlpReceiver): string {
  return protocol === 'grpc' ? receiver.url : `${receiver.url}/v1/metrics`;
}

describe.each([
  ['http/protobuf', startOtlpHttpReceiver],
  ['http/json', startOtlpHttpReceiver],
  ['grpc', startOtlpGrpcReceiver],
] as const)('OpenTelemetry %s metric export', (protocol, startReceiver) => {
  it("drops the exemplars of data points with OpenTelemetry's own exporter, and sends them with ours", async () => {
    const at = Date.now() - 1000;
    recordExemplar(`/canary/${protocol}`, 0.3, at);
    const [stock, ours] = [await startReceiver(), await startReceiver()];
    receivers.push(stock, ours);
    const { OTLPMetricExporter } = require(METRIC_EXPORTER_PACKAGES[protocol]) as {
      OTLPMetricExporter: new (config: object) => PushMetricExporter;
    };
    await exportOnce(new OTLPMetricExporter({ url: endpoint(protocol, stock) }));
    await exportOnce(createExemplarMetricExporter(protocol, { url: endpoint(protocol, ours) }));

    // One export at forceFlush() (shutdown() sends one more).
    expect(stock.received.length).toBeGreaterThan(0);
    expect(ours.received.length).toBe(stock.received.length);
    const stockRequest = stock.received[0]!.request;
    const ourRequest = ours.received[0]!.request;
    // If OpenTelemetry writes exemplars now (#6830), ours keeps theirs and adds none: see withExemplars.
    expect(plainExemplars(pointOfRoute(stockRequest, `/canary/${protocol}`))).toEqual([]);
    expect(plainExemplars(pointOfRoute(ourRequest, `/canary/${protocol}`))).toEqual([
      { value: 0.3, timeMs: at, traceId: TRACE_ID, spanId: SPAN_ID },
    ]);
    // Apart from the exemplars (and the times of collection), the same request as OpenTelemetry's.
    expect(comparable(ourRequest)).toEqual(comparable(stockRequest));
    expect(ours.received[0]!.headers['content-type']).toEqual(stock.received[0]!.headers['content-type']);
  });
});

describe('createExemplarMetricExporter', () => {
  it('builds the exporters as OpenTelemetry builds them: temporality and aggregation selection too', () => {
    for (const protocol of Object.keys(METRIC_EXPORTER_PACKAGES) as OtlpProtocol[]) {
      const exporter = createExemplarMetricExporter(protocol, {});
      expect(typeof exporter.selectAggregationTemporality).toBe('function');
      expect(typeof exporter.selectAggregation).toBe('function');
      void exporter.shutdown();
    }
  });

  it('names the part OpenTelemetry no longer has', () => {
    // An exporter package whose OTLPMetricExporterBase went away, found before the real one.
    const root = mkdtempSync(join(tmpdir(), 'sightglass-otlp-'));
    const fake = join(root, 'node_modules', '@opentelemetry', 'exporter-metrics-otlp-http');
    mkdirSync(fake, { recursive: true });
    writeFileSync(
      join(fake, 'package.json'),
      JSON.stringify({ name: '@opentelemetry/exporter-metrics-otlp-http', main: 'index.js' }),
    );
    writeFileSync(join(fake, 'index.js'), 'exports.OTLPMetricExporter = class {};');
    try {
      expect(() =>
        createExemplarMetricExporter('http/json', {}, createRequire(join(root, 'package.json'))),
      ).toThrow('@opentelemetry/exporter-metrics-otlp-http has no OTLPMetricExporterBase');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
